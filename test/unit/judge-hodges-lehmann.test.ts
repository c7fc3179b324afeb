import { describe, expect, it } from 'vitest';
import { hodgesLehmann, kthDifference, nextDifference } from '../../core/judge/hodges-lehmann.js';
import { criticalCount } from '../../core/judge/mann-whitney.js';
import { integers, latencies, mulberry32, normals } from '../fixtures/judge/generate.js';

const asc = (xs: readonly number[]) => Float64Array.from(xs).sort();

/** All m·n differences x − y, sorted: the definition the fast selection must match. */
function bruteDifferences(x: ArrayLike<number>, y: ArrayLike<number>): number[] {
  const d: number[] = [];
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) d.push(x[i]! - y[j]!);
  return d.sort((a, b) => a - b);
}

const bruteMedian = (d: readonly number[]) => (d.length % 2 ? d[(d.length - 1) / 2]! : d[d.length / 2 - 1]! / 2 + d[d.length / 2]! / 2);

describe('kthDifference', () => {
  it('selects the same order statistic as sorting all differences, with and without ties, across the size thresholds', () => {
    const rand = mulberry32(21);
    // sizes below (all differences sorted) and far above the 2048-difference threshold (implicit selection)
    const cases: [number, number, 'ties' | 'continuous'][] = [[7, 9, 'ties'], [40, 50, 'continuous'], [60, 70, 'ties'], [120, 90, 'continuous'], [300, 11, 'ties'], [5, 800, 'continuous']];
    for (const [m, n, kind] of cases) {
      const x = asc(kind === 'ties' ? integers(rand, m, 0, 12) : normals(rand, m, 3, 2));
      const y = asc(kind === 'ties' ? integers(rand, n, 2, 9) : normals(rand, n, 0, 5));
      const d = bruteDifferences(x, y);
      const ks = [0, d.length - 1, Math.floor(d.length / 2), ...Array.from({ length: 25 }, () => Math.floor(rand() * d.length))];
      for (const k of ks) expect(kthDifference(x, y, k), `${m}×${n} ${kind}, k = ${k}`).toBe(d[k]);
    }
  });

  it('selects every one of the 3000 ranks of a 50 × 60 matrix correctly, with ties and without (all bracket edges)', () => {
    const rand = mulberry32(31);
    for (const kind of ['ties', 'continuous'] as const) {
      const x = asc(kind === 'ties' ? integers(rand, 50, 0, 9) : normals(rand, 50, 1, 1));
      const y = asc(kind === 'ties' ? integers(rand, 60, 0, 9) : normals(rand, 60, 0, 1));
      const d = bruteDifferences(x, y);
      const wrong = d.filter((v, k) => kthDifference(x, y, k) !== v).length;
      expect(wrong, kind).toBe(0);
    }
  });

  it('returns the common value when every difference is equal (no endless narrowing on ties)', () => {
    const x = asc(new Array(100).fill(7));
    const y = asc(new Array(80).fill(2));
    expect(kthDifference(x, y, 0)).toBe(5);
    expect(kthDifference(x, y, 4321)).toBe(5);
    expect(kthDifference(x, y, 7999)).toBe(5);
  });

  it('rejects a rank outside 0 … mn − 1', () => {
    expect(() => kthDifference(asc([1, 2]), asc([3]), 2)).toThrow(RangeError);
    expect(() => kthDifference(asc([1, 2]), asc([3]), -1)).toThrow(RangeError);
  });
});

describe('nextDifference', () => {
  it('gives the next order statistic after a known one, repeating it while equal differences remain', () => {
    const rand = mulberry32(8);
    const x = asc(integers(rand, 90, 0, 6));
    const y = asc(integers(rand, 70, 0, 6));
    const d = bruteDifferences(x, y);
    for (let t = 0; t < 60; t++) {
      const k = Math.floor(rand() * (d.length - 1));
      expect(nextDifference(x, y, d[k]!, k)).toBe(d[k + 1]);
    }
  });
});

describe('hodgesLehmann', () => {
  it('estimates the shift as the median of all pairwise differences canary − baseline', () => {
    const rand = mulberry32(2);
    for (const [m, n] of [[6, 7], [9, 9], [200, 150], [151, 151]] as const) {
      const x = asc(latencies(rand, m, 130));
      const y = asc(latencies(rand, n, 100));
      expect(hodgesLehmann(x, y, 0.95).estimate, `${m}×${n}`).toBe(bruteMedian(bruteDifferences(x, y)));
    }
  });

  it('takes the CI limits at ranks K and mn + 1 − K of the ordered differences, K from the U distribution', () => {
    const rand = mulberry32(4);
    for (const [m, n, conf] of [[10, 12, 0.95], [50, 50, 0.9], [80, 120, 0.95], [300, 200, 0.99]] as const) {
      const x = asc(normals(rand, m, 1, 1));
      const y = asc(normals(rand, n, 0, 1));
      const d = bruteDifferences(x, y);
      const { k, method } = criticalCount(m, n, conf);
      const hl = hodgesLehmann(x, y, conf);
      expect(hl.method).toBe(method);
      expect(hl.lower).toBe(d[k - 1]);
      expect(hl.upper).toBe(d[m * n - k]);
      expect(hl.lower!).toBeLessThanOrEqual(hl.estimate);
      expect(hl.upper!).toBeGreaterThanOrEqual(hl.estimate);
    }
  });

  it('reports an unbounded interval (null limits) when the samples are too small for the confidence', () => {
    const hl = hodgesLehmann(asc([1, 2, 3]), asc([10, 11, 12]), 0.95);
    expect(hl).toMatchObject({ estimate: -9, lower: null, upper: null, k: 0, achievedConfidence: null });
  });

  it('moves with the data: adding c to every canary value adds c to the estimate and both limits', () => {
    const rand = mulberry32(6);
    const x = normals(rand, 60, 0, 1).map((v) => Math.round(v * 64) / 64); // dyadic values: + 3 is exact
    const y = asc(normals(rand, 70, 0, 1).map((v) => Math.round(v * 64) / 64));
    const a = hodgesLehmann(asc(x), y, 0.95);
    const b = hodgesLehmann(asc(x.map((v) => v + 3)), y, 0.95);
    expect(b.estimate).toBe(a.estimate + 3);
    expect(b.lower).toBe(a.lower! + 3);
    expect(b.upper).toBe(a.upper! + 3);
  });

  it('covers the true shift about as often as its confidence says (400 simulated intervals each, exact and normal)', () => {
    const rand = mulberry32(99);
    for (const [size, trials] of [[15, 400], [80, 400]] as const) {
      let covered = 0;
      let achieved = 0;
      for (let t = 0; t < trials; t++) {
        const hl = hodgesLehmann(asc(normals(rand, size, 2.5, 1)), asc(normals(rand, size, 0, 1)), 0.95);
        if (hl.lower! <= 2.5 && 2.5 <= hl.upper!) covered++;
        achieved = hl.achievedConfidence!;
      }
      // binomial(400, 0.95): sd ≈ 1.1 %; ±3.5 sd around the achieved coverage
      expect(covered / trials, `${size} per side`).toBeGreaterThan(achieved - 0.04);
      expect(covered / trials, `${size} per side`).toBeLessThan(Math.min(1, achieved + 0.04));
    }
  });
});
