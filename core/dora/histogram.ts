/**
 * Log-linear histogram of durations in whole minutes (HDR-style), stored sparsely as bucket index → count so a
 * daily rollup stays bounded (at most ~520 buckets up to a year, a few dozen in practice) and mergeable by addition.
 *
 * Precision: durations are floored to whole minutes; below 64 minutes every minute is its own bucket (exact);
 * above, each power of two is split into 32 buckets, and a bucket reports its midpoint, so a reported duration
 * is within 1/64 (1.6 %) of the floored sample.
 */

export type Histogram = Record<string, number>;

const SUB = 32;
const EXACT = 2 * SUB;
/** Largest relative error of a reported value above the exact range. */
export const HISTOGRAM_RELATIVE_ERROR = 1 / (2 * SUB);

export const minutesBetween = (fromMs: number, toMs: number): number => Math.max(0, Math.floor((toMs - fromMs) / 60_000));

export function bucketIndex(minutes: number): number {
  const v = Math.min(Math.max(0, Math.floor(minutes)), 2 ** 30);
  if (v < EXACT) return v;
  const k = 31 - Math.clz32(v) - 5; // v >>> k is in [32, 64)
  return SUB * k + (v >>> k);
}

/** The minutes a bucket reports: the midpoint of the whole minutes it holds. */
export function bucketValue(index: number): number {
  if (index < EXACT) return index;
  const k = Math.floor(index / SUB) - 1;
  const lower = (index - SUB * k) * 2 ** k;
  return lower + (2 ** k - 1) / 2;
}

export const single = (minutes: number): Histogram => ({ [String(bucketIndex(minutes))]: 1 });

/** a + sign·b, dropping empty buckets. */
export function addHistogram(a: Histogram, b: Histogram, sign = 1): Histogram {
  const out: Histogram = { ...a };
  for (const [k, n] of Object.entries(b)) {
    const v = (out[k] ?? 0) + sign * n;
    if (v === 0) delete out[k];
    else out[k] = v;
  }
  return out;
}

export const countOf = (h: Histogram): number => Object.values(h).reduce((s, n) => s + (n > 0 ? n : 0), 0);

function sorted(h: Histogram): [number, number][] {
  return Object.entries(h)
    .map(([k, n]): [number, number] => [Number(k), n])
    .filter(([, n]) => n > 0)
    .sort((x, y) => x[0] - y[0]);
}

/** Value of the sample at 1-based `rank` in ascending order. */
function atRank(entries: [number, number][], rank: number): number {
  let seen = 0;
  for (const [index, n] of entries) {
    seen += n;
    if (seen >= rank) return bucketValue(index);
  }
  return Number.NaN;
}

/** Median: the middle sample, or the mean of the two middle samples for an even count. Null when empty. */
export function median(h: Histogram): number | null {
  const e = sorted(h);
  const n = e.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return null;
  return n % 2 ? atRank(e, (n + 1) / 2) : (atRank(e, n / 2) + atRank(e, n / 2 + 1)) / 2;
}

/** Nearest-rank percentile (q in (0, 1]): the sample at rank ⌈q·n⌉. Null when empty. */
export function percentile(h: Histogram, q: number): number | null {
  const e = sorted(h);
  const n = e.reduce((s, [, c]) => s + c, 0);
  return n === 0 ? null : atRank(e, Math.max(1, Math.ceil(q * n)));
}
