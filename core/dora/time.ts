import * as z from 'zod';

/** UTC calendar helpers. Days are 'YYYY-MM-DD' strings; they sort and compare as strings. */

export const DAY_MS = 86_400_000;
export const BUCKETS = ['day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

export const DaySchema = z.iso.date();

export const dayOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);
export const dayStartMs = (day: string): number => Date.parse(`${day}T00:00:00.000Z`);
export const addDays = (day: string, n: number): string => dayOf(dayStartMs(day) + n * DAY_MS);
export const daysBetween = (from: string, to: string): number => Math.round((dayStartMs(to) - dayStartMs(from)) / DAY_MS) + 1;
export const monthOf = (day: string): string => day.slice(0, 7);

/** First day of the bucket holding `day`: itself, the Monday of its ISO week, or the 1st of its month. */
export function bucketStart(day: string, bucket: Bucket): string {
  if (bucket === 'day') return day;
  if (bucket === 'month') return `${monthOf(day)}-01`;
  const weekday = (new Date(dayStartMs(day)).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(day, -weekday);
}

/** Last day of the bucket starting at `start`. */
export function bucketEnd(start: string, bucket: Bucket): string {
  if (bucket === 'day') return start;
  if (bucket === 'week') return addDays(start, 6);
  const d = new Date(dayStartMs(start));
  return dayOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - DAY_MS);
}

export interface BucketSpan {
  /** Bucket key: its calendar start (Monday for weeks, the 1st for months), even when the window clips it. */
  key: string;
  /** The part of the bucket inside the window (inclusive days). */
  from: string;
  to: string;
  days: number;
}

/** The buckets covering [from, to] (inclusive days), each clipped to the window. */
export function bucketsOf(from: string, to: string, bucket: Bucket): BucketSpan[] {
  const out: BucketSpan[] = [];
  for (let key = bucketStart(from, bucket); key <= to; key = addDays(bucketEnd(key, bucket), 1)) {
    const lo = key < from ? from : key;
    const end = bucketEnd(key, bucket);
    const hi = end > to ? to : end;
    out.push({ key, from: lo, to: hi, days: daysBetween(lo, hi) });
  }
  return out;
}

/** Every month ('YYYY-MM') touched by [from, to]. */
export function monthsOf(from: string, to: string): string[] {
  return bucketsOf(from, to, 'month').map((b) => monthOf(b.key));
}
