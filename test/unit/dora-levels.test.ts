import { describe, expect, it } from 'vitest';
import { changeFailRateLevel, classify, deploymentFrequencyLevel, DORA_2024_LEVELS, leadTimeLevel, recoveryTimeLevel } from '../../core/dora/levels.js';

const HOUR = 60;
const DAY = 24 * HOUR;

describe('DORA 2024 levels: the best level whose bar a value meets', () => {
  it('the table has the four 2024 clusters in order, their shares summing to 101 % as reported (rounding)', () => {
    expect(DORA_2024_LEVELS.map((r) => [r.level, r.share, r.changeFailRate.reported])).toEqual([
      ['elite', 0.19, 0.05],
      ['high', 0.22, 0.2],
      ['medium', 0.35, 0.1],
      ['low', 0.25, 0.4],
    ]);
  });

  it.each<[number, string]>([
    [5, 'elite'], [1, 'elite'], [0.99, 'high'], [1 / 7, 'high'], [0.14, 'medium'], [1 / 30, 'medium'], [0.033, 'low'], [0, 'low'],
  ])('deployment frequency %s per day → %s', (perDay, level) => expect(deploymentFrequencyLevel(perDay)).toBe(level));

  it.each<[number, string]>([
    [0, 'elite'], [DAY - 1, 'elite'], [DAY, 'high'], [7 * DAY, 'high'], [7 * DAY + 1, 'medium'], [30 * DAY, 'medium'], [30 * DAY + 1, 'low'], [400 * DAY, 'low'],
  ])('lead time %s min → %s', (minutes, level) => expect(leadTimeLevel(minutes)).toBe(level));

  it.each<[number, string]>([
    [0, 'elite'], [0.05, 'elite'], [0.051, 'high'], [0.1, 'high'], [0.2, 'high'], [0.21, 'low'], [1, 'low'],
  ])('change fail rate %s → %s (medium, reported at 10 %, is never reached: high already covers it)', (rate, level) => expect(changeFailRateLevel(rate)).toBe(level));

  it.each<[number, string]>([
    [0, 'elite'], [HOUR - 1, 'elite'], [HOUR, 'high'], [DAY - 1, 'high'], [DAY, 'low'], [30 * DAY, 'low'],
  ])('recovery time %s min → %s (medium shares high\'s bar)', (minutes, level) => expect(recoveryTimeLevel(minutes)).toBe(level));

  it('no data → no level; overall is the weakest level with data', () => {
    expect(classify({ deploysPerDay: null, leadTimeMedian: null, changeFailRate: null, recoveryMedian: null }).overall).toBeNull();
    expect(classify({ deploysPerDay: 2, leadTimeMedian: 30, changeFailRate: null, recoveryMedian: null })).toEqual({
      deploymentFrequency: 'elite', leadTime: 'elite', changeFailRate: null, recoveryTime: null, overall: 'elite',
    });
    expect(classify({ deploysPerDay: 2, leadTimeMedian: 10 * DAY, changeFailRate: 0.1, recoveryMedian: 5 }).overall).toBe('medium');
  });
});
