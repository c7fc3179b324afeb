import { describe, expect, it } from 'vitest';
import { metricsOfRecords, rollupsOf } from '../../core/dora/aggregate.js';
import { bucketIndex, bucketValue } from '../../core/dora/histogram.js';
import { computeMetrics } from '../../core/dora/metrics.js';
import { parseDoraRecord, type DoraRecordInput } from '../../core/dora/records.js';
import { SCENARIO } from '../fixtures/dora/scenario.js';

/** What the histogram reports for a sample of m minutes (exact below 64 min, bucket midpoint above). */
const reported = (m: number) => bucketValue(bucketIndex(m));
const api = { services: ['api'], environment: 'production' };
const march = { from: '2025-03-01', to: '2025-03-16', bucket: 'week' as const };

describe('computeMetrics on the hand-checked scenario (test/fixtures/dora/scenario.md)', () => {
  const m = metricsOfRecords(SCENARIO, march, api);

  it('counts deployments, failures and change failures, a deployment with two incidents once', () => {
    expect(m.total.counts).toMatchObject({ deployments: 11, successful: 8, failed: 3, rolledBack: 1, incidentLinked: 1, changeFailures: 4, rework: 1, incidentsOpened: 2, incidentsResolved: 2 });
    expect(m.total.changeFailRate).toBeCloseTo(4 / 11, 12);
    expect(m.total.reworkRate).toBeCloseTo(1 / 11, 12);
    expect(m.total.deploymentFrequency).toEqual({ successful: 8, perDay: 0.5, perWeek: 3.5 });
  });

  it('takes one lead-time sample per commit at its first successful deploy: squash, batch, redeploy', () => {
    expect(m.total.leadTime).toEqual({ samples: 9, medianMinutes: reported(80), p90Minutes: reported(1440) });
  });

  it('measures recovery from failed deployments and incidents, in the window where recovery happened', () => {
    expect(m.total.recoveryTime).toEqual({ samples: 4, medianMinutes: 37.5, p90Minutes: reported(240) });
  });

  it('classifies each metric and takes the weakest as overall', () => {
    expect(m.total.levels).toEqual({ deploymentFrequency: 'high', leadTime: 'elite', changeFailRate: 'low', recoveryTime: 'elite', overall: 'low' });
  });

  it('cuts ISO weeks (Monday start), clipping the first week to the window', () => {
    expect(m.buckets.map((b) => [b.key, b.from, b.to, b.days, b.counts.deployments])).toEqual([
      ['2025-02-24', '2025-03-01', '2025-03-02', 2, 0],
      ['2025-03-03', '2025-03-03', '2025-03-09', 7, 8],
      ['2025-03-10', '2025-03-10', '2025-03-16', 7, 3],
    ]);
    const [, w1, w2] = m.buckets;
    expect(w1!.leadTime.medianMinutes).toBe((reported(80) + reported(105)) / 2);
    expect(w1!.recoveryTime.medianMinutes).toBe(32.5);
    expect(w2!.recoveryTime.medianMinutes).toBe((30 + reported(240)) / 2);
    expect(w2!.counts).toMatchObject({ rework: 1, changeFailures: 1, incidentsOpened: 1, incidentsResolved: 2 });
  });

  it('an incident spanning a window boundary is opened in the first window and recovered in the second', () => {
    const before = metricsOfRecords(SCENARIO, { from: '2025-03-03', to: '2025-03-09' }, api).total;
    const after = metricsOfRecords(SCENARIO, { from: '2025-03-10', to: '2025-03-16' }, api).total;
    expect([before.counts.incidentsOpened, before.counts.incidentsResolved, before.recoveryTime.samples]).toEqual([1, 0, 2]);
    expect([after.counts.incidentsOpened, after.counts.incidentsResolved, after.recoveryTime.samples]).toEqual([1, 2, 2]);
  });

  it('a failed deployment recovered after the window end has no recovery sample in it, and one in the next', () => {
    const next = metricsOfRecords(SCENARIO, { from: '2025-03-17', to: '2025-03-17', bucket: 'day' }, api).total;
    expect(next.recoveryTime).toEqual({ samples: 1, medianMinutes: reported(120), p90Minutes: reported(120) });
  });

  it('buckets by day and month too', () => {
    const days = metricsOfRecords(SCENARIO, { ...march, bucket: 'day' }, api);
    expect(days.buckets).toHaveLength(16);
    expect(days.buckets.find((b) => b.key === '2025-03-05')!.leadTime.samples).toBe(3);
    const months = metricsOfRecords(SCENARIO, { from: '2025-02-20', to: '2025-04-02', bucket: 'month' }, api);
    expect(months.buckets.map((b) => [b.key, b.days, b.counts.deployments])).toEqual([
      ['2025-02-01', 9, 0],
      ['2025-03-01', 31, 12],
      ['2025-04-01', 2, 0],
    ]);
  });

  it('an empty window has counts of zero, rates and levels of null', () => {
    const e = metricsOfRecords(SCENARIO, { from: '2024-01-01', to: '2024-01-31' }, api).total;
    expect(e.counts.deployments).toBe(0);
    expect([e.changeFailRate, e.reworkRate, e.leadTime.medianMinutes, e.recoveryTime.medianMinutes]).toEqual([null, null, null, null]);
    expect(e.levels).toEqual({ deploymentFrequency: null, leadTime: null, changeFailRate: null, recoveryTime: null, overall: null });
    expect(computeMetrics([], { from: '2025-01-01', to: '2025-01-01' }).total.deploymentFrequency.perDay).toBe(0);
  });

  it('keeps environments and services apart', () => {
    const staging = metricsOfRecords(SCENARIO, march, { services: ['api'], environment: 'staging' }).total;
    expect(staging.leadTime).toEqual({ samples: 1, medianMinutes: 15, p90Minutes: 15 });
    const web = metricsOfRecords(SCENARIO, march, { services: ['web'] , environment: 'production' }).total;
    expect([web.counts.deployments, web.changeFailRate]).toEqual([1, 1]);
  });
});

describe('status changes and late records', () => {
  const d = (status: 'success' | 'rolled_back', finishedAt: string): DoraRecordInput => ({ kind: 'deployment', service: 's', environment: 'production', deploymentId: 'x', status, finishedAt, commitShas: ['a'], commitTimes: { a: '2025-01-01T00:00:00Z' } });
  const window = { from: '2025-01-01', to: '2025-01-31' };

  it('a success later rolled back counts once, as a rolled-back deployment, and ships no commit', () => {
    const t = metricsOfRecords([d('success', '2025-01-01T01:00:00Z'), d('rolled_back', '2025-01-01T02:00:00Z')], window).total;
    expect(t.counts).toMatchObject({ deployments: 1, successful: 0, rolledBack: 1, changeFailures: 1, leadTimes: 0 });
    expect(t.changeFailRate).toBe(1);
  });

  it('a change failure rate never exceeds 100 %: incidents on a failed deployment do not add to it', () => {
    const inc = (id: string): DoraRecordInput => ({ kind: 'incident', incidentId: id, service: 's', environment: 'production', openedAt: '2025-01-01T03:00:00Z', causedByDeploymentId: 'x' });
    const t = metricsOfRecords([d('rolled_back', '2025-01-01T02:00:00Z'), inc('i1'), inc('i2'), inc('i3')], window).total;
    expect(t.counts).toMatchObject({ deployments: 1, changeFailures: 1, incidentsOpened: 3 });
    expect(t.changeFailRate).toBe(1);
  });

  it('an incident naming a deployment not yet seen is kept and counted when the deployment arrives', () => {
    const inc: DoraRecordInput = { kind: 'incident', incidentId: 'i', service: 's', environment: 'production', openedAt: '2025-01-02T00:00:00Z', causedByDeploymentId: 'x' };
    expect(rollupsOf([inc].map(parseDoraRecord)).flatMap((r) => Object.keys(r.counts))).toEqual(['incidentsOpened']);
    const t = metricsOfRecords([inc, d('success', '2025-01-01T01:00:00Z')], window).total;
    expect(t.counts).toMatchObject({ deployments: 1, incidentLinked: 1, changeFailures: 1 });
  });
});
