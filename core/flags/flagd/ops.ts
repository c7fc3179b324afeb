/**
 * flagd's custom JSONLogic operations, mirroring @openfeature/flagd-core 4.0.1
 * (`lib/targeting/{fractional,sem-ver,string-comp}.ts`). They receive their arguments already
 * evaluated (an array) and return `null` — never throw — on bad input, so the flag falls back to its
 * default variant.
 */
import { bucketOf, murmur3 } from '../murmur3.js';
import { compareSemVer, normalizeVersion } from './semver.js';

/** Maximum sum of fractional weights (flagd: math.MaxInt32). */
export const MAX_WEIGHT_SUM = 2147483647;

type Variant = string | number | boolean | null;

/**
 * `fractional`: deterministic weighted bucketing.
 * - bucketing key: the first argument when it evaluated to a string, otherwise
 *   `${$flagd.flagKey}${targetingKey}` (null when there is no truthy targetingKey);
 * - buckets: `[variant, weight?]`, variant string/number/boolean/null, weight an integer (default 1,
 *   negatives clamped to 0), total ≤ 2^31-1;
 * - bucket = (murmur3_x86_32(utf8(key)) * totalWeight) >> 32 — flagd-core 4.0.1
 *   `const bucket = (hashUint32 * BigInt(bucketingList.totalWeight)) >> BigInt(32);`
 *   then the first entry whose cumulative weight exceeds `bucket` wins.
 */
export function fractional(data: unknown, flagKey: string, targetingKey: unknown): Variant {
  if (!Array.isArray(data) || data.length < 1) return null;
  const keyed = typeof data[0] === 'string';
  // The key first: `${targetingKey}` can throw (flagd-core computes it before checking the buckets).
  const key = keyed ? (data[0] as string) : defaultBucketKey(flagKey, targetingKey);
  if (key === null) return null;
  const buckets = bucketList(data, keyed ? 1 : 0);
  return buckets && pick(key, buckets);
}

/** Validated buckets (flagd-core `toBucketingList`); null when invalid (the result is then null). */
export interface Buckets {
  variants: Variant[];
  weights: number[];
  total: number;
}

export function bucketList(data: readonly unknown[], start: number): Buckets | null {
  const n = data.length - start;
  const variants: Variant[] = new Array<Variant>(n);
  const weights: number[] = new Array<number>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const entry: unknown = data[start + i];
    if (!Array.isArray(entry) || entry.length === 0 || entry.length > 2) return null;
    const v: unknown = entry[0];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') variants[i] = v;
    else if (v === null || v === undefined) variants[i] = null;
    else return null;
    let weight = 1;
    if (entry.length === 2) {
      const raw: unknown = entry[1];
      if (typeof raw !== 'number' || !Number.isInteger(raw)) return null;
      weight = Math.max(0, raw);
    }
    weights[i] = weight;
    total += weight;
  }
  return total > MAX_WEIGHT_SUM ? null : { variants, weights, total };
}

/** `${$flagd.flagKey}${targetingKey}`, or null without a (truthy) targetingKey. */
export function defaultBucketKey(flagKey: string, targetingKey: unknown): string | null {
  return targetingKey ? `${flagKey}${targetingKey as string}` : null;
}

/** The variant whose cumulative weight first exceeds the bucket of `bucketBy`. */
export function pick(bucketBy: string | null, b: Buckets): Variant {
  if (bucketBy === null) return null;
  const bucket = bucketOf(murmur3(bucketBy), b.total);
  let sum = 0;
  for (let i = 0; i < b.weights.length; i++) {
    sum += b.weights[i]!;
    if (sum > bucket) return b.variants[i]!;
  }
  return null;
}

/** `sem_ver`: `[version, op, version]` with op one of = != < <= > >= ^ ~. */
export function semVer(data: unknown): boolean | null {
  if (!Array.isArray(data) || data.length !== 3) return null;
  const a = normalizeVersion(data[0]);
  const b = normalizeVersion(data[2]);
  if (!a || !b) return null;
  const op = String(data[1]);
  const r = compareSemVer(a, b);
  switch (op) {
    case '=':
      return r === 0;
    case '!=':
      return r !== 0;
    case '<':
      return r < 0;
    case '<=':
      return r <= 0;
    case '>=':
      return r >= 0;
    case '>':
      return r > 0;
    case '^':
      return a.major === b.major;
    case '~':
      return a.major === b.major && a.minor === b.minor;
  }
  return null;
}

/** `starts_with` / `ends_with`: exactly two strings, else null. */
export function startsWith(data: unknown): boolean | null {
  if (!Array.isArray(data) || data.length !== 2) return null;
  const [s, p] = data as unknown[];
  return typeof s === 'string' && typeof p === 'string' ? s.startsWith(p) : null;
}

export function endsWith(data: unknown): boolean | null {
  if (!Array.isArray(data) || data.length !== 2) return null;
  const [s, p] = data as unknown[];
  return typeof s === 'string' && typeof p === 'string' ? s.endsWith(p) : null;
}

export const semVerOperators: readonly string[] = ['=', '!=', '<', '<=', '>', '>=', '^', '~'];
