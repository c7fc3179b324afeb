import { afterEach, describe, expect, it } from 'vitest';
import type { Measurement } from '../../core/delivery/analysis.js';
import { phaseOf } from '../../core/delivery/phase.js';
import type { CanaryOptions } from '../../core/delivery/spec.js';
import type { JudgeConfigInput } from '../../core/judge/index.js';
import { ScriptedMetrics, healthy, type PointScript } from '../support/fakes.js';
import { ecrPush, harness, type Harness } from '../support/harness.js';
import { mulberry32 } from '../support/prng.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const JUDGE: JudgeConfigInput = {
  metrics: [
    { name: 'latencyAvg', label: 'average latency', allowedIncreasePct: 10, critical: true, group: 'latency' },
    { name: 'latencyP99', label: 'p99 latency', allowedIncreasePct: 20, group: 'latency' },
    { name: 'http5xxRate', label: '5xx rate', allowedIncreasePct: 0, tolerance: 0.5, group: 'errors' },
  ],
  groups: [
    { name: 'latency', weight: 60 },
    { name: 'errors', weight: 40 },
  ],
};

/** Absolute checks a 30 % slower canary (p99 104 ms, no errors) passes easily. */
type AnalysisOptions = Partial<NonNullable<CanaryOptions['analysis']>>;
const canaryOptions = (analysis: AnalysisOptions): CanaryOptions => ({
  stages: [10, 25, 50, 75, 100],
  stageSeconds: 60,
  analysis: { intervalSeconds: 20, metrics: [{ metric: 'http5xxRate', max: 1 }, { metric: 'latencyP99', max: 500 }], ...analysis },
});

/** Average latency per role; every second of traffic reads the same in every window (noise seeded by the second). */
function metrics(avgMs: { canary: number; stable: number }) {
  const points: PointScript = ({ role, at }) => {
    const k = 1 + 0.04 * (mulberry32((at.getTime() / 1000) ^ (role === 'canary' ? 0x5bd1e995 : 0))() - 0.5);
    return { requests: role === 'canary' ? 12 : 108, errors5xx: 0, avgLatencyMs: avgMs[role] * k, p99LatencyMs: 4 * avgMs[role] * k };
  };
  return new ScriptedMetrics(({ role }) => ({ ...healthy(), avgLatencyMs: avgMs[role], p99LatencyMs: 4 * avgMs[role] }), points);
}

async function run(analysis: AnalysisOptions, avgMs: { canary: number; stable: number }) {
  h = await harness({ metrics: metrics(avgMs), service: { canary: canaryOptions(analysis) } });
  await h.repo.seedStableRevision('demo', { repository: 'demo', tag: 'v1', digest: `sha256:${'1'.repeat(64)}`, image: 'demo:v1' });
  const started = await h.push(ecrPush('demo', 'v2'));
  if (started.status !== 'started') throw new Error(`push not started: ${JSON.stringify(started)}`);
  await h.sfn.wait(started.rolloutId);
  const rollout = (await h.repo.getRollout(started.rolloutId))!;
  return { rollout, measurements: await h.repo.listMeasurements(started.rolloutId) };
}

const judged = (ms: Measurement[]) => ms.filter((m) => m.judgement?.applicable);

describe('baseline-versus-canary judgement through the canary ASL, against dynalite', () => {
  const slower = { canary: 26, stable: 20 };

  it('rolls back a canary 30 % slower than its baseline, with no errors and under every absolute threshold', async () => {
    const { rollout, measurements } = await run({ judge: JUDGE }, slower);

    expect(rollout.status.outcome).toBe('rolledBack');
    expect(phaseOf(rollout).phase).toBe('RolledBack');
    expect(measurements).toHaveLength(1);
    const [m] = measurements;
    expect(m!.results.map((r) => r.verdict)).toEqual(['pass', 'pass']);
    expect(m!.judgement).toMatchObject({ mode: 'both', decisive: true, score: 0, criticalFailures: ['latencyAvg'], window: { canaryPeriods: 20, baselinePeriods: 20 } });
    const latency = m!.judgement!.metrics.find((x) => x.metric === 'latencyAvg')!;
    expect(latency).toMatchObject({ outcome: 'high', critical: true });
    expect(latency.changePct).toBeGreaterThan(27);
    expect(latency.changePct).toBeLessThan(33);
    expect(rollout.status.failure).toMatchObject({ metric: 'judge', value: 0, stage: 10 });
    expect(rollout.status.failure!.reason).toBe(`${latency.explanation} at 10 %`);
    expect(h!.router.calls.at(-1)).toBe('rollback');
    expect(h!.notifier.sent[0]!.message).toContain('average latency rose');
  });

  it.each<[string, AnalysisOptions]>([
    ['thresholds only (no judge)', {}],
    ['the judge in shadow (judgeMode threshold)', { judge: JUDGE, judgeMode: 'threshold' }],
  ])('promotes the same canary with %s', async (_name, analysis) => {
    const { rollout, measurements } = await run(analysis, slower);

    expect(rollout.status.outcome).toBe('succeeded');
    expect(measurements).toHaveLength(15);
    expect(measurements.every((m) => m.verdict === 'pass')).toBe(true);
    if (!('judge' in analysis)) return expect(measurements.some((m) => m.judgement)).toBe(false);
    // The shadow judge saw the regression every time, and was not asked.
    expect(judged(measurements)).toHaveLength(12);
    expect(judged(measurements).every((m) => m.judgement!.verdict === 'fail' && !m.judgement!.counts)).toBe(true);
  });

  it('promotes a canary identical to its baseline: each stage ends on a passing final judgement', async () => {
    const { rollout, measurements } = await run({ judge: JUDGE }, { canary: 20, stable: 20 });

    expect(rollout.status.outcome).toBe('succeeded');
    expect(measurements).toHaveLength(15);
    expect(measurements.every((m) => m.verdict === 'pass')).toBe(true);
    const finals = judged(measurements).filter((m) => m.judgement!.final);
    expect(finals.map((m) => m.stage)).toEqual([10, 25, 50, 75]);
    expect(finals.every((m) => m.judgement!.score === 100 && m.judgement!.window!.canaryPeriods === 60)).toBe(true);
    // At 100 % the stable serves nothing: no baseline, the checks decide.
    expect(measurements.filter((m) => m.stage === 100).map((m) => m.judgement!.verdict)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(rollout.audit.filter((a) => a.action === 'step.completed')).toHaveLength(5);
  });

  it('never passes without samples: no baseline traffic is inconclusive until inconclusiveLimit rolls back', async () => {
    h = await harness({
      metrics: new ScriptedMetrics(
        () => healthy(),
        ({ role }) => (role === 'stable' ? { requests: 0, errors5xx: 0, avgLatencyMs: null, p99LatencyMs: null } : { requests: 10, errors5xx: 0, avgLatencyMs: 20, p99LatencyMs: 80 }),
      ),
      service: { canary: canaryOptions({ judge: JUDGE, inconclusiveLimit: 2 }) },
    });
    await h.repo.seedStableRevision('demo', { repository: 'demo', tag: 'v1', digest: `sha256:${'1'.repeat(64)}`, image: 'demo:v1' });
    const started = await h.push(ecrPush('demo', 'v2'));
    if (started.status !== 'started') throw new Error('not started');
    await h.sfn.wait(started.rolloutId);
    const rollout = (await h.repo.getRollout(started.rolloutId))!;

    expect(rollout.status.outcome).toBe('rolledBack');
    expect(rollout.status.counters).toMatchObject({ inconclusive: 3, passed: 0 });
    expect(rollout.status.failure!.reason).toMatch(/^3 inconclusive measurement\(s\) \(inconclusiveLimit 2\): score 0 — FAIL .*: no metric had enough data to be judged$/);
    expect(h.router.calls).not.toContainEqual(expect.stringMatching(/^promote/));
  });
});
