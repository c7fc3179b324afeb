import { describe, expect, it } from 'vitest';
import { renderRollout } from '../../cli/render.js';
import { finished as ended, push as pushTo, useRuntime } from '../support/runtime.js';

/** The stable v1 answers in 20 ms ± 20 %; the pushed image in 26 ms ± 20 %: 30 % slower, far under p99 ≤ 800 ms. */
const STABLE_LATENCY_MS = 20;
const runtime = useRuntime({ config: new URL('../fixtures/config/local-judge.config.json', import.meta.url).pathname, stableLatencyMs: STABLE_LATENCY_MS });
const push = (...args: string[]) => pushTo(runtime(), 'demo', ...args);
const finished = (digest: string) => ended(runtime(), 'demo', digest, 30_000);

describe('local runtime end to end: the judge catches a slower canary that every absolute threshold lets through', () => {
  it('rolls back an image 30 % slower than stable, explaining the latency rise', async () => {
    const { digest } = await push('--tag', 'v2-slow', '--latency-ms', String(Math.round(STABLE_LATENCY_MS * 1.3)));
    const r = await finished(digest);

    expect(r.phase).toBe('RolledBack');
    expect(r.failure).toMatchObject({ metric: 'judge', value: 0, stage: 25 });
    expect(r.failure.reason).toMatch(/^average latency rose \d+ % \(95 % CI .+\) over baseline; allowed 10 %: HIGH — critical at 25 %$/);
    // What decided: the judgement stored with the measurement, as the API returns it.
    const failing = r.measurements.at(-1);
    expect(failing.verdict).toBe('fail');
    expect(failing.results.map((x: { verdict: string }) => x.verdict)).toEqual(['pass', 'pass', 'pass']);
    expect(failing.judgement).toMatchObject({ mode: 'both', counts: true, decisive: true, criticalFailures: ['latencyAvg'] });
    expect(failing.judgement.window.canaryPeriods).toBeGreaterThanOrEqual(5);
    const latency = failing.judgement.metrics.find((m: { metric: string }) => m.metric === 'latencyAvg');
    expect(latency.changePct).toBeGreaterThan(15);
    expect(r.failure.reason).toContain(latency.explanation);
    // Earlier measurements of the step waited for samples (inconclusive), none passed on no data.
    expect(r.measurements.slice(0, -1).every((m: { verdict: string }) => m.verdict !== 'fail')).toBe(true);
    expect(r.weights).toEqual({ stable: 100, canary: 0 });
    expect(runtime().topic.sent.at(-1)).toMatchObject({ outcome: 'rolledBack', rolloutId: r.rolloutId });

    const text = renderRollout(r);
    expect(text).toContain('judge     score 0 — FAIL');
    expect(text).toContain(`✖ ${latency.explanation}`);
  });
});
