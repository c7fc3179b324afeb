import { criticalCount, type TestMethod } from './mann-whitney.js';

/**
 * Hodges–Lehmann estimate of the shift canary − baseline (the median of the m·n pairwise differences x_i − y_j) and
 * its distribution-free confidence interval [D_(K), D_(mn+1−K)] from the order statistics of those differences,
 * K from the Mann-Whitney null distribution (criticalCount).
 *
 * The differences are never all materialised for large samples (500 × 500 = 250 000): kthDifference selects an order
 * statistic from the implicit matrix of differences, which is sorted along rows and columns, in O((m + n) log(mn))
 * expected time.
 */

/** Below this many differences, materialising and sorting them is the fastest way. */
const SMALL = 2048;
/** Selection stops narrowing once this few cells remain active, and sorts them. */
const FINAL = 400;
/** Sample size per selection round: √(active cells), within these bounds. */
const SAMPLE_MIN = 31;
const SAMPLE_MAX = 512;

export interface ShiftEstimate {
  /** Median of the pairwise differences canary − baseline. */
  estimate: number;
  /** Lower/upper confidence limit; null when the samples are too small for a bounded interval at this confidence. */
  lower: number | null;
  upper: number | null;
  confidence: number;
  achievedConfidence: number | null;
  method: TestMethod;
  /** 1-based rank of the lower limit among the ordered differences (0 = unbounded). */
  k: number;
}

function allDifferencesSorted(xs: ArrayLike<number>, ys: ArrayLike<number>): Float64Array {
  const d = new Float64Array(xs.length * ys.length);
  let p = 0;
  for (let i = 0; i < xs.length; i++) for (let j = 0; j < ys.length; j++) d[p++] = xs[i]! - ys[j]!;
  return d.sort();
}

/** Deterministic xorshift32: the pivots are "random" but every call with the same input does the same work. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * The k-th smallest (0-based) of the m·n differences xs[i] − ys[j], xs and ys ascending and non-empty.
 *
 * Row i, column c holds xs[i] − ys[n−1−c]: ascending along c and, column by column, along i (IEEE subtraction is
 * monotone in each argument, so this holds after rounding too). Each row keeps an active column range [lo_i, hi_i).
 * Floyd–Rivest style: a sample of active cells gives two pivots bracketing the wanted rank; a staircase walk
 * (O(m + n) at most) counts the cells below/within the bracket, and only the part that holds the answer stays active —
 * typically three rounds take 250 000 cells down to a few hundred, which are then sorted. When a bracket removes
 * nothing (many equal differences), the next round uses a single pivot, which always removes at least itself.
 */
export function kthDifference(xs: ArrayLike<number>, ys: ArrayLike<number>, k: number): number {
  const m = xs.length;
  const n = ys.length;
  if (!(Number.isInteger(k) && k >= 0 && k < m * n)) throw new RangeError(`k = ${k} is outside 0 … ${m * n - 1}`);
  if (m * n <= SMALL) return allDifferencesSorted(xs, ys)[k]!;
  const X = Float64Array.from(xs);
  const Y = new Float64Array(n); // ys reversed: cell (i, c) = X[i] − Y[c]
  for (let c = 0; c < n; c++) Y[c] = ys[n - 1 - c]!;
  const lo = new Int32Array(m);
  const hi = new Int32Array(m).fill(n);
  const below = new Int32Array(m); // per row: first active column ≥ pLo
  const upTo = new Int32Array(m); // per row: first column > pHi
  const sample = new Float64Array(SAMPLE_MAX);
  const rand = prng(0x9e3779b9 ^ (m * 65_537 + n) ^ k);
  let active = m * n;
  let kk = k; // rank among the active cells
  let single = false;
  while (active > FINAL) {
    const size = Math.min(SAMPLE_MAX, Math.max(SAMPLE_MIN, Math.floor(Math.sqrt(active))));
    // stratified sample: one random active cell in each of `size` equal slices of the active cells (in row order),
    // so the positions increase and one pass over the rows finds them all
    let row = 0;
    let rowStart = 0; // active cells in the rows before `row`
    for (let s = 0; s < size; s++) {
      const r = Math.floor(((s + rand()) * active) / size);
      while (r >= rowStart + (hi[row]! - lo[row]!)) rowStart += hi[row]! - lo[row++]!;
      sample[s] = X[row]! - Y[lo[row]! + (r - rowStart)]!;
    }
    const sorted = sample.subarray(0, size).sort();
    const at = (kk / active) * (size - 1);
    const spread = single ? 0 : Math.sqrt(size);
    const pLo = sorted[Math.max(0, Math.floor(at - spread))]!;
    const pHi = single ? pLo : sorted[Math.min(size - 1, Math.ceil(at + spread))]!;
    // staircase: per row, #cells < pLo and #cells ≤ pHi, clamped to the active range [lo_i, hi_i). The true counts
    // and lo/hi all shrink as i grows, so each pointer starts where the previous row left it (capped at hi_i) and
    // stops at lo_i: one pass, no cell outside the active band is compared twice.
    let cLo = n;
    let cHi = n;
    let nBelow = 0;
    let nUpTo = 0;
    for (let i = 0; i < m; i++) {
      const x = X[i]!;
      const l = lo[i]!;
      const h = hi[i]!;
      if (cLo > h) cLo = h;
      if (cHi > h) cHi = h;
      while (cLo > l && !(x - Y[cLo - 1]! < pLo)) cLo--;
      while (cHi > l && x - Y[cHi - 1]! > pHi) cHi--;
      below[i] = cLo;
      upTo[i] = cHi;
      nBelow += cLo - l;
      nUpTo += cHi - l;
    }
    const before = active;
    if (kk < nBelow) {
      hi.set(below);
      active = nBelow;
    } else if (kk < nUpTo) {
      if (pLo === pHi) return pLo; // every cell kept equals the pivot
      lo.set(below);
      hi.set(upTo);
      kk -= nBelow;
      active = nUpTo - nBelow;
    } else {
      lo.set(upTo);
      kk -= nUpTo;
      active -= nUpTo;
    }
    single = active === before;
  }
  const rest = new Float64Array(active);
  let q = 0;
  for (let i = 0; i < m; i++) for (let c = lo[i]!; c < hi[i]!; c++) rest[q++] = X[i]! - Y[c]!;
  return rest.sort()[kk]!;
}

/** Halves before adding, so two huge finite values do not overflow to Infinity. */
const midpoint = (a: number, b: number) => a / 2 + b / 2;

/**
 * The (k+1)-th smallest difference (0-based) given v, the k-th: v again when more than k + 1 differences are ≤ v,
 * else the smallest difference above v. One staircase pass, O(m + n).
 */
export function nextDifference(xs: ArrayLike<number>, ys: ArrayLike<number>, v: number, k: number): number {
  const n = ys.length;
  let j = 0; // first column of row i whose difference is ≤ v (non-decreasing in i)
  let le = 0;
  let next = Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    while (j < n && x - ys[j]! > v) j++;
    le += n - j;
    if (j > 0 && x - ys[j - 1]! < next) next = x - ys[j - 1]!;
  }
  return le > k + 1 ? v : next;
}

/**
 * Hodges–Lehmann shift of ascending xs (canary) over ascending ys (baseline), both non-empty, with its CI at
 * `confidence` (exact critical value when both samples ≤ 50, normal approximation beyond).
 */
export function hodgesLehmann(xs: ArrayLike<number>, ys: ArrayLike<number>, confidence: number): ShiftEstimate {
  const mn = xs.length * ys.length;
  if (mn === 0) throw new RangeError('hodgesLehmann needs two non-empty samples');
  const small = mn <= SMALL ? allDifferencesSorted(xs, ys) : null;
  const kth = (k: number) => (small ? small[k]! : kthDifference(xs, ys, k));
  let estimate: number;
  if (mn % 2 === 1) estimate = kth((mn - 1) / 2);
  else {
    const a = kth(mn / 2 - 1);
    estimate = midpoint(a, small ? small[mn / 2]! : nextDifference(xs, ys, a, mn / 2 - 1));
  }
  const crit = criticalCount(xs.length, ys.length, confidence);
  const bounded = crit.k >= 1;
  return {
    estimate,
    lower: bounded ? kth(crit.k - 1) : null,
    upper: bounded ? kth(mn - crit.k) : null,
    confidence,
    achievedConfidence: crit.achievedConfidence,
    method: crit.method,
    k: crit.k,
  };
}
