import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judge, type JudgeConfigInput, type Judgement } from '../../core/judge/index.js';

/** Anything a metric source might hand over: finite, huge, tiny, NaN, ±Infinity, -0 — and null from JSON. */
const anyValue = fc.oneof(
  { weight: 6, arbitrary: fc.double() },
  { weight: 3, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE) },
  { weight: 1, arbitrary: fc.constant(null) },
);
const anySamples = fc.array(anyValue, { maxLength: 80 });

const metricConfig = fc.record({
  direction: fc.constantFrom('increase', 'decrease', 'either'),
  allowedIncreasePct: fc.constantFrom(0, 10, 20),
  allowedDecreasePct: fc.constantFrom(0, 10, 50),
  tolerance: fc.constantFrom(0, 0.5),
  effectMeasure: fc.constantFrom('mean', 'median'),
  critical: fc.boolean(),
  noData: fc.constantFrom('fail', 'ignore', 'count'),
  confidence: fc.constantFrom(0.9, 0.95, 0.99),
  minSamples: fc.integer({ min: 1, max: 6 }),
});

/** Walks the whole value: only null, booleans, strings, finite numbers, arrays and plain objects. */
function jsonSafe(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object') return false;
  return Object.values(value as object).every(jsonSafe);
}

describe('judge (property-based)', () => {
  it('never throws on arbitrary samples, and always returns a complete, JSON-safe judgement', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(metricConfig, anySamples, anySamples), { minLength: 1, maxLength: 4 }), (metrics) => {
        const config = { metrics: metrics.map(([m], i) => ({ ...m, name: `m${i}` })) } as JudgeConfigInput;
        const samples = Object.fromEntries(metrics.map(([, canary, baseline], i) => [`m${i}`, { canary, baseline }]));
        const j: Judgement = judge(config, samples);
        expect(jsonSafe(j)).toBe(true);
        expect(JSON.parse(JSON.stringify(j))).toStrictEqual(j);
        expect(j.score).toBeGreaterThanOrEqual(0);
        expect(j.score).toBeLessThanOrEqual(100);
        expect(j.metrics).toHaveLength(metrics.length);
        for (const m of j.metrics) {
          expect(m.explanation.length).toBeGreaterThan(0);
          expect(m.canary.n + m.canary.dropped).toBe(samples[m.metric]!.canary.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('flips high and low, the shift and the one-sided p-values when canary and baseline are swapped', () => {
    const values = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 5, maxLength: 70 });
    fc.assert(
      fc.property(values, values, fc.constantFrom(0.9, 0.95), (a, b, confidence) => {
        const config: JudgeConfigInput = { metrics: [{ name: 'm', direction: 'either', allowedIncreasePct: 0, allowedDecreasePct: 0, confidence }] };
        const ab = judge(config, { m: { canary: a, baseline: b } }).metrics[0]!;
        const ba = judge(config, { m: { canary: b, baseline: a } }).metrics[0]!;
        const flipped = { high: 'low', low: 'high', pass: 'pass', nodata: 'nodata' } as const;
        expect(ba.outcome).toBe(flipped[ab.outcome]);
        expect(ba.shift!.estimate).toBe(-ab.shift!.estimate! + 0); // + 0: -0 → 0
        expect(ba.shift!.lower).toBe(ab.shift!.upper === null ? null : -ab.shift!.upper + 0);
        expect(ba.test!.pGreater).toBeCloseTo(ab.test!.pLess, 12);
        expect(ba.test!.pTwoSided).toBeCloseTo(ab.test!.pTwoSided, 12);
      }),
      { numRuns: 300 },
    );
  });

  it('passes whenever canary and baseline are the same sample, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 5, maxLength: 60 }), (xs) => {
        const reversed = [...xs].reverse();
        const m = judge({ metrics: [{ name: 'm', direction: 'either', allowedIncreasePct: 0, allowedDecreasePct: 0 }] }, { m: { canary: xs, baseline: reversed } }).metrics[0]!;
        expect(m.outcome).toBe('pass');
        expect(m.test!.pTwoSided).toBe(1);
        expect(m.shift!.estimate).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
