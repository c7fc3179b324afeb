/**
 * Sample cleaning and summaries. Metric sources hand over whatever they observed: NaN, ±Infinity and, from JSON,
 * null. Only finite numbers are judged; the rest is counted as `dropped` so the explanation can say so.
 */

/** One side's observations as delivered; anything that is not a finite number is dropped and counted. */
export type RawSamples = ReadonlyArray<number | null> | null | undefined;

export interface CleanSamples {
  /** The finite values, ascending. */
  sorted: Float64Array;
  /** Entries dropped because they were not finite numbers (NaN, ±Infinity, null, non-numbers). */
  dropped: number;
}

export interface SampleSummary {
  /** Finite values judged. */
  n: number;
  /** Non-finite entries dropped. */
  dropped: number;
  /** Statistics of the finite values; null when n = 0 (JSON-safe: never NaN). */
  min: number | null;
  max: number | null;
  mean: number | null;
  median: number | null;
  p90: number | null;
}

export function cleanSamples(values: RawSamples): CleanSamples {
  if (!Array.isArray(values)) return { sorted: new Float64Array(0), dropped: 0 };
  const out = new Float64Array(values.length);
  let n = 0;
  // `v === 0 ? 0 : v` turns -0 into 0: equal in every comparison made later, and no "-0" in the output.
  for (const v of values as readonly unknown[]) if (typeof v === 'number' && Number.isFinite(v)) out[n++] = v === 0 ? 0 : v;
  return { sorted: out.subarray(0, n).sort(), dropped: values.length - n };
}

/**
 * Quantile by linear interpolation between closest ranks (Hyndman–Fan type 7, the default of R and NumPy), written
 * as a weighted sum so that huge finite values cannot overflow. `sorted` must be non-empty.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const f = h - lo;
  const a = sorted[lo]!;
  if (f === 0 || lo + 1 >= sorted.length) return a;
  const b = sorted[lo + 1]!;
  return a === b ? a : a * (1 - f) + b * f;
}

/**
 * Arithmetic mean that stays finite for finite inputs: when the plain sum overflows, Σ x/n instead, clamped to the
 * data's range (where the mean lies; the clamp only absorbs rounding, e.g. three times Number.MAX_VALUE / 3).
 */
export function meanOf(xs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  if (Number.isFinite(sum)) return sum / xs.length;
  let scaled = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    scaled += x / xs.length;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return Math.min(hi, Math.max(lo, scaled));
}

export function summarize(clean: CleanSamples): SampleSummary {
  const { sorted, dropped } = clean;
  const n = sorted.length;
  if (n === 0) return { n, dropped, min: null, max: null, mean: null, median: null, p90: null };
  return {
    n,
    dropped,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    mean: finiteOrNull(meanOf(sorted)),
    median: finiteOrNull(quantileSorted(sorted, 0.5)),
    p90: finiteOrNull(quantileSorted(sorted, 0.9)),
  };
}

/** JSON-safe number: NaN and ±Infinity become null, -0 becomes 0 (JSON cannot tell them apart). */
export const finiteOrNull = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? (x === 0 ? 0 : x) : null);
