import { describe, expect, it } from 'vitest';
import { checkMetric, judge, measure, measurementError, zeroCounters, type MetricSample } from '../../core/delivery/analysis.js';
import { AnalysisTemplateSchema } from '../../core/delivery/spec.js';

const sample = (over: Partial<MetricSample> = {}): MetricSample => ({
  from: '2026-11-22T10:00:00.000Z',
  to: '2026-11-22T10:00:30.000Z',
  requests: 200,
  errors5xx: 0,
  avgLatencyMs: 40,
  p99LatencyMs: 180,
  unhealthyHosts: 0,
  ...over,
});

describe('checkMetric: one metric of one sample against its threshold', () => {
  it.each([
    ['5xx rate under the max passes', { metric: 'http5xxRate', max: 1 }, sample({ errors5xx: 1 }), 'pass', 0.5],
    ['5xx rate equal to the max passes', { metric: 'http5xxRate', max: 1 }, sample({ errors5xx: 2 }), 'pass', 1],
    ['5xx rate over the max fails', { metric: 'http5xxRate', max: 1 }, sample({ errors5xx: 3 }), 'fail', 1.5],
    ['too few requests is no data, never a pass', { metric: 'http5xxRate', max: 1 }, sample({ requests: 3, errors5xx: 0 }), 'inconclusive', null],
    ['average latency over the max fails', { metric: 'latencyAvg', max: 30 }, sample(), 'fail', 40],
    ['p99 latency under the max passes', { metric: 'latencyP99', max: 200 }, sample(), 'pass', 180],
    ['p99 missing is no data', { metric: 'latencyP99', max: 200 }, sample({ p99LatencyMs: null }), 'inconclusive', null],
    ['one unhealthy host over max 0 fails', { metric: 'unhealthyHosts', max: 0 }, sample({ unhealthyHosts: 1 }), 'fail', 1],
    ['unhealthy hosts unknown is no data', { metric: 'unhealthyHosts', max: 0 }, sample({ unhealthyHosts: null }), 'inconclusive', null],
    ['an alarm in ALARM fails', { metric: 'alarm', alarmNames: ['a', 'b'] }, sample({ alarms: { a: 'OK', b: 'ALARM' } }), 'fail', 'ALARM'],
    ['an alarm without data is inconclusive', { metric: 'alarm', alarmNames: ['a'] }, sample({ alarms: { a: 'INSUFFICIENT_DATA' } }), 'inconclusive', 'INSUFFICIENT_DATA'],
    ['an alarm missing from the source is inconclusive', { metric: 'alarm', alarmNames: ['a'] }, sample(), 'inconclusive', 'INSUFFICIENT_DATA'],
    ['alarms all OK pass', { metric: 'alarm', alarmNames: ['a', 'b'] }, sample({ alarms: { a: 'OK', b: 'OK' } }), 'pass', 'OK'],
  ] as const)('%s', (_name, check, s, verdict, value) => {
    const r = checkMetric({ critical: true, ...check } as never, s, 10);
    expect(r.verdict).toBe(verdict);
    expect(r.value).toBe(value);
    expect(r.reason.length).toBeGreaterThan(5);
  });

  it('explains a breach with value, unit and threshold', () => {
    expect(checkMetric({ metric: 'http5xxRate', max: 1, critical: true }, sample({ errors5xx: 24 }), 10).reason).toBe('5xx rate 12 % > 1 %');
  });
});

const template = AnalysisTemplateSchema.parse({
  metrics: [
    { metric: 'http5xxRate', max: 1 },
    { metric: 'latencyP99', max: 500 },
  ],
  failureLimit: 1,
  inconclusiveLimit: 2,
  consecutiveErrorLimit: 2,
});
const at = { stepIndex: 1, stage: 10 };

describe('measure: the worst verdict wins', () => {
  it('fails when any metric fails, keeping every result', () => {
    const m = measure(template, sample({ errors5xx: 10, p99LatencyMs: 100 }), at);
    expect(m.verdict).toBe('fail');
    expect(m.results.map((r) => r.verdict)).toEqual(['fail', 'pass']);
  });
  it('is inconclusive when nothing fails but something has no data', () => {
    expect(measure(template, sample({ p99LatencyMs: null }), at).verdict).toBe('inconclusive');
  });
  it('passes only when every metric passes', () => {
    expect(measure(template, sample(), at).verdict).toBe('pass');
  });
});

describe('judge: failureLimit, inconclusiveLimit and consecutiveErrorLimit', () => {
  const run = (verdicts: ('pass' | 'fail' | 'inconclusive' | 'error')[]) => {
    let counters = zeroCounters();
    const outcomes: string[] = [];
    for (const v of verdicts) {
      const m =
        v === 'error'
          ? measurementError({ ...at, from: 'a', to: 'b' }, 'boom')
          : measure(template, v === 'pass' ? sample() : v === 'fail' ? sample({ errors5xx: 50 }) : sample({ requests: 0 }), at);
      const j = judge(template, counters, m);
      counters = j.counters;
      outcomes.push(j.outcome);
    }
    return { outcomes, counters };
  };

  it('tolerates failureLimit failures and fails on the next', () => {
    expect(run(['fail', 'pass', 'fail']).outcomes).toEqual(['ok', 'ok', 'failed']);
  });
  it('tolerates inconclusiveLimit inconclusive measurements and fails on the next', () => {
    expect(run(['inconclusive', 'inconclusive', 'pass', 'inconclusive']).outcomes).toEqual(['ok', 'ok', 'ok', 'failed']);
  });
  it('counts only consecutive errors against consecutiveErrorLimit', () => {
    expect(run(['error', 'error', 'pass', 'error', 'error']).outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    const r = run(['error', 'error', 'error']);
    expect(r.outcomes).toEqual(['ok', 'ok', 'failed']);
    expect(r.counters).toMatchObject({ errors: 3, consecutiveErrors: 3, measurements: 3 });
  });
  it('names the metric that tipped the analysis over', () => {
    const strict = { ...template, failureLimit: 0 };
    const j = judge(strict, zeroCounters(), measure(strict, sample({ errors5xx: 30 }), at));
    expect(j.outcome).toBe('failed');
    expect(j.culprit).toMatchObject({ metric: 'http5xxRate', value: 15, threshold: 1 });
    expect(j.reason).toBe('5xx rate 15 % > 1 % at 10 % (failureLimit 0)');
  });
});
