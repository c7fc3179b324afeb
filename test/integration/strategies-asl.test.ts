import { afterEach, describe, expect, it } from 'vitest';
import { runCommand, type Command } from '../../core/delivery/control.js';
import { phaseOf } from '../../core/delivery/phase.js';
import type { RolloutView } from '../../core/delivery/ports.js';
import { initialStatus } from '../../core/delivery/engine.js';
import type { RolloutSpec } from '../../core/delivery/spec.js';
import { specFor, withApproval, type StrategyInput } from '../../core/delivery/strategies.js';
import { ScriptedMetrics, healthy } from '../support/fakes.js';
import { ecrPush, harness, type Harness } from '../support/harness.js';
import { until } from '../support/wait.js';

/**
 * Every strategy and gate through the real ASL (aws-local-stepfunctions) against dynalite; the gate
 * waits on a task token exactly as `.waitForTaskToken` does, and commands wake it.
 */

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const analysis = { intervalSeconds: 20, metrics: [{ metric: 'http5xxRate' as const, max: 1 }] };

async function start(hh: Harness, tag = 'v2') {
  const started = await hh.push(ecrPush('demo', tag));
  if (started.status !== 'started') throw new Error(`push not started: ${JSON.stringify(started)}`);
  return started.rolloutId;
}

async function finish(hh: Harness, rolloutId: string) {
  const execution = await hh.sfn.wait(rolloutId);
  return { execution, rollout: (await hh.repo.getRollout(rolloutId))! };
}

const load = (hh: Harness) => async (id: string) => (await hh.repo.getRollout(id)) as RolloutView;
const command = (hh: Harness, id: string, c: Command, reason = '') =>
  runCommand({ repo: hh.repo, clock: hh.clock, control: hh.tokens }, id, c, 'user:ana@example.com', reason, load(hh));

/** Resolves once the execution waits at a gate (its token stored on the rollout). */
const waitingAt = (hh: Harness, id: string, stepIndex?: number) =>
  until(`rollout ${id} waiting at a gate`, async () => {
    const r = await hh.repo.getRollout(id);
    return r?.status.waiting && (stepIndex === undefined || r.status.waiting.stepIndex === stepIndex) ? r : undefined;
  }, 10_000, 20);

const withStrategy = (strategy: StrategyInput) => harness({ service: { strategy: strategy as never } });

/** The spec the service's strategy gives, behind an approval step (what progressive delivery does for a gated environment). */
const gated = (timeoutSeconds: number, onTimeout: 'reject' | 'continue') => (spec: RolloutSpec) => withApproval(spec, { gate: 'approve-production', timeoutSeconds, onTimeout });

/** Starts a rollout from a push, with its spec changed by `edit` before the execution starts. */
async function startWith(hh: Harness, edit: (spec: RolloutSpec) => RolloutSpec) {
  const svc = (await hh.repo.getService('demo'))!;
  const id = `demo-gated-${Math.random().toString(36).slice(2, 8)}`;
  const now = hh.clock.now().toISOString();
  const rev = { repository: 'demo', digest: `sha256:${'b'.repeat(64)}`, image: `demo:v2@sha256:${'b'.repeat(64)}`, tag: 'v2' };
  await hh.repo.createRollout(
    {
      rolloutId: id,
      service: 'demo',
      environment: 'production',
      revision: rev,
      stableRevision: svc.stableRevision,
      spec: edit(specFor(svc.config.strategy!)),
      status: initialStatus(),
      trigger: { kind: 'api', id, actor: 'user:ci' },
      createdAt: now,
      updatedAt: now,
      version: 0,
    },
    [{ at: now, actor: 'user:ci', action: 'rollout.created', reason: 'test' }],
  );
  await hh.sfn.start(id, { rolloutId: id });
  return id;
}

describe('blue/green through the state machine', () => {
  const blueGreen: StrategyInput = { kind: 'blueGreen', testTraffic: true, prePromotionSeconds: 40, bakeSeconds: 40, scaleDownDelaySeconds: 60, analysis };

  it('opens the test route, analyses green, closes it, switches 100 % at once, bakes, keeps blue for the delay, then promotes', async () => {
    h = await withStrategy(blueGreen);
    const { execution, rollout } = await finish(h, await start(h));

    expect(execution.status).toBe('SUCCEEDED');
    expect(h.router.calls.map((c) => c.replace(/^(deploy|promote) .*:v2@sha256:.*$/, '$1 v2'))).toEqual([
      'deploy v2',
      'weight 0',
      'weight 0',
      'testRoute open',
      'testRoute closed',
      'weight 100',
      'promote v2',
    ]);
    const stages = (await h.repo.listMeasurements(rollout.rolloutId)).map((m) => m.stage);
    expect(stages).toEqual([0, 0, 100, 100]); // pre-promotion on test traffic, then the bake at 100 %
    expect(rollout.audit.map((a) => a.action)).toContain('testRoute.opened');
    expect(rollout.audit.filter((a) => a.action === 'step.completed').map((a) => a.reason)).toContain('waited 60 s');
  });

  it('points traffic back at blue at once when the bake analysis fails', async () => {
    h = await harness({
      service: { strategy: blueGreen as never },
      metrics: new ScriptedMetrics(({ call }) => (call <= 2 ? healthy() : { ...healthy(), errors5xx: 30 })),
    });
    const { execution, rollout } = await finish(h, await start(h));

    expect(execution.status).toBe('FAILED');
    expect(rollout.status.outcome).toBe('rolledBack');
    expect(rollout.status.failure?.stage).toBe(100);
    expect(h.router.calls.at(-1)).toBe('rollback');
    expect(h.router.weight).toBe(0);
    expect(h.router.testRoute).toBe(false);
  });
});

describe('rolling through the state machine', () => {
  it('replaces 5 instances in batches of 2 with a health check after each batch', async () => {
    h = await withStrategy({ kind: 'rolling', instances: 5, maxSurge: 1, maxUnavailable: 1, healthCheckSeconds: 20, analysis });
    const { execution, rollout } = await finish(h, await start(h));

    expect(execution.status).toBe('SUCCEEDED');
    expect(h.router.calls.filter((c) => c.startsWith('weight'))).toEqual(['weight 0', 'weight 40', 'weight 80', 'weight 100']);
    expect(rollout.spec.steps.filter((s) => s.kind === 'setWeight').map((s) => (s.kind === 'setWeight' ? s.replicas : null))).toEqual([
      { canary: 2, stable: 3 },
      { canary: 4, stable: 1 },
      { canary: 5, stable: 0 },
    ]);
  });

  it('stops and restores the old version when a batch fails its health check', async () => {
    h = await harness({
      service: { strategy: { kind: 'rolling', instances: 4, maxSurge: 1, healthCheckSeconds: 20, analysis } as never },
      metrics: new ScriptedMetrics(({ call }) => (call === 2 ? { ...healthy(), errors5xx: 50 } : healthy())),
    });
    const { rollout } = await finish(h, await start(h));

    expect(rollout.status.outcome).toBe('rolledBack');
    expect(rollout.status.failure?.stage).toBe(50);
    expect(h.router.calls.filter((c) => c.startsWith('weight'))).toEqual(['weight 0', 'weight 25', 'weight 50']);
    expect(h.router.calls.at(-1)).toBe('rollback');
  });
});

describe('manual gates: pause steps, approvals and commands', () => {
  it('canary with autoPromote off waits after each stage until someone promotes', async () => {
    h = await withStrategy({ kind: 'canary', stages: [50, 100], stageSeconds: 20, autoPromote: false, analysis });
    const id = await start(h);
    const waiting = await waitingAt(h, id, 2);
    expect(phaseOf(waiting).phase).toBe('Paused');
    expect(h.router.weight).toBe(50);

    const r = await command(h, id, 'promote', 'looks good');
    expect(r.message).toContain('promoted');
    const { execution, rollout } = await finish(h, id);
    expect(execution.status).toBe('SUCCEEDED');
    expect(rollout.audit.find((a) => a.action === 'step.promoted')).toMatchObject({ actor: 'user:ana@example.com', reason: expect.stringContaining('looks good') });
  });

  it('an approval gate continues when approved and records who approved', async () => {
    h = await withStrategy({ kind: 'canary', stages: [100], stageSeconds: 20, analysis });
    const id = await startWith(h, gated(3600, 'reject'));
    const waiting = await waitingAt(h, id, 0);
    expect(phaseOf(waiting).message).toContain('waiting for approval at gate "approve-production"');
    expect(h.router.calls.filter((c) => c.startsWith('weight'))).toEqual(['weight 0']); // no traffic before approval
    await expect(command(h, id, 'promote')).rejects.toThrow(/approval gate "approve-production": approve or reject it/);
    await command(h, id, 'approve', 'change ticket CHG-42');
    const { execution, rollout } = await finish(h, id);
    expect(execution.status).toBe('SUCCEEDED');
    expect(rollout.audit.find((a) => a.action === 'approval.approved')).toMatchObject({ actor: 'user:ana@example.com', reason: 'gate "approve-production" approved: change ticket CHG-42' });
  });

  it('a rejected approval rolls back without ever shifting traffic', async () => {
    h = await withStrategy({ kind: 'canary', stages: [100], stageSeconds: 20, analysis });
    const id = await startWith(h, gated(3600, 'reject'));
    await waitingAt(h, id, 0);
    await command(h, id, 'reject', 'freeze week');
    const { rollout } = await finish(h, id);
    expect(rollout.status.outcome).toBe('rolledBack');
    expect(rollout.status.failure?.reason).toBe('gate "approve-production" rejected by user:ana@example.com: freeze week');
    expect(h.router.calls.filter((c) => c.startsWith('weight'))).toEqual(['weight 0']);
  });

  it.each([
    ['reject', 'rolledBack'],
    ['continue', 'succeeded'],
  ] as const)('an approval that times out with onTimeout %s ends %s', async (onTimeout, outcome) => {
    h = await withStrategy({ kind: 'canary', stages: [100], stageSeconds: 20, analysis });
    const id = await startWith(h, gated(1, onTimeout));
    const { rollout } = await finish(h, id);
    expect(rollout.status.outcome).toBe(outcome);
    expect(rollout.audit.find((a) => a.action === 'approval.timedOut')?.reason).toContain(`onTimeout is ${onTimeout}`);
    // The token of the timed-out wait is gone: a late approval gets a 409, not a crash.
    await expect(command(h, id, 'approve')).rejects.toThrow(/the rollout has ended/);
  });

  it('pause then resume mid-analysis; abort while waiting rolls back at once', async () => {
    h = await withStrategy({ kind: 'canary', stages: [50, 100], stageSeconds: 200, analysis });
    const id = await start(h);
    await until('analysing at 50 %', async () => ((await h!.repo.getRollout(id))?.status.canaryWeight === 50 ? true : undefined), 10_000, 10);
    await command(h, id, 'pause', 'investigating a dashboard');
    const paused = await waitingAt(h, id);
    expect(paused.status.waiting?.kind).toBe('paused');
    await expect(command(h, id, 'pause')).rejects.toThrow(/already paused by user:ana@example.com/);
    await command(h, id, 'resume');
    await until('resumed', async () => ((await h!.repo.getRollout(id))?.status.waiting ? undefined : true), 10_000, 10);
    await command(h, id, 'pause');
    await waitingAt(h, id);
    await command(h, id, 'abort', 'bad idea');
    const { rollout } = await finish(h, id);
    expect(rollout.status.outcome).toBe('aborted');
    expect(phaseOf(rollout).message).toContain('bad idea');
    expect(h.router.weight).toBe(0);
    const actions = rollout.audit.map((a) => a.action);
    expect(actions.filter((a) => a === 'rollout.paused')).toHaveLength(2);
    expect(actions).toContain('rollout.resumed');
  });

  it('promote --full skips the remaining steps', async () => {
    h = await withStrategy({ kind: 'canary', stages: [10, 50, 100], stageSeconds: 200, analysis });
    const id = await start(h);
    await until('analysing at 10 %', async () => ((await h!.repo.getRollout(id))?.status.canaryWeight === 10 ? true : undefined), 10_000, 10);
    await command(h, id, 'promote-full', 'hotfix');
    const { execution, rollout } = await finish(h, id);
    expect(execution.status).toBe('SUCCEEDED');
    expect(h.router.calls.filter((c) => c.startsWith('weight'))).toEqual(['weight 0', 'weight 10']);
    expect(rollout.audit.map((a) => a.action)).toContain('rollout.promoteFull');
  });
});

describe('a newer push while the older rollout waits at a gate', () => {
  it('wakes the older one, which rolls back at once and frees the service for the newer one', async () => {
    h = await harness({ service: { strategy: { kind: 'canary', stages: [100], stageSeconds: 20, analysis }, approval: { required: true, timeoutSeconds: 3600, onTimeout: 'reject' } } as never });
    const older = await start(h, 'v2');
    await waitingAt(h, older, 0);
    const started = await h.push(ecrPush('demo', 'v3'));
    expect(started).toMatchObject({ status: 'started', superseded: [older] });
    const { rollout } = await finish(h, older); // resolves only because the gate was woken (its timeout is an hour)
    expect(rollout.status.outcome).toBe('aborted');
    expect(rollout.status.abort.reason).toMatch(/^superseded by rollout /);
    if (started.status !== 'started') throw new Error('not started');
    await waitingAt(h, started.rolloutId, 0); // the newer one got the lock and waits at its own gate
  });
});

describe('the pre-deployment security gate', () => {
  const scan = (CRITICAL: number, HIGH = 0) => ({
    findings: async () => ({ status: 'COMPLETE' as const, CRITICAL, HIGH, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0, findings: CRITICAL ? [{ name: 'CVE-2026-0001', severity: 'CRITICAL' as const }] : [] }),
  });

  it('blocks an image with a CRITICAL finding before any traffic moves, with the findings in the record', async () => {
    h = await harness({ service: { security: { maxCritical: 0 } } as never, scans: scan(1) });
    const { execution, rollout } = await finish(h, await start(h));
    expect(execution.status).toBe('FAILED');
    expect(rollout.status.failure?.reason).toMatch(/^security gate blocked: .*CRITICAL/);
    expect(h.router.calls.some((c) => c.startsWith('deploy'))).toBe(false);
    const blocked = rollout.audit.find((a) => a.action === 'security.blocked');
    expect(blocked?.data).toMatchObject({ verdict: 'block', counts: { CRITICAL: 1 }, findings: [{ name: 'CVE-2026-0001' }] });
  });

  it('passes a clean image and records the verdict once', async () => {
    h = await harness({ service: { security: { maxCritical: 0, maxHigh: 5 } } as never, scans: scan(0, 2) });
    const { execution, rollout } = await finish(h, await start(h));
    expect(execution.status).toBe('SUCCEEDED');
    expect(rollout.audit.filter((a) => a.action.startsWith('security.')).map((a) => a.action)).toEqual(['security.passed']);
  });

  it('a missing scan follows onMissing: block stops the rollout, warn lets it through with a warning', async () => {
    h = await harness({ service: { security: { onMissing: 'block' } } as never, scans: { findings: async () => null } });
    expect((await finish(h, await start(h))).rollout.status.failure?.reason).toContain('security gate blocked');
    await h.close();
    h = await harness({ service: { security: { onMissing: 'warn' } } as never });
    const { rollout } = await finish(h, await start(h));
    expect(rollout.status.outcome).toBe('succeeded');
    expect(rollout.audit.map((a) => a.action)).toContain('security.warning');
  });
});
