import * as z from 'zod';
import { addInto, COUNT_NAMES, emptyRollup, type CountName, type Rollup } from './contributions.js';
import { median, percentile } from './histogram.js';
import { classify, type Levels } from './levels.js';
import { BUCKETS, bucketsOf, DaySchema, daysBetween, type Bucket } from './time.js';

/** A query window: whole UTC days, both ends inclusive, cut into day / ISO-week / month buckets. */
export const DoraWindowSchema = z
  .object({ from: DaySchema, to: DaySchema, bucket: z.enum(BUCKETS).default('week') })
  .refine((w) => w.from <= w.to, { message: 'from must not be after to' })
  .refine((w) => daysBetween(w.from, w.to) <= 3 * 366, { message: 'a window spans at most three years' });
export type DoraWindow = z.infer<typeof DoraWindowSchema>;

export interface Metrics {
  from: string;
  to: string;
  days: number;
  /** The counts every figure below is computed from. */
  counts: Record<CountName, number>;
  deploymentFrequency: { successful: number; perDay: number; perWeek: number };
  leadTime: { samples: number; medianMinutes: number | null; p90Minutes: number | null };
  /** changeFailures / deployments; null without deployments. */
  changeFailRate: number | null;
  recoveryTime: { samples: number; medianMinutes: number | null; p90Minutes: number | null };
  /** rework / deployments; null without deployments. */
  reworkRate: number | null;
  levels: Levels;
}

export interface DoraMetrics {
  window: { from: string; to: string; days: number; bucket: Bucket };
  total: Metrics;
  /** Keyed by the bucket's calendar start (Monday for weeks, the 1st for months), clipped to the window. */
  buckets: (Metrics & { key: string })[];
}

function metricsOf(r: Rollup, from: string, to: string): Metrics {
  const days = daysBetween(from, to);
  const counts = Object.fromEntries(COUNT_NAMES.map((k) => [k, r.counts[k] ?? 0])) as Record<CountName, number>;
  const perDay = counts.successful / days;
  const rate = (n: number) => (counts.deployments > 0 ? n / counts.deployments : null);
  const leadTimeMedian = median(r.leadTime);
  const recoveryMedian = median(r.recovery);
  const changeFailRate = rate(counts.changeFailures);
  return {
    from,
    to,
    days,
    counts,
    deploymentFrequency: { successful: counts.successful, perDay, perWeek: perDay * 7 },
    leadTime: { samples: counts.leadTimes, medianMinutes: leadTimeMedian, p90Minutes: percentile(r.leadTime, 0.9) },
    changeFailRate,
    recoveryTime: { samples: counts.recoveries, medianMinutes: recoveryMedian, p90Minutes: percentile(r.recovery, 0.9) },
    reworkRate: rate(counts.rework),
    levels: classify({ deploysPerDay: counts.deployments > 0 ? perDay : null, leadTimeMedian, changeFailRate, recoveryMedian }),
  };
}

/**
 * DORA metrics of the given daily rollups over a window (rollups outside it are ignored; all rollups given are
 * summed, so pass those of the services/environments in scope). Pure: same rollups, same result.
 */
export function computeMetrics(rollups: Iterable<Rollup>, window: z.input<typeof DoraWindowSchema>): DoraMetrics {
  const w = DoraWindowSchema.parse(window);
  const spans = bucketsOf(w.from, w.to, w.bucket);
  const key = { service: '*', environment: '*', day: w.from };
  const sums = spans.map(() => emptyRollup(key));
  const total = emptyRollup(key);
  for (const r of rollups) {
    if (r.day < w.from || r.day > w.to) continue;
    let lo = 0;
    let hi = spans.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (spans[mid]!.from <= r.day) lo = mid;
      else hi = mid - 1;
    }
    addInto(sums[lo]!, r);
  }
  for (const b of sums) addInto(total, b);
  return {
    window: { from: w.from, to: w.to, days: daysBetween(w.from, w.to), bucket: w.bucket },
    total: metricsOf(total, w.from, w.to),
    buckets: spans.map((s, i) => ({ key: s.key, ...metricsOf(sums[i]!, s.from, s.to) })),
  };
}
