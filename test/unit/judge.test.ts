import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judge, type JudgeConfigInput, type Judgement, type MetricVerdict } from '../../core/judge/index.js';
import { bernoulli, latencies, mulberry32, normals } from '../fixtures/judge/generate.js';

const metricOf = (j: Judgement, name: string): MetricVerdict => j.metrics.find((m) => m.metric === name)!;
const one = (metric: Record<string, unknown>, canary: unknown[], baseline: unknown[]) =>
  metricOf(judge({ metrics: [{ name: 'm', ...metric }] }, { m: { canary: canary as number[], baseline: baseline as number[] } }), 'm');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Deep check: only what JSON and DynamoDB store unchanged — no undefined, NaN or ±Infinity anywhere. */
function expectJsonSafe(value: unknown, path = '$'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
    return;
  }
  expect(typeof value, path).toBe('object');
  for (const [k, v] of Object.entries(value as object)) expectJsonSafe(v, `${path}.${k}`);
}

describe('judge — one metric', () => {
  it('passes identical samples: U at its null mean, p = 1, zero shift', () => {
    const base = latencies(mulberry32(1), 200, 100);
    const m = one({}, base, base);
    expect(m).toMatchObject({ outcome: 'pass', reason: 'not-significant' });
    expect(m.test).toMatchObject({ u: 20_000, pTwoSided: 1 });
    expect(m.shift).toMatchObject({ estimate: 0, estimatePct: 0 });
    expect(m.effect).toMatchObject({ ratio: 1, changePct: 0 });
  });

  it('judges a 30 % p99 latency increase HIGH when 20 % is allowed', () => {
    const rand = mulberry32(30);
    const m = one({ label: 'p99 latency', allowedIncreasePct: 20, effectMeasure: 'median' }, latencies(rand, 300, 130, 0.1), latencies(rand, 300, 100, 0.1));
    expect(m).toMatchObject({ outcome: 'high', reason: 'exceeds-allowance' });
    expect(m.effect!.changePct!).toBeGreaterThan(25);
    expect(m.effect!.changePct!).toBeLessThan(35);
    expect(m.shift!.lowerPct!).toBeGreaterThan(0);
  });

  it('passes a significant 10 % increase when 20 % is allowed, saying it is within the allowance', () => {
    const rand = mulberry32(10);
    const m = one({ allowedIncreasePct: 20, effectMeasure: 'median' }, latencies(rand, 300, 110, 0.1), latencies(rand, 300, 100, 0.1));
    expect(m).toMatchObject({ outcome: 'pass', reason: 'within-allowance' });
    expect(m.shift!.lower!).toBeGreaterThan(0); // detected …
    expect(m.effect!.changePct!).toBeLessThan(20); // … but allowed
  });

  it('detects a shift at the configured confidence: significant at 95 %, not at 99 % (exact, hand-derived limits)', () => {
    // baseline 1…20, canary 5.5…24.5 (= baseline + 4.5, no ties). The differences are 4.5 + t, t = −19 … 19, each
    // 20 − |t| times, so the k-th smallest is 4.5 + t with k ≤ (t+20)(t+21)/2. Exact critical U (two-tailed, 20×20):
    // 127 at 5 % → K = 128 → t = −4 → lower limit 0.5; 105 at 1 % → K = 106 → t = −5 → lower limit −0.5.
    const baseline = range(1, 20);
    const canary = baseline.map((v) => v + 4.5);
    const at95 = one({ allowedIncreasePct: 0 }, canary, baseline);
    const at99 = one({ allowedIncreasePct: 0, confidence: 0.99 }, canary, baseline);
    expect(at95.shift).toMatchObject({ estimate: 4.5, lower: 0.5, upper: 8.5, method: 'exact' });
    expect(at99.shift).toMatchObject({ estimate: 4.5, lower: -0.5, upper: 9.5, method: 'exact' });
    expect(at95.outcome).toBe('high');
    expect(at99).toMatchObject({ outcome: 'pass', reason: 'not-significant' });
    // the test and the interval agree: 0.01 < p < 0.05
    expect(at95.test!.pTwoSided).toBeLessThan(0.05);
    expect(at95.test!.pTwoSided).toBeGreaterThan(0.01);
  });

  it('judges a 30 % throughput drop LOW for a metric where a decrease is bad, and a rise as harmless', () => {
    const rand = mulberry32(7);
    const base = normals(rand, 120, 500, 30);
    expect(one({ direction: 'decrease', allowedDecreasePct: 10 }, normals(rand, 120, 350, 30), base)).toMatchObject({ outcome: 'low', reason: 'exceeds-allowance' });
    expect(one({ direction: 'decrease', allowedDecreasePct: 10 }, normals(rand, 120, 700, 30), base)).toMatchObject({ outcome: 'pass', reason: 'harmless-direction' });
  });

  it('flags both a rise and a drop for direction "either", and neither for an increase-only metric that fell', () => {
    const rand = mulberry32(8);
    const base = normals(rand, 100, 50, 5);
    const up = normals(rand, 100, 80, 5);
    const down = normals(rand, 100, 20, 5);
    expect(one({ direction: 'either' }, up, base).outcome).toBe('high');
    expect(one({ direction: 'either' }, down, base).outcome).toBe('low');
    expect(one({ direction: 'increase' }, down, base)).toMatchObject({ outcome: 'pass', reason: 'harmless-direction' });
  });

  it('passes constant series that are identical on both sides, with no division by zero anywhere', () => {
    const m = one({}, new Array(50).fill(42), new Array(60).fill(42));
    expect(m).toMatchObject({ outcome: 'pass', reason: 'not-significant' });
    expect(m.test).toMatchObject({ pTwoSided: 1, z: 0, ties: true });
    expect(m.shift).toMatchObject({ estimate: 0, lower: 0, upper: 0 });
    expectJsonSafe(m);
  });

  it('judges constant series at different levels by their difference: 2 vs 1 is a 100 % rise', () => {
    const m = one({}, new Array(30).fill(2), new Array(30).fill(1));
    expect(m).toMatchObject({ outcome: 'high', shift: { estimate: 1, lower: 1, upper: 1 }, effect: { changePct: 100, ratio: 2 } });
  });

  it('handles a baseline whose mean is 0: no ratio, the test and the tolerance band decide', () => {
    const rand = mulberry32(12);
    const zeros = new Array(200).fill(0);
    const errors = bernoulli(rand, 200, 0.3);
    const strict = one({ label: '5xx count' }, errors, zeros);
    expect(strict).toMatchObject({ outcome: 'high', effect: { baseline: 0, ratio: null, changePct: null }, shift: { estimatePct: null } });
    // mostly-zero counts: the Hodges–Lehmann interval collapses to [0, 0]; the tie-corrected rank test decides
    expect(strict.shift).toMatchObject({ lower: 0, upper: 0 });
    expect(strict.test!.pGreater).toBeLessThan(1e-6);
    expect(strict.explanation).toBe(`5xx count rose from 0 on baseline to ${strict.effect!.canary} (shift 95 % CI 0 to 0, one-sided rank test p < 0.001); allowed 10 %: HIGH`);
    // both sides 0: unchanged
    expect(one({}, zeros, zeros)).toMatchObject({ outcome: 'pass', effect: { ratio: 1, changePct: 0 } });
    // canary all 1: shift CI [1, 1] is not beyond a tolerance of ±1
    expect(one({ tolerance: 1 }, new Array(50).fill(1), zeros.slice(0, 50))).toMatchObject({ outcome: 'pass', reason: 'within-tolerance' });
  });

  it('ignores shifts inside the tolerance band (in the metric unit) and flags those beyond it', () => {
    const rand = mulberry32(15);
    const base = normals(rand, 200, 100, 5);
    // +2 is clearly significant with 200 values per side, but inside ±5
    expect(one({ tolerance: 5, allowedIncreasePct: 0 }, normals(rand, 200, 102, 5), base)).toMatchObject({ outcome: 'pass', reason: 'within-tolerance' });
    expect(one({ tolerance: 5, allowedIncreasePct: 0 }, normals(rand, 200, 112, 5), base)).toMatchObject({ outcome: 'high', reason: 'exceeds-allowance' });
    expect(one({ tolerance: 5, allowedIncreasePct: 0 }, normals(rand, 200, 102, 5), base).explanation).toMatch(/; within the tolerance of ±5: PASS$/);
  });

  it('counts empty samples as nodata, and a metric missing from the samples too', () => {
    expect(one({}, [], [])).toMatchObject({ outcome: 'nodata', reason: 'no-data', test: null, shift: null, effect: null, canary: { n: 0, mean: null } });
    const j = judge({ metrics: [{ name: 'absent' }] }, {});
    expect(metricOf(j, 'absent').outcome).toBe('nodata');
  });

  it('drops NaN, ±Infinity and null values, counts them, and judges the rest', () => {
    const rand = mulberry32(3);
    const base = latencies(rand, 100, 100);
    const m = one({}, [...base, Number.NaN, Number.POSITIVE_INFINITY, null, Number.NEGATIVE_INFINITY], [Number.NaN, ...base]);
    expect(m.canary).toMatchObject({ n: 100, dropped: 4 });
    expect(m.baseline).toMatchObject({ n: 100, dropped: 1 });
    expect(m.outcome).toBe('pass');
    expect(m.explanation).toContain('non-finite values dropped: 4 canary, 1 baseline');
  });

  it('keeps summaries finite for huge finite values, where a plain sum would overflow to Infinity', () => {
    const huge = new Array(5).fill(Number.MAX_VALUE);
    const m = one({}, huge, [...huge.slice(1), -Number.MAX_VALUE]);
    expect(m.canary).toMatchObject({ n: 5, mean: Number.MAX_VALUE, median: Number.MAX_VALUE });
    expect(Number.isFinite(m.baseline.mean)).toBe(true);
    expectJsonSafe(m);
  });

  it('needs minSamples finite values on each side: 4 of 5 is nodata, however clear the difference', () => {
    const m = one({ minSamples: 5 }, [900, 901, 902, 903, Number.NaN], [1, 2, 3, 4, 5]);
    expect(m).toMatchObject({ outcome: 'nodata', canary: { n: 4, dropped: 1 } });
    expect(m.explanation).toBe(
      'm: no data — 4 finite canary values and 5 finite baseline values, 5 needed on each side (non-finite values dropped: 1 canary): NODATA, left out of the score',
    );
  });

  it('cannot fail on samples too small for a bounded interval (3 vs 3 at 95 %) and says so', () => {
    const m = one({ minSamples: 3 }, [900, 901, 902], [1, 2, 3]);
    expect(m).toMatchObject({ outcome: 'pass', reason: 'not-significant', shift: { bounded: false, lower: null, upper: null } });
    expect(m.explanation).toContain('too few samples for a 95 % CI');
  });

  it('explains a failing critical metric in one sentence built from the stored figures', () => {
    const rand = mulberry32(38);
    const j = judge(
      { metrics: [{ name: 'latencyP99', label: 'p99 latency', allowedIncreasePct: 20, critical: true }] },
      { latencyP99: { canary: latencies(rand, 400, 138, 0.2), baseline: latencies(rand, 400, 100, 0.2) } },
    );
    const m = metricOf(j, 'latencyP99');
    const pct = (x: number | null) => Math.round(x!).toString();
    expect(m.explanation).toBe(
      `p99 latency rose ${pct(m.effect!.changePct)} % (95 % CI +${pct(m.shift!.lowerPct)} % to +${pct(m.shift!.upperPct)} %) over baseline; allowed 20 %: HIGH — critical`,
    );
    expect(j.explanation).toBe('score 0 — FAIL (pass ≥ 95, fail ≤ 75): critical metric p99 latency (HIGH) failed');
  });
});

describe('the Judgement as stored', () => {
  it('is plain JSON for the example config: a round trip through JSON.stringify changes nothing', () => {
    const cfg = JSON.parse(readFileSync(new URL('../fixtures/judge/judge.config.json', import.meta.url), 'utf8')) as JudgeConfigInput;
    const rand = mulberry32(77);
    const j = judge(cfg, {
      latencyP99: { canary: latencies(rand, 60, 150), baseline: latencies(rand, 60, 100) },
      latencyAvg: { canary: [...latencies(rand, 60, 50), Number.NaN], baseline: latencies(rand, 60, 50) },
      errorRate: { canary: [0, 0, 0, 0, 0, 0], baseline: [0, 0, 0, 0, 0, 0] },
      cpu: { canary: [Number.POSITIVE_INFINITY], baseline: [] },
    });
    expectJsonSafe(j);
    expect(JSON.parse(JSON.stringify(j))).toStrictEqual(j);
    expect(j.metrics.map((m) => m.outcome)).toEqual(['high', 'pass', 'pass', 'nodata', 'nodata']);
    expect(j).toMatchObject({ score: 0, criticalFailures: ['latencyP99'] });
  });
});
