import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addHistogram, bucketIndex, bucketValue, HISTOGRAM_RELATIVE_ERROR, median, minutesBetween, percentile, single, type Histogram } from '../../core/dora/histogram.js';
import { bucketsOf, bucketStart } from '../../core/dora/time.js';

const hist = (...minutes: number[]): Histogram => minutes.reduce<Histogram>((h, m) => addHistogram(h, single(m)), {});

describe('duration histogram', () => {
  it('is exact to the minute below 64 minutes', () => {
    for (let m = 0; m < 64; m++) expect(bucketValue(bucketIndex(m))).toBe(m);
    expect(bucketValue(bucketIndex(12.9))).toBe(12);
  });

  it('reports any duration up to a year within 1/64 of the floored minutes, with indexes rising with the value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 525_600 }), (m) => {
        const v = bucketValue(bucketIndex(m));
        expect(Math.abs(v - m)).toBeLessThanOrEqual(m * HISTOGRAM_RELATIVE_ERROR);
        expect(bucketIndex(m + 1)).toBeGreaterThanOrEqual(bucketIndex(m));
      }),
    );
    expect(bucketIndex(525_600)).toBeLessThan(520);
  });

  it('median averages the two middle samples; p90 is nearest-rank; empty → null', () => {
    expect(median(hist(10, 20, 30))).toBe(20);
    expect(median(hist(10, 20, 30, 41))).toBe(25);
    expect(percentile(hist(...Array.from({ length: 10 }, (_, i) => i + 1)), 0.9)).toBe(9);
    expect(percentile(hist(1, 2, 3), 0.9)).toBe(3);
    expect([median({}), percentile({}, 0.9)]).toEqual([null, null]);
  });

  it('adds and subtracts back to empty; negative durations clamp to zero', () => {
    const h = hist(5, 5, 500);
    expect(addHistogram(h, hist(5, 500), -1)).toEqual(hist(5));
    expect(addHistogram(h, h, -1)).toEqual({});
    expect(minutesBetween(1000, 0)).toBe(0);
  });
});

describe('UTC calendar buckets', () => {
  it('weeks start on Monday (ISO), across a year boundary', () => {
    expect(bucketStart('2025-01-01', 'week')).toBe('2024-12-30');
    expect(bucketStart('2025-03-09', 'week')).toBe('2025-03-03');
    expect(bucketStart('2025-03-10', 'week')).toBe('2025-03-10');
    expect(bucketStart('2024-02-29', 'month')).toBe('2024-02-01');
  });

  it('a window is covered by contiguous clipped buckets whose days add up', () => {
    const b = bucketsOf('2024-02-27', '2024-03-02', 'month');
    expect(b).toEqual([
      { key: '2024-02-01', from: '2024-02-27', to: '2024-02-29', days: 3 },
      { key: '2024-03-01', from: '2024-03-01', to: '2024-03-02', days: 2 },
    ]);
    expect(bucketsOf('2025-01-01', '2025-12-31', 'week').reduce((s, x) => s + x.days, 0)).toBe(365);
    expect(bucketsOf('2025-01-01', '2025-12-31', 'day')).toHaveLength(365);
  });
});
