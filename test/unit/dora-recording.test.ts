import { readFileSync } from 'node:fs';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RolloutView } from '../../core/delivery/ports.js';
import { canaryHealthPoints, deploymentPoints } from '../../core/dora/deployment-metrics.js';
import { ciDeploymentId, commitShaOfImage, recordsFromCi, rolloutOutcome, type RolloutEnd } from '../../core/dora/from-events.js';
import { recordEvent } from '../../core/dora/recorder.js';
import { parseDoraRecord } from '../../core/dora/records.js';
import { compilePattern } from '../../core/events/pattern.js';
import { doraRecorderPattern } from '../../events/rules.js';
import { parseRecorderEvent, publishDeploymentMetrics } from '../../functions/dora/handler-factory.js';

const ciFixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/webhooks/events/lumina.ci/${name}.v1.json`, import.meta.url), 'utf8'));
const deliveryFixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/events/lumina.delivery/${name}.v1.json`, import.meta.url), 'utf8'));
const parsedCi = (name: string) => {
  const p = parseRecorderEvent(ciFixture(name));
  if (!('kind' in p) || p.kind !== 'ci') throw new Error(`fixture ${name} did not parse: ${JSON.stringify(p)}`);
  return p.event;
};

describe('consumer-side parsing of the recorder\'s events (fixtures of both contracts)', () => {
  it.each(['change-pushed', 'deployment-finished', 'incident-opened', 'incident-resolved'])('lumina.ci %s parses against its own definition', (name) => {
    expect(parseRecorderEvent(ciFixture(name))).toMatchObject({ kind: 'ci', event: { definition: { source: 'lumina.ci' } } });
  });
  it.each([
    ['rollout-succeeded', 'rollout-end'],
    ['rollout-failed', 'rollout-end'],
    ['rollout-step-completed', 'step'],
    ['rollout-analysis-completed', 'analysis'],
  ])('lumina.delivery %s → %s', (name, kind) => {
    expect(parseRecorderEvent(deliveryFixture(name))).toMatchObject({ kind });
  });
  it('an invalid detail, an unrecorded detail-type and a non-event are ignored with the reason, never thrown', () => {
    const bad = ciFixture('deployment-finished');
    bad.detail.finishedAt = 'yesterday';
    expect(parseRecorderEvent(bad)).toEqual({ ignored: 'invalid "Deployment Finished" detail at finishedAt' });
    expect(parseRecorderEvent(deliveryFixture('rollout-paused'))).toEqual({ ignored: 'lumina.delivery "Rollout Paused" is not recorded' });
    expect(parseRecorderEvent({ hello: 'world' })).toMatchObject({ ignored: expect.stringContaining('not an EventBridge event') });
  });
});

describe('doraRecorderPattern (the one rule of the stack and the local bus)', () => {
  const matches = compilePattern(doraRecorderPattern);
  it.each(['change-pushed', 'deployment-finished', 'incident-opened', 'incident-resolved'])('matches lumina.ci %s', (name) => expect(matches(ciFixture(name))).toBe(true));
  it.each(['rollout-succeeded', 'rollout-failed', 'rollout-step-completed', 'rollout-analysis-completed'])('matches lumina.delivery %s', (name) => expect(matches(deliveryFixture(name))).toBe(true));
  it.each(['rollout-started', 'rollout-paused', 'rollout-promoted', 'rollout-rolled-back'])('does not match %s (nothing to record)', (name) => expect(matches(deliveryFixture(name))).toBe(false));
  it('does not match a CI detail-type from another source', () => expect(matches({ ...ciFixture('change-pushed'), source: 'acme.ci' })).toBe(false));
});

describe('CI events → DORA records (the field-name differences of the two contracts)', () => {
  it('Change Pushed: pullRequest becomes a string; environment is not a commit property', () => {
    expect(recordsFromCi(parsedCi('change-pushed'))).toEqual([
      { kind: 'change', service: 'payments', commitSha: '4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70', committedAt: '2026-02-27T18:00:00.000Z', pullRequest: '58' },
    ]);
  });
  it('Change Pushed without a service: the repository name after the last slash', () => {
    const e = parsedCi('change-pushed');
    delete (e.detail as { service?: string }).service;
    expect(recordsFromCi(e)[0]).toMatchObject({ service: 'payments-api' });
  });
  it('Deployment Finished: the id is namespaced by provider; fixesIncident → fixesIncidentId', () => {
    const e = parsedCi('deployment-finished');
    Object.assign(e.detail, { fixesIncident: 'INC-7', unplanned: true });
    expect(recordsFromCi(e)).toEqual([
      {
        kind: 'deployment',
        service: 'checkout',
        environment: 'production',
        deploymentId: 'circleci:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
        status: 'success',
        startedAt: '2026-02-28T09:30:00.000Z',
        finishedAt: '2026-02-28T09:40:12.000Z',
        commitShas: ['7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f'],
        unplanned: true,
        fixesIncidentId: 'INC-7',
      },
    ]);
    expect(ciDeploymentId('generic', 'ledger-prod-1717')).toBe('ledger-prod-1717');
  });
  it('Incident Opened / Resolved: deploymentId → causedByDeploymentId; a resolution without openedAt opens at resolvedAt', () => {
    expect(recordsFromCi(parsedCi('incident-resolved'))).toEqual([
      { kind: 'incident', incidentId: 'INC-2291', service: 'ledger', environment: 'production', openedAt: '2026-02-28T01:05:00.000Z', resolvedAt: '2026-02-28T01:47:00.000Z', causedByDeploymentId: 'ledger-prod-1716' },
    ]);
    const e = parsedCi('incident-resolved');
    delete (e.detail as { openedAt?: string }).openedAt;
    expect(recordsFromCi(e)[0]).toMatchObject({ openedAt: '2026-02-28T01:47:00.000Z', resolvedAt: '2026-02-28T01:47:00.000Z' });
    expect(recordsFromCi(parsedCi('incident-opened'))[0]).toEqual({ kind: 'incident', incidentId: 'acme/payments-api#311', service: 'payments', environment: 'production', openedAt: '2026-02-28T11:02:00.000Z' });
  });
  it.each(['change-pushed', 'deployment-finished', 'incident-opened', 'incident-resolved'])('every record made from %s is a valid DORA record', (name) => {
    for (const r of recordsFromCi(parsedCi(name))) expect(() => parseDoraRecord(r)).not.toThrow();
  });
});

describe('commit sha from an image tag', () => {
  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/checkout:7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f@sha256:ab', '7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f'],
    ['registry:5000/app:sha-ABCDEF1@sha256:ab', 'abcdef1'],
    ['registry/app:git-0123abc', '0123abc'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/demo:v2@sha256:abababab', undefined],
    ['registry:5000/app@sha256:abababababab', undefined],
  ])('%s → %s', (image, sha) => expect(commitShaOfImage(image)).toBe(sha));
});

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/demo:0123456789abcdef0123456789abcdef01234567@sha256:' + 'ab'.repeat(32);
const base = { version: '1' as const, rolloutId: 'demo-1', service: 'demo', environment: 'production', image: IMAGE, at: '2026-11-22T10:30:00.000Z', durationSeconds: 1800 };
const succeeded: RolloutEnd = { detailType: 'Rollout Succeeded', detail: base };
const failed = (outcome: 'rolledBack' | 'aborted' | 'failed'): RolloutEnd => ({ detailType: 'Rollout Failed', detail: { ...base, outcome } });

function view(over: { id?: string; trigger?: RolloutView['trigger']; abort?: RolloutView['status']['abort']; audit?: { action: string; at: string; data?: Record<string, unknown> }[]; completedAt?: string; outcome?: 'succeeded'; lastTo?: string } = {}): RolloutView {
  return {
    rolloutId: over.id ?? 'demo-1',
    service: 'demo',
    environment: 'production',
    revision: { image: IMAGE, repository: 'demo', digest: 'sha256:ab' },
    stableRevision: null,
    spec: { strategy: 'canary', steps: [] } as never,
    status: {
      abort: over.abort ?? { requested: false },
      ...(over.completedAt ? { completedAt: over.completedAt } : {}),
      ...(over.outcome ? { outcome: over.outcome } : {}),
      ...(over.lastTo ? { lastMeasurement: { to: over.lastTo } } : {}),
    } as never,
    trigger: over.trigger ?? { kind: 'ecr-push', id: 'evt-1', actor: 'event:evt-1' },
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: base.at,
    version: 3,
    audit: (over.audit ?? []).map((a) => ({ actor: 'system', reason: '', ...a })),
  };
}
const weightSet = { action: 'weight.set', at: '2026-11-22T10:05:00.000Z', data: { to: 10 } };

describe('a rollout\'s end → DORA records (rolloutOutcome)', () => {
  it('Succeeded: a success, started at the rollout\'s creation, with the image tag\'s commit', () => {
    expect(rolloutOutcome(succeeded, view())).toEqual({
      records: [{ kind: 'deployment', service: 'demo', environment: 'production', deploymentId: 'demo-1', status: 'success', startedAt: '2026-11-22T10:00:00.000Z', finishedAt: base.at, commitShas: ['0123456789abcdef0123456789abcdef01234567'] }],
      deployment: { status: 'success', durationMinutes: 30, commitShas: ['0123456789abcdef0123456789abcdef01234567'], finishedAt: base.at },
    });
  });
  it('without the rollout (unreadable), from the event alone: started = at − duration', () => {
    expect(rolloutOutcome(succeeded, null).records[0]).toMatchObject({ startedAt: '2026-11-22T10:00:00.000Z', status: 'success' });
  });
  it('Failed rolledBack: rolled_back and an automatic rollback timed from the failing measurement to traffic restored', () => {
    const o = rolloutOutcome(failed('rolledBack'), view({ lastTo: '2026-11-22T10:20:00.000Z', audit: [weightSet, { action: 'rollout.rolledBack', at: '2026-11-22T10:21:30.000Z' }] }));
    expect(o.records[0]).toMatchObject({ status: 'rolled_back', deploymentId: 'demo-1' });
    expect(o.rollback).toEqual({ kind: 'auto', minutes: 1.5 });
  });
  it('Failed failed: a failure, no rollback', () => {
    const o = rolloutOutcome(failed('failed'), view());
    expect(o.records[0]).toMatchObject({ status: 'failure' });
    expect(o.rollback).toBeUndefined();
  });
  it('Failed aborted because a newer push superseded it: not a deployment, nothing recorded', () => {
    const o = rolloutOutcome(failed('aborted'), view({ abort: { requested: true, by: 'event:evt-2', reason: 'superseded by rollout demo-2 (…)' }, audit: [weightSet] }));
    expect(o).toEqual({ records: [], skipped: 'aborted: superseded by rollout demo-2 (…)' });
  });
  it('Failed aborted by a person after the canary took traffic: a failure and a manual rollback', () => {
    const o = rolloutOutcome(failed('aborted'), view({ abort: { requested: true, by: 'user:ana', at: '2026-11-22T10:10:00.000Z' }, audit: [weightSet, { action: 'rollout.aborted', at: '2026-11-22T10:11:00.000Z' }] }));
    expect(o.records[0]).toMatchObject({ status: 'failure' });
    expect(o.rollback).toEqual({ kind: 'manual', minutes: 1 });
  });
  it('Failed aborted by a person before any traffic reached the canary: nothing recorded', () => {
    expect(rolloutOutcome(failed('aborted'), view({ abort: { requested: true, by: 'user:ana' } }))).toEqual({ records: [], skipped: 'aborted before the canary took any traffic' });
  });
  it('a rollout of the rollback command: an unplanned success, and the rollout it undid re-recorded rolled_back at its own finish', () => {
    const rollback = view({ id: 'demo-rollback-abc', trigger: { kind: 'rollback', id: 'demo-0', actor: 'user:ana' } });
    const source = view({ id: 'demo-0', outcome: 'succeeded', completedAt: '2026-11-21T09:00:00.000Z' });
    const o = rolloutOutcome({ detailType: 'Rollout Succeeded', detail: { ...base, rolloutId: 'demo-rollback-abc', durationSeconds: 120 } }, rollback, source);
    expect(o.records).toEqual([
      expect.objectContaining({ deploymentId: 'demo-rollback-abc', status: 'success', unplanned: true }),
      expect.objectContaining({ deploymentId: 'demo-0', status: 'rolled_back', finishedAt: '2026-11-21T09:00:00.000Z', startedAt: '2026-11-22T10:00:00.000Z' }),
    ]);
    expect(o.rollback).toEqual({ kind: 'manual', minutes: 2 });
    for (const r of o.records) expect(() => parseDoraRecord(r)).not.toThrow();
  });
});

describe('deployment metrics', () => {
  it('a success: count, success, a zero failure (rates defined), duration, one lead time per known commit', () => {
    expect(deploymentPoints({ status: 'success', durationMinutes: 12, leadTimesHours: [3, 26] })).toEqual([
      { name: 'DeploymentCount', unit: 'Count', value: 1 },
      { name: 'SuccessfulDeployments', unit: 'Count', value: 1 },
      { name: 'FailedDeployments', unit: 'Count', value: 0 },
      { name: 'DeploymentDuration', unit: 'None', value: 12 },
      { name: 'LeadTime', unit: 'None', value: 3 },
      { name: 'LeadTime', unit: 'None', value: 26 },
    ]);
  });
  it('an automatic rollback: failed, rollback counts and time; no lead time for a failed deployment', () => {
    const names = deploymentPoints({ status: 'rolled_back', rollback: { kind: 'auto', minutes: 1.5 }, leadTimesHours: [3] }).map((p) => `${p.name}=${p.value}`);
    expect(names).toEqual(['DeploymentCount=1', 'FailedDeployments=1', 'SuccessfulDeployments=0', 'RollbackCount=1', 'AutoRollbackCount=1', 'RollbackTime=1.5']);
    expect(deploymentPoints({ status: 'rolled_back' }).map((p) => p.name)).toContain('RollbackCount');
    expect(deploymentPoints({ status: 'failure', rollback: { kind: 'manual' } }).map((p) => p.name)).toContain('ManualRollbackCount');
  });
  it('canary health: pass 100, inconclusive 50, fail 0, a metrics-source error publishes nothing', () => {
    expect(['pass', 'inconclusive', 'fail', 'error'].map((v) => canaryHealthPoints(v as never)[0]?.value)).toEqual([100, 50, 0, undefined]);
  });

  afterEach(() => vi.restoreAllMocks());
  it('EMF: one document per dimension set, [service, environment] and [environment], in Lumina/Deployments, no default service dimension', () => {
    const previous = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const lines: string[] = [];
    const m = new Metrics({ namespace: 'Lumina/Deployments', serviceName: 'lumina' });
    m.clearDefaultDimensions();
    vi.spyOn((m as unknown as { console: Console }).console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      publishDeploymentMetrics(m, { service: 'checkout', environment: 'production' }, deploymentPoints({ status: 'success', durationMinutes: 4 }));
    } finally {
      if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = previous;
    }
    const docs = lines.map((l) => JSON.parse(l));
    expect(docs.map((d) => d._aws.CloudWatchMetrics[0].Dimensions)).toEqual([[['service', 'environment']], [['environment']]]);
    expect(docs.map((d) => d._aws.CloudWatchMetrics[0].Namespace)).toEqual(['Lumina/Deployments', 'Lumina/Deployments']);
    expect(docs[0]).toMatchObject({ service: 'checkout', environment: 'production', DeploymentCount: 1, SuccessfulDeployments: 1, FailedDeployments: 0, DeploymentDuration: 4 });
    expect(docs[1].service).toBeUndefined();
  });
});

describe('recordEvent (the recorder core) against a recording store', () => {
  const store = () => {
    const records: unknown[] = [];
    return { records, record: async (r: unknown) => void records.push(r), commitTimes: async () => ({ '7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f': '2026-02-28T07:40:12.000Z' }) };
  };
  it('a CI deployment: its record stored, metrics with its duration and the lead time of the commit the store knows', async () => {
    const dora = store();
    const r = await recordEvent({ dora }, { kind: 'ci', event: parsedCi('deployment-finished') });
    expect(dora.records).toHaveLength(1);
    expect(r.metrics).toMatchObject({ service: 'checkout', environment: 'production' });
    expect(r.metrics!.points).toEqual(expect.arrayContaining([{ name: 'LeadTime', unit: 'None', value: 2 }, { name: 'DeploymentDuration', unit: 'None', value: 10.2 }]));
  });
  it('a superseded rollout: nothing stored, no metrics, the reason returned', async () => {
    const dora = store();
    const rollouts = { getRollout: async () => view({ abort: { requested: true, by: 'event:e2', reason: 'superseded by rollout x' } }) };
    const r = await recordEvent({ dora, rollouts }, { kind: 'rollout-end', event: failed('aborted') });
    expect(r).toEqual({ records: 0, skipped: 'aborted: superseded by rollout x' });
    expect(dora.records).toEqual([]);
  });
  it('canary progress events publish metrics only', async () => {
    const dora = store();
    const step = parseRecorderEvent(deliveryFixture('rollout-step-completed'));
    const r = await recordEvent({ dora }, step as never);
    expect(dora.records).toEqual([]);
    expect(r.metrics!.points[0]).toMatchObject({ name: 'CanaryTrafficPercentage', unit: 'Percent' });
  });
});
