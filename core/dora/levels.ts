/**
 * DORA software delivery performance levels, from the Accelerate State of DevOps Report 2024 (DORA / Google
 * Cloud, 2024), section "Software delivery performance": four clusters and the typical value of each metric in
 * each cluster. The report describes clusters found in survey answers, not official cut-offs; `bar` is how we
 * turn each description into a threshold (see core/dora/README.md, "Performance levels"). Keep this table and
 * the README table identical.
 */

export const LEVELS = ['elite', 'high', 'medium', 'low'] as const;
export type Level = (typeof LEVELS)[number];

const HOUR = 60;
const DAY = 24 * HOUR;

export interface LevelRow {
  level: Level;
  /** Share of 2024 respondents in the cluster. */
  share: number;
  deploymentFrequency: { reported: string; minPerDay: number };
  leadTime: { reported: string; maxMinutes: number; inclusive: boolean };
  changeFailRate: { reported: number; max: number };
  recoveryTime: { reported: string; maxMinutes: number; inclusive: boolean };
}

export const DORA_2024_LEVELS: readonly LevelRow[] = [
  {
    level: 'elite',
    share: 0.19,
    deploymentFrequency: { reported: 'on demand (multiple deploys per day)', minPerDay: 1 },
    leadTime: { reported: 'less than one day', maxMinutes: DAY, inclusive: false },
    changeFailRate: { reported: 0.05, max: 0.05 },
    recoveryTime: { reported: 'less than one hour', maxMinutes: HOUR, inclusive: false },
  },
  {
    level: 'high',
    share: 0.22,
    deploymentFrequency: { reported: 'between once per day and once per week', minPerDay: 1 / 7 },
    leadTime: { reported: 'between one day and one week', maxMinutes: 7 * DAY, inclusive: true },
    changeFailRate: { reported: 0.2, max: 0.2 },
    recoveryTime: { reported: 'less than one day', maxMinutes: DAY, inclusive: false },
  },
  {
    level: 'medium',
    share: 0.35,
    deploymentFrequency: { reported: 'between once per week and once per month', minPerDay: 1 / 30 },
    leadTime: { reported: 'between one week and one month', maxMinutes: 30 * DAY, inclusive: true },
    changeFailRate: { reported: 0.1, max: 0.1 },
    recoveryTime: { reported: 'less than one day', maxMinutes: DAY, inclusive: false },
  },
  {
    level: 'low',
    share: 0.25,
    deploymentFrequency: { reported: 'between once per month and once every six months', minPerDay: 0 },
    leadTime: { reported: 'between one month and six months', maxMinutes: Infinity, inclusive: true },
    changeFailRate: { reported: 0.4, max: 1 },
    recoveryTime: { reported: 'between one week and one month', maxMinutes: Infinity, inclusive: true },
  },
];

const within = (v: number, max: number, inclusive: boolean) => (inclusive ? v <= max : v < max);

/** The best level whose bar the value meets; null without data. Scans elite → low, so a bar shared or undercut
 * by a better level (medium's change fail rate and recovery time) is never the first one met. */
function first(test: (row: LevelRow) => boolean): Level {
  return (DORA_2024_LEVELS.find(test) ?? DORA_2024_LEVELS[DORA_2024_LEVELS.length - 1]!).level;
}

export const deploymentFrequencyLevel = (perDay: number | null): Level | null => (perDay === null ? null : first((r) => perDay >= r.deploymentFrequency.minPerDay));
export const leadTimeLevel = (medianMinutes: number | null): Level | null =>
  medianMinutes === null ? null : first((r) => within(medianMinutes, r.leadTime.maxMinutes, r.leadTime.inclusive));
export const changeFailRateLevel = (rate: number | null): Level | null => (rate === null ? null : first((r) => rate <= r.changeFailRate.max));
export const recoveryTimeLevel = (medianMinutes: number | null): Level | null =>
  medianMinutes === null ? null : first((r) => within(medianMinutes, r.recoveryTime.maxMinutes, r.recoveryTime.inclusive));

export interface Levels {
  deploymentFrequency: Level | null;
  leadTime: Level | null;
  changeFailRate: Level | null;
  recoveryTime: Level | null;
  /** Our convention, not the report's: the weakest of the levels that have data (null if none has). */
  overall: Level | null;
}

export function classify(m: { deploysPerDay: number | null; leadTimeMedian: number | null; changeFailRate: number | null; recoveryMedian: number | null }): Levels {
  const levels = {
    deploymentFrequency: deploymentFrequencyLevel(m.deploysPerDay),
    leadTime: leadTimeLevel(m.leadTimeMedian),
    changeFailRate: changeFailRateLevel(m.changeFailRate),
    recoveryTime: recoveryTimeLevel(m.recoveryMedian),
  };
  const known = Object.values(levels).filter((l): l is Level => l !== null);
  const overall = known.length ? LEVELS[Math.max(...known.map((l) => LEVELS.indexOf(l)))]! : null;
  return { ...levels, overall };
}
