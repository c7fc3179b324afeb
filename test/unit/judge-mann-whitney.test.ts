import { describe, expect, it } from 'vitest';
import { criticalCount, EXACT_MAX_N, exactCdf, mannWhitney, uStatistic } from '../../core/judge/mann-whitney.js';
import { integers, mulberry32, normals } from '../fixtures/judge/generate.js';

const asc = (xs: readonly number[]) => Float64Array.from(xs).sort();

/** U of x over y by definition: every pair compared, ties count ½. */
function bruteU(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  return u;
}

/** Every way to choose which m of the ranks 0 … m+n−1 belong to x: the null distribution of U, counted. */
function bruteDistribution(m: number, n: number): number[] {
  const counts = new Array<number>(m * n + 1).fill(0);
  const pick = (start: number, left: number, rankSum: number) => {
    if (left === 0) {
      counts[rankSum - (m * (m - 1)) / 2]!++; // U = Σ ranks(x) − m(m−1)/2 with 0-based ranks
      return;
    }
    for (let r = start; r <= m + n - left; r++) pick(r + 1, left - 1, rankSum + r);
  };
  pick(0, m, 0);
  const total = counts.reduce((s, c) => s + c, 0);
  let acc = 0;
  return counts.map((c) => (acc += c) / total);
}

/**
 * The textbook recurrence in probability form, written independently of exactCdf (which uses the Gaussian-binomial
 * product): P_{i,j}(u) = i/(i+j) P_{i−1,j}(u−j) + j/(i+j) P_{i,j−1}(u).
 */
function recurrenceCdf(m: number, n: number): number[] {
  const memo = new Map<string, number[]>();
  const pmf = (i: number, j: number): number[] => {
    if (i === 0 || j === 0) return [1];
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const out = new Array<number>(i * j + 1).fill(0);
    pmf(i - 1, j).forEach((p, u) => (out[u + j]! += (i / (i + j)) * p));
    pmf(i, j - 1).forEach((p, u) => (out[u]! += (j / (i + j)) * p));
    memo.set(key, out);
    return out;
  };
  let acc = 0;
  return pmf(m, n).map((p) => (acc += p));
}

describe('uStatistic', () => {
  it('counts the pairs where the canary is larger, ties as one half, like the definition', () => {
    const rand = mulberry32(7);
    for (let t = 0; t < 50; t++) {
      const x = integers(rand, 1 + Math.floor(rand() * 30), 0, 8);
      const y = integers(rand, 1 + Math.floor(rand() * 30), 0, 8);
      expect(uStatistic(asc(x), asc(y)).u).toBe(bruteU(x, y));
    }
  });

  it('sums t³ − t over the groups of equal values in the combined sample', () => {
    // combined: 1 ×2, 2 ×3, 3 ×1, 7 ×4 → (8−2) + (27−3) + 0 + (64−4) = 90
    expect(uStatistic(asc([1, 2, 7, 7]), asc([1, 2, 2, 3, 7, 7])).tieTerm).toBe(90);
    expect(uStatistic(asc([1, 2, 3]), asc([4, 5])).tieTerm).toBe(0);
  });
});

describe('exactCdf (null distribution of U without ties)', () => {
  it('equals the distribution counted over every arrangement of tiny samples', () => {
    for (const [m, n] of [[1, 1], [1, 5], [2, 3], [3, 4], [5, 5], [4, 9], [7, 7], [6, 8]] as const) {
      const want = bruteDistribution(m, n);
      const got = Array.from(exactCdf(m, n));
      expect(got).toHaveLength(want.length);
      got.forEach((p, u) => expect(p, `P(U ≤ ${u}) for ${m}×${n}`).toBeCloseTo(want[u]!, 14));
    }
  });

  it('agrees with the independent recurrence up to 50 × 50, to 1e-9 relative even in the far tails', () => {
    for (const [m, n] of [[12, 31], [EXACT_MAX_N, EXACT_MAX_N], [3, EXACT_MAX_N]] as const) {
      const want = recurrenceCdf(m, n);
      const got = exactCdf(m, n);
      for (let u = 0; u <= m * n; u++) {
        const w = want[u]!;
        expect(Math.abs(got[u]! - w), `P(U ≤ ${u}) for ${m}×${n}`).toBeLessThanOrEqual(1e-12 + 1e-9 * w);
      }
    }
    // the far lower tail of 50×50: P(U = 0) = 1 / C(100, 50) ≈ 9.9e-30, still relative-exact
    let binom = 1n;
    for (let i = 1n; i <= 50n; i++) binom = (binom * (50n + i)) / i; // C(100, 50), exactly
    expect(exactCdf(50, 50)[0]! * Number(binom)).toBeCloseTo(1, 9);
  });

  it('is the same for (m, n) and (n, m)', () => {
    expect(Array.from(exactCdf(4, 11))).toEqual(Array.from(exactCdf(11, 4)));
  });

  it('reproduces the textbook table of two-tailed 5 % critical values of U for equal sample sizes', () => {
    // Standard table of critical values of the Mann-Whitney U (two-tailed α = .05), as printed in introductory
    // statistics textbooks: reject H0 when U ≤ the tabled value.
    const table: Record<number, number> = { 5: 2, 6: 5, 7: 8, 8: 13, 9: 17, 10: 23, 20: 127 };
    for (const [size, critical] of Object.entries(table)) {
      const n = Number(size);
      const cdf = exactCdf(n, n);
      expect(cdf[critical]!, `n = ${n}: P(U ≤ ${critical})`).toBeLessThanOrEqual(0.025);
      expect(cdf[critical + 1]!, `n = ${n}: P(U ≤ ${critical + 1})`).toBeGreaterThan(0.025);
      expect(criticalCount(n, n, 0.95).k).toBe(critical + 1);
    }
  });
});

describe('mannWhitney', () => {
  // Hollander & Wolfe (1973), p. 69 — the example of R's ?wilcox.test: wilcox.test(x, y, alternative = "greater")
  // reports W = 35, p-value = 0.1272 (exact). SciPy 1.17 mannwhitneyu(method="exact") gives 0.1272061272…
  const hwX = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
  const hwY = [1.15, 0.88, 0.9, 0.74, 1.21];

  it('reproduces the Hollander & Wolfe textbook example: U = 35, one-sided p = 0.1272, exactly', () => {
    const r = mannWhitney(asc(hwX), asc(hwY));
    expect(r.method).toBe('exact');
    expect(r.u).toBe(35);
    expect(r.pGreater).toBeCloseTo(0.1272061272061272, 12);
    expect(r.pTwoSided).toBeCloseTo(0.2544122544122544, 12);
    expect(r.pLess).toBeCloseTo(0.8967698967698967, 12);
  });

  it('gives the one-sided p of the textbook example as the share of all 3003 rank assignments with U ≥ 35', () => {
    const cdf = bruteDistribution(10, 5);
    expect(mannWhitney(asc(hwX), asc(hwY)).pGreater).toBeCloseTo(1 - cdf[34]!, 14);
  });

  it('reproduces the tortoise-and-hare illustration: finishing order THHHHHTTTTTH gives U = 11 for the tortoise', () => {
    // Wikipedia, "Mann–Whitney U test", illustration of the direct method: the tortoise beats 11 hare-pairs (U_T = 11,
    // U_H = 25). Finishing positions, 1 = first: a smaller position is a win, so count where the hare is larger.
    const tortoise = [1, 7, 8, 9, 10, 11];
    const hare = [2, 3, 4, 5, 6, 12];
    expect(mannWhitney(asc(hare), asc(tortoise)).u).toBe(11);
    expect(mannWhitney(asc(tortoise), asc(hare)).u).toBe(25);
    // SciPy 1.17: mannwhitneyu(hare, tortoise, method="exact") → p = 0.30952…: not significant
    expect(mannWhitney(asc(hare), asc(tortoise)).pTwoSided).toBeCloseTo(0.30952380952380953, 12);
  });

  it('uses the normal approximation with tie and continuity correction when there are ties', () => {
    // Reference: SciPy 1.17.1 mannwhitneyu(x, y, method="asymptotic", use_continuity=True):
    // U = 13, two-sided 0.04859743569452557, greater 0.981177854684492, less 0.024298717847262785
    const r = mannWhitney(asc([1, 2, 2, 3, 3, 3, 4, 5]), asc([2, 3, 4, 4, 5, 6, 6, 7]));
    expect(r.method).toBe('normal');
    expect(r.u).toBe(13);
    expect(r.pTwoSided).toBeCloseTo(0.04859743569452557, 10);
    expect(r.pGreater).toBeCloseTo(0.981177854684492, 10);
    expect(r.pLess).toBeCloseTo(0.024298717847262785, 10);
  });

  it('approximates the exact p-values within 0.004 at 30 vs 30 (normal cross-checked against exact)', () => {
    const m = 30;
    const cdf = exactCdf(m, m);
    const rand = mulberry32(11);
    let worst = 0;
    for (let t = 0; t < 40; t++) {
      const x = asc(normals(rand, m, 0.6 * rand(), 1));
      const y = asc(normals(rand, m, 0, 1));
      const exact = mannWhitney(x, y);
      expect(exact.method).toBe('exact');
      // the same statistic through the normal path: σ² = mn(N+1)/12, continuity ½
      const sigma = Math.sqrt((m * m * (2 * m + 1)) / 12);
      const z = (exact.u - (m * m) / 2 - 0.5) / sigma;
      const pNormal = upperTail(z);
      expect(exact.pGreater).toBeCloseTo(1 - (exact.u >= 1 ? cdf[exact.u - 1]! : 0), 12);
      worst = Math.max(worst, Math.abs(pNormal - exact.pGreater));
    }
    expect(worst).toBeLessThan(0.004);
  });

  it('switches to the normal approximation above 50 values on a side, even without ties', () => {
    const rand = mulberry32(5);
    const y = asc(normals(rand, 50, 0, 1));
    expect(mannWhitney(asc(normals(rand, 50, 0.3, 1)), y).method).toBe('exact');
    const large = mannWhitney(asc(normals(rand, 51, 0.3, 1)), y);
    expect(large.method).toBe('normal');
    expect(large.z).not.toBeNull();
  });

  it('mirrors when the samples are swapped: U becomes mn − U and the one-sided p-values trade places', () => {
    const rand = mulberry32(3);
    for (const size of [8, 70]) {
      const x = asc(integers(rand, size, 0, 20));
      const y = asc(integers(rand, size + 3, 2, 22));
      const a = mannWhitney(x, y);
      const b = mannWhitney(y, x);
      expect(a.u + b.u).toBe(x.length * y.length);
      expect(b.pGreater).toBeCloseTo(a.pLess, 12);
      expect(b.pLess).toBeCloseTo(a.pGreater, 12);
      expect(b.pTwoSided).toBeCloseTo(a.pTwoSided, 12);
    }
  });

  it('gives p = 1 when every value on both sides is the same (zero variance, no division by zero)', () => {
    const r = mannWhitney(asc([5, 5, 5, 5, 5, 5]), asc([5, 5, 5, 5]));
    expect(r).toMatchObject({ u: 12, pTwoSided: 1, pGreater: 1, pLess: 1, z: 0 });
  });

  it('gives p = 1 without evidence: an empty side', () => {
    expect(mannWhitney(asc([]), asc([1, 2, 3]))).toMatchObject({ pTwoSided: 1, pGreater: 1, pLess: 1, z: null });
  });
});

describe('criticalCount (rank of the CI limits among the ordered differences)', () => {
  it('has exact coverage at least the nominal confidence, and as close to it as the discrete distribution allows', () => {
    for (const [m, n] of [[5, 5], [8, 12], [20, 20], [50, 50]] as const) {
      const c = criticalCount(m, n, 0.95);
      expect(c.method).toBe('exact');
      expect(c.achievedConfidence!).toBeGreaterThanOrEqual(0.95);
      // one rank further out would fall below the nominal level
      const cdf = exactCdf(m, n);
      expect(1 - 2 * cdf[c.k]!).toBeLessThan(0.95);
    }
  });

  it('agrees with the normal approximation within one rank for moderate samples', () => {
    for (const [m, n] of [[20, 20], [30, 30], [40, 50], [50, 50]] as const) {
      const exact = criticalCount(m, n, 0.95).k;
      const sigma = Math.sqrt((m * n * (m + n + 1)) / 12);
      const normal = Math.floor((m * n) / 2 - 0.5 - 1.959963984540054 * sigma) + 1;
      expect(Math.abs(exact - normal), `${m}×${n}`).toBeLessThanOrEqual(1);
    }
    const large = criticalCount(51, 60, 0.95);
    expect(large.method).toBe('normal');
    expect(large.k).toBe(Math.floor((51 * 60) / 2 - 0.5 - 1.959963984540054 * Math.sqrt((51 * 60 * 112) / 12)) + 1);
  });

  it('returns 0 (unbounded interval) when the samples are too small for the confidence: 3 vs 3 at 95 %', () => {
    // P(U = 0) = 1/20 > 0.025: even the most extreme arrangement is not significant
    expect(criticalCount(3, 3, 0.95)).toEqual({ k: 0, method: 'exact', achievedConfidence: null });
    expect(criticalCount(4, 4, 0.95).k).toBe(1); // P(U = 0) = 1/70 ≤ 0.025
  });

  it('widens the interval (smaller rank) as the confidence grows', () => {
    expect(criticalCount(20, 20, 0.99).k).toBeLessThan(criticalCount(20, 20, 0.95).k);
    expect(criticalCount(200, 200, 0.99).k).toBeLessThan(criticalCount(200, 200, 0.9).k);
  });
});

/** Standard normal upper tail P(Z > z) by Simpson's rule on the density: independent of @stdlib. */
function upperTail(z: number): number {
  const steps = 4000;
  const h = z / steps;
  const phi = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
  let s = phi(0) + phi(z);
  for (let i = 1; i < steps; i++) s += (i % 2 ? 4 : 2) * phi(i * h);
  return 0.5 - (s * h) / 3;
}
