import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rollupsOf } from '../../core/dora/aggregate.js';
import { countOf } from '../../core/dora/histogram.js';
import { computeMetrics, type Metrics } from '../../core/dora/metrics.js';
import type { DoraRecord } from '../../core/dora/records.js';
import { records } from '../fixtures/dora/arbitraries.js';

const window = { from: '2025-01-01', to: '2025-01-31', bucket: 'week' as const };
const metricsOf = (rs: DoraRecord[]) => computeMetrics(rollupsOf(rs), window);

describe('DORA core properties (fast-check)', () => {
  it('the same records in any order give identical rollups and metrics', () => {
    fc.assert(
      fc.property(
        records.chain((rs) => fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length }))),
        ([rs, shuffled]) => {
          expect(rollupsOf(shuffled)).toEqual(rollupsOf(rs));
          expect(metricsOf(shuffled)).toEqual(metricsOf(rs));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('duplicated records (redelivery, replay) change nothing', () => {
    fc.assert(
      fc.property(
        records
          .chain((rs) => fc.tuple(fc.constant(rs), fc.array(fc.nat(), { maxLength: 20 })))
          .chain(([rs, picks]) => {
            const replayed = [...rs, ...(rs.length ? picks.map((p) => rs[p % rs.length]!) : [])];
            return fc.tuple(fc.constant(rs), fc.shuffledSubarray(replayed, { minLength: replayed.length, maxLength: replayed.length }));
          }),
        ([rs, replayed]) => {
          expect(rollupsOf(replayed)).toEqual(rollupsOf(rs));
          expect(metricsOf(replayed)).toEqual(metricsOf(rs));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rates stay within [0, 1] and every figure matches the counts it came from, in every bucket', () => {
    const check = (m: Metrics) => {
      for (const rate of [m.changeFailRate, m.reworkRate]) {
        if (m.counts.deployments === 0) expect(rate).toBeNull();
        else {
          expect(rate).toBeGreaterThanOrEqual(0);
          expect(rate).toBeLessThanOrEqual(1);
        }
      }
      expect(m.counts.changeFailures).toBeLessThanOrEqual(m.counts.deployments);
      expect(m.counts.successful + m.counts.failed).toBe(m.counts.deployments);
      for (const v of Object.values(m.counts)) expect(v).toBeGreaterThanOrEqual(0);
      expect(m.deploymentFrequency.perDay).toBe(m.counts.successful / m.days);
      if (m.leadTime.samples === 0) expect(m.leadTime.medianMinutes).toBeNull();
      else expect(m.leadTime.medianMinutes!).toBeLessThanOrEqual(m.leadTime.p90Minutes!);
    };
    fc.assert(
      fc.property(records, (rs) => {
        const m = metricsOf(rs);
        check(m.total);
        m.buckets.forEach(check);
        expect(m.buckets.reduce((s, b) => s + b.counts.deployments, 0)).toBe(m.total.counts.deployments);
        for (const r of rollupsOf(rs)) {
          expect(countOf(r.leadTime)).toBe(r.counts.leadTimes ?? 0);
          expect(countOf(r.recovery)).toBe(r.counts.recoveries ?? 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a commit yields at most one lead-time sample per environment, however often it is deployed', () => {
    fc.assert(
      fc.property(records, (rs) => {
        const total = rollupsOf(rs).reduce((s, r) => s + (r.counts.leadTimes ?? 0), 0);
        const pairs = new Set(rs.flatMap((r) => (r.kind === 'deployment' && r.status === 'success' ? r.commitShas.map((c) => `${r.service}/${r.environment}/${c}`) : [])));
        expect(total).toBeLessThanOrEqual(pairs.size);
      }),
    );
  });
});
