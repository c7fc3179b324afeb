import { afterEach, describe, expect, it } from 'vitest';
import { phaseOf } from '../../core/delivery/phase.js';
import { prepare } from '../../core/delivery/tasks.js';
import { startFromPush } from '../../core/delivery/trigger.js';
import { ScriptedMetrics, healthy } from '../support/fakes.js';
import { ecrPush, harness, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function runPush(hh: Harness, tag = 'v2') {
  const started = await hh.push(ecrPush('demo', tag));
  if (started.status !== 'started') throw new Error(`push not started: ${JSON.stringify(started)}`);
  const execution = await hh.sfn.wait(started.rolloutId);
  const rollout = (await hh.repo.getRollout(started.rolloutId))!;
  return { rolloutId: started.rolloutId, execution, rollout };
}

describe('canary state machine through the local ASL runner, against dynalite', () => {
  it('promotes a healthy canary through 10 → 25 → 50 → 75 → 100 % with analysis at every stage', async () => {
    h = await harness();
    const { execution, rollout, rolloutId } = await runPush(h);

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ rolloutId, outcome: 'succeeded' });
    expect(h.router.calls.filter((c) => c.startsWith('weight'))).toEqual(['weight 0', 'weight 10', 'weight 25', 'weight 50', 'weight 75', 'weight 100']);
    expect(h.router.calls.at(-1)).toMatch(/^promote /);
    expect(rollout.status.outcome).toBe('succeeded');
    expect(phaseOf(rollout).phase).toBe('Healthy');
    const measurements = await h.repo.listMeasurements(rolloutId);
    // 60 s stages measured every 20 s: three passing measurements per stage, five stages.
    expect(measurements).toHaveLength(15);
    expect(new Set(measurements.map((m) => m.stage))).toEqual(new Set([10, 25, 50, 75, 100]));
    expect(measurements.every((m) => m.verdict === 'pass')).toBe(true);
    const service = await h.repo.getService('demo');
    expect(service?.stableRevision?.digest).toBe(rollout.revision.digest);
    expect(service?.activeRolloutId).toBeNull();
    expect(h.notifier.sent.map((n) => n.outcome)).toEqual(['succeeded']);
    expect(h.events.types()).toContain('Rollout Succeeded');
    expect(rollout.audit.map((a) => a.action)).toEqual([
      'rollout.created',
      'lock.acquired',
      'canary.deployed',
      ...Array.from({ length: 5 }, () => ['weight.set', 'step.completed']).flat(),
      'rollout.promoted',
      'rollout.finalized',
    ]);
  });

  it('rolls back when the 5xx rate breaches at 25 %, recording metric, value, threshold and stage', async () => {
    h = await harness({
      metrics: new ScriptedMetrics(({ call }) => (call <= 3 ? healthy() : { ...healthy(), errors5xx: 12 })),
    });
    const { execution, rollout } = await runPush(h);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toContain('RolloutNotPromoted');
    expect(rollout.status.outcome).toBe('rolledBack');
    expect(rollout.status.failure).toMatchObject({ metric: 'http5xxRate', value: 12, threshold: 1, stage: 25 });
    expect(h.router.calls.slice(-1)).toEqual(['rollback']);
    expect(h.router.weight).toBe(0);
    expect(phaseOf(rollout)).toMatchObject({ phase: 'RolledBack' });
    expect(phaseOf(rollout).message).toContain('5xx rate 12 % > 1 %');
    expect(h.notifier.sent).toHaveLength(1);
    expect(h.notifier.sent[0]!.message).toContain('Metric: http5xxRate = 12 (threshold 1)');
    expect(h.events.types()).toEqual(expect.arrayContaining(['Rollout Rolled Back', 'Rollout Failed']));
    expect((await h.repo.getService('demo'))?.activeRolloutId).toBeNull();
  });

  it('treats no data as inconclusive and rolls back at inconclusiveLimit, never promoting', async () => {
    h = await harness({ metrics: new ScriptedMetrics(() => ({ ...healthy(0), avgLatencyMs: null, p99LatencyMs: null })) });
    const { rollout } = await runPush(h);
    expect(rollout.status.outcome).toBe('rolledBack');
    expect(rollout.status.counters.inconclusive).toBe(4); // default inconclusiveLimit 3, the 4th ends it
    expect(rollout.status.failure?.reason).toContain('inconclusive');
    expect(h.router.calls).not.toContainEqual(expect.stringMatching(/^promote/));
  });

  it('counts metrics-source errors toward consecutiveErrorLimit, then rolls back', async () => {
    h = await harness({ metrics: new ScriptedMetrics(() => new Error('CloudWatch throttled')) });
    const { rollout, rolloutId } = await runPush(h);
    expect(rollout.status.outcome).toBe('rolledBack');
    expect(rollout.status.counters.consecutiveErrors).toBe(5);
    expect(rollout.status.failure?.reason).toContain('consecutiveErrorLimit 4');
    const measurements = await h.repo.listMeasurements(rolloutId);
    expect(measurements.every((m) => m.verdict === 'error' && m.error?.includes('CloudWatch throttled'))).toBe(true);
  });

  it('retries a failing task, then takes the rollback path and restores traffic, recording the error', async () => {
    h = await harness();
    h.router.failOn = { call: 'setCanaryWeight', times: 100 };
    const { rollout, execution } = await runPush(h);
    expect(execution.retries.filter((s) => s === 'Prepare')).toHaveLength(2); // first try + 2 retries, then Catch
    expect(rollout.status.outcome).toBe('rolledBack');
    expect(rollout.status.failure?.error?.name).toBe('InjectedRouterError');
    expect(h.router.calls.at(-1)).toBe('rollback');
    expect(rollout.audit.at(-2)?.reason).toContain('InjectedRouterError');
  });

  it('aborts an older rollout when a newer push arrives; the newer one waits for the lock, then runs', async () => {
    h = await harness({ retryMs: 5 });
    const first = await h.push(ecrPush('demo', 'v2'));
    expect(first.status).toBe('started');
    const second = await h.push(ecrPush('demo', 'v3'));
    expect(second).toMatchObject({ status: 'started' });
    if (first.status !== 'started' || second.status !== 'started') throw new Error('unreachable');
    expect(second.superseded).toEqual([first.rolloutId]);
    await h.sfn.wait(first.rolloutId);
    await h.sfn.wait(second.rolloutId);
    const older = (await h.repo.getRollout(first.rolloutId))!;
    const newer = (await h.repo.getRollout(second.rolloutId))!;
    expect(older.status.outcome).toBe('aborted');
    expect(older.status.abort.reason).toContain(second.rolloutId);
    expect(newer.status.outcome).toBe('succeeded');
    expect((await h.repo.getService('demo'))?.stableRevision?.tag).toBe('v3');
  });

  it('starts exactly one rollout when the same push is delivered three times, and ten times concurrently', async () => {
    h = await harness();
    const event = ecrPush('demo', 'v2');
    const results = [await h.push(event), await h.push(event), await h.push(event)];
    expect(results.map((r) => r.status)).toEqual(['started', 'duplicate', 'duplicate']);
    const other = ecrPush('demo', 'v4');
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => h!.push(other)));
    expect(concurrent.filter((r) => r.status === 'started')).toHaveLength(1);
    expect(h.sfn.list().map((e) => e.name).filter((n) => n.startsWith('demo-'))).toHaveLength(2);
  });

  it('ignores pushes for unknown repositories, failed pushes and malformed events', async () => {
    h = await harness();
    expect(await h.push(ecrPush('unknown-repo', 'v1'))).toMatchObject({ status: 'ignored', reason: expect.stringContaining('no service') });
    const failed = ecrPush('demo', 'v1');
    failed.detail.result = 'FAILURE';
    expect(await h.push(failed)).toMatchObject({ status: 'ignored' });
    expect(await h.push({ source: 'aws.ecr', detail: 'nope' })).toMatchObject({ status: 'ignored', reason: expect.stringContaining('not a valid ECR Image Action event') });
    expect(h.sfn.list()).toHaveLength(0);
  });

  it('reads the stable revision again under the lock, so a rollout created before the previous promotion restores the right one', async () => {
    h = await harness();
    const rev = (tag: string) => ({ repository: 'demo', tag, digest: `sha256:${tag.padEnd(64, '0')}`, image: `demo:${tag}` });
    await h.repo.seedStableRevision('demo', rev('a1'));
    const noStart = { start: async () => ({ alreadyStarted: false }) };
    const created = await startFromPush({ repo: h.repo, events: h.events, clock: h.clock, executions: noStart }, ecrPush('demo', 'v9'));
    if (created.status !== 'started') throw new Error('not started');
    expect((await h.repo.getRollout(created.rolloutId))!.stableRevision?.tag).toBe('a1');
    // Meanwhile the previous rollout promotes b2 and releases the lock.
    await h.repo.acquireLock('demo', 'previous');
    await h.repo.releaseLock('demo', 'previous', rev('b2'));

    await prepare(h.deps, { rolloutId: created.rolloutId });
    const r = (await h.repo.getRollout(created.rolloutId))!;
    expect(r.stableRevision?.tag).toBe('b2');
    expect(r.audit.find((a) => a.action === 'lock.acquired')?.reason).toContain('stable is demo:b2');
  });
});
