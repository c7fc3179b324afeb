import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/**
 * Mann-Whitney U (Wilcoxon rank-sum) test of canary (x) against baseline (y).
 *
 * U is the number of pairs (x_i, y_j) with x_i > y_j, plus ½ for every tie: U = mn/2 when neither side tends to be
 * larger, U → mn when the canary tends to be larger. Both inputs are ascending arrays of finite numbers.
 *
 * - Exact: both samples have at most EXACT_MAX_N values and there are no ties. The null distribution of U is counted
 *   exactly (see exactCdf) and normalised, accurate in the tails even at C(100, 50) ≈ 1e29 arrangements.
 * - Normal approximation otherwise: mean mn/2, variance mn/12 · ((N+1) − Σ(t³−t)/(N(N−1))) with the usual tie
 *   correction (t = size of each group of equal values, N = m+n), and a continuity correction of ½.
 */

/** Both samples at most this large and no ties → exact null distribution; otherwise the normal approximation. */
export const EXACT_MAX_N = 50;

export type TestMethod = 'exact' | 'normal';

export interface UStatistic {
  /** U of x over y: #{x_i > y_j} + ½ #{x_i = y_j}. */
  u: number;
  /** Σ (t³ − t) over groups of equal values in the combined sample (0 = no ties). */
  tieTerm: number;
}

export interface MannWhitneyResult extends UStatistic {
  m: number;
  n: number;
  method: TestMethod;
  /** Normal method only: (U − mn/2) moved ½ towards 0 (continuity correction), over the tie-corrected σ. */
  z: number | null;
  /** H1: the canary tends to be larger. P(U ≥ observed). */
  pGreater: number;
  /** H1: the canary tends to be smaller. P(U ≤ observed). */
  pLess: number;
  /** min(1, 2 · min(pGreater, pLess)). */
  pTwoSided: number;
}

/** U and the tie term from two ascending arrays by one merge, O(m + n). */
export function uStatistic(xs: ArrayLike<number>, ys: ArrayLike<number>): UStatistic {
  let i = 0;
  let j = 0;
  let u = 0;
  let tieTerm = 0;
  while (i < xs.length || j < ys.length) {
    const v = j >= ys.length || (i < xs.length && xs[i]! <= ys[j]!) ? xs[i]! : ys[j]!;
    let a = 0;
    while (i < xs.length && xs[i] === v) (i++, a++);
    let b = 0;
    // j = number of y strictly below v, before the y equal to v are consumed
    const below = j;
    while (j < ys.length && ys[j] === v) (j++, b++);
    u += a * below + 0.5 * a * b;
    const t = a + b;
    if (t > 1) tieTerm += t * t * t - t;
  }
  return { u, tieTerm };
}

/** Bounded memo of exact null distributions; pure (same inputs, same outputs), it only saves recomputation. */
const CDF_CACHE = new Map<string, Float64Array>();
const CDF_CACHE_MAX = 64;

/**
 * P(U ≤ u) for u = 0 … mn under H0 without ties.
 *
 * The number of arrangements with U = u is the number of partitions of u into at most a parts each ≤ b (a ≤ b the
 * sample sizes), the coefficient of q^u in the Gaussian binomial [a+b choose a]_q = Π_{i=1..a} (1 − q^{b+i}) / (1 − q^i)
 * — the generating-function form of the counting recurrence N_{i,j}(u) = N_{i−1,j}(u − j) + N_{i,j−1}(u). It is built
 * factor by factor: multiply by (1 − q^{b+i}), then divide by (1 − q^i) as a running sum; O(a · mn/2).
 * Only the lower half u ≤ mn/2 is computed: coefficient u depends only on coefficients ≤ u, none larger than it
 * (the distribution is unimodal), so the lower tail stays accurate in floating point even where the counts exceed
 * 2^53 (C(100, 50) ≈ 1e29). The upper half follows from the symmetry P(U = u) = P(U = mn − u).
 */
export function exactCdf(m: number, n: number): Float64Array {
  const a = Math.min(m, n);
  const b = Math.max(m, n); // the distribution of U is the same for (m, n) and (n, m)
  const key = `${a},${b}`;
  const hit = CDF_CACHE.get(key);
  if (hit) return hit;
  const mn = a * b;
  const half = Math.floor(mn / 2);
  const c = new Float64Array(half + 1);
  c[0] = 1;
  for (let i = 1; i <= a; i++) {
    for (let u = half; u >= b + i; u--) c[u]! -= c[u - b - i]!; // × (1 − q^{b+i}), descending: reads old values
    for (let u = i; u <= half; u++) c[u]! += c[u - i]!; // ÷ (1 − q^i), ascending: reads new values
  }
  let lowerSum = 0;
  for (let u = 0; u <= half; u++) lowerSum += c[u]!;
  const total = 2 * lowerSum - (mn % 2 === 0 ? c[half]! : 0); // = C(a+b, a)
  const cdf = new Float64Array(mn + 1);
  let acc = 0;
  for (let u = 0; u <= half; u++) cdf[u] = Math.min(1, (acc += c[u]!) / total);
  for (let u = half + 1; u < mn; u++) cdf[u] = 1 - cdf[mn - u - 1]!;
  cdf[mn] = 1;
  if (CDF_CACHE.size >= CDF_CACHE_MAX) CDF_CACHE.delete(CDF_CACHE.keys().next().value!);
  CDF_CACHE.set(key, cdf);
  return cdf;
}

/** P(U ≤ u) exactly (no ties); u may be fractional only with ties, which the exact method excludes. */
const exactLower = (cdf: Float64Array, u: number) => (u < 0 ? 0 : u >= cdf.length - 1 ? 1 : cdf[Math.floor(u)]!);

export const useExact = (m: number, n: number, tieTerm: number) => m <= EXACT_MAX_N && n <= EXACT_MAX_N && tieTerm === 0;

/** The Mann-Whitney test of ascending x over ascending y. Empty inputs give p = 1 (no evidence). */
export function mannWhitney(xs: ArrayLike<number>, ys: ArrayLike<number>): MannWhitneyResult {
  const m = xs.length;
  const n = ys.length;
  const { u, tieTerm } = uStatistic(xs, ys);
  if (m === 0 || n === 0) return { u, tieTerm, m, n, method: 'normal', z: null, pGreater: 1, pLess: 1, pTwoSided: 1 };
  const mn = m * n;
  if (useExact(m, n, tieTerm)) {
    const cdf = exactCdf(m, n);
    const pLess = exactLower(cdf, u);
    const pGreater = exactLower(cdf, mn - u); // symmetry: P(U ≥ u) = P(U ≤ mn − u), both from the accurate lower tail
    return { u, tieTerm, m, n, method: 'exact', z: null, pGreater, pLess, pTwoSided: Math.min(1, 2 * Math.min(pGreater, pLess)) };
  }
  const N = m + n;
  const variance = (mn / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  const d = u - mn / 2;
  if (!(variance > 0)) return { u, tieTerm, m, n, method: 'normal', z: 0, pGreater: 1, pLess: 1, pTwoSided: 1 };
  const sigma = Math.sqrt(variance);
  const pGreater = normalCdf(-(d - 0.5) / sigma, 0, 1);
  const pLess = normalCdf((d + 0.5) / sigma, 0, 1);
  const z = (Math.sign(d) * Math.max(0, Math.abs(d) - 0.5)) / sigma;
  return { u, tieTerm, m, n, method: 'normal', z, pGreater, pLess, pTwoSided: Math.min(1, 2 * Math.min(pGreater, pLess)) };
}

export interface CriticalCount {
  /**
   * 1-based rank K of the lower confidence limit among the mn ordered differences (the upper one is mn + 1 − K);
   * 0 when the samples are too small for a bounded interval at this confidence.
   */
  k: number;
  method: TestMethod;
  /** Coverage of [D_(K), D_(mn+1−K)]: exact, or its normal approximation; null when K = 0. */
  achievedConfidence: number | null;
}

/**
 * K = c* + 1 where c* is the largest c with P(U ≤ c) ≤ (1 − confidence)/2: the interval of shifts Δ that the
 * two-sided test at that level does not reject is [D_(K), D_(mn+1−K)]. Exact when both samples ≤ EXACT_MAX_N
 * (ties in the data are not considered here: they matter for the test at Δ = 0, not for the shifted samples);
 * else c* = ⌊mn/2 − ½ − z·σ⌋ with σ² = mn(m+n+1)/12 (normal approximation with continuity correction).
 */
export function criticalCount(m: number, n: number, confidence: number): CriticalCount {
  const alphaHalf = (1 - confidence) / 2;
  const mn = m * n;
  if (m === 0 || n === 0) return { k: 0, method: 'normal', achievedConfidence: null };
  if (m <= EXACT_MAX_N && n <= EXACT_MAX_N) {
    const cdf = exactCdf(m, n);
    // cdf is non-decreasing: binary search for the last index with cdf ≤ α/2 (−1 = none; 1e-12 absorbs rounding)
    const target = alphaHalf * (1 + 1e-12);
    let lo = -1;
    let hi = Math.floor(mn / 2);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cdf[mid]! <= target) lo = mid;
      else hi = mid - 1;
    }
    const k = lo + 1;
    return { k, method: 'exact', achievedConfidence: k === 0 ? null : 1 - 2 * cdf[lo]! };
  }
  const sigma = Math.sqrt((mn * (m + n + 1)) / 12);
  const z = normalQuantile(1 - alphaHalf, 0, 1);
  const cStar = Math.min(Math.floor(mn / 2), Math.floor(mn / 2 - 0.5 - z * sigma));
  const k = Math.max(0, cStar + 1);
  return { k, method: 'normal', achievedConfidence: k === 0 ? null : 1 - 2 * normalCdf((cStar + 0.5 - mn / 2) / sigma, 0, 1) };
}
