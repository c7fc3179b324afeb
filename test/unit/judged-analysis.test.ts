import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDeliveryConfig } from '../../core/config/services.js';
import { judge as applyLimits, measure, measurementError, zeroCounters, type Measurement, type MetricSample } from '../../core/delivery/analysis.js';
import { applyAnalysis, initialStatus } from '../../core/delivery/engine.js';
import { samplesFromSeries, verdictOf, withJudgement, type JudgeContext, type MetricSeries } from '../../core/delivery/judged-analysis.js';
import { AnalysisTemplateSchema, judgeModeOf, type AnalysisTemplate } from '../../core/delivery/spec.js';
import { canarySpec } from '../../core/delivery/strategies.js';
import { judge, type JudgeConfigInput } from '../../core/judge/index.js';
import { mulberry32, normals } from '../fixtures/judge/generate.js';

const JUDGE: JudgeConfigInput = {
  metrics: [
    { name: 'latencyAvg', label: 'average latency', allowedIncreasePct: 10, critical: true, group: 'latency' },
    { name: 'latencyP99', label: 'p99 latency', allowedIncreasePct: 20, group: 'latency' },
    { name: 'http5xxRate', label: '5xx rate', allowedIncreasePct: 0, tolerance: 0.5, group: 'errors' },
  ],
  thresholds: { pass: 90, marginal: 60 },
};
const template = (over: Record<string, unknown> = {}): AnalysisTemplate =>
  AnalysisTemplateSchema.parse({ metrics: [{ metric: 'http5xxRate', max: 1 }, { metric: 'latencyP99', max: 500 }], judge: JUDGE, ...over });

const t0 = Date.parse('2026-11-22T10:00:00Z');
/** n one-second periods of 100 requests whose average latency is `avg` ms with ±2 % noise, p99 = 3 × average. */
function series(avg: number, n = 20, seed = 1, over: Partial<MetricSeries['points'][number]> = {}): MetricSeries {
  const noise = normals(mulberry32(seed), n, 1, 0.02);
  const points = noise.map((k, i) => ({ at: new Date(t0 + i * 1000).toISOString(), requests: 100, errors5xx: 0, avgLatencyMs: avg * k, p99LatencyMs: 3 * avg * k, ...over }));
  return { from: new Date(t0).toISOString(), to: new Date(t0 + n * 1000).toISOString(), stepSeconds: 1, points };
}
const sample = (over: Partial<MetricSample> = {}): MetricSample => ({ from: '', to: '', requests: 200, errors5xx: 0, avgLatencyMs: 26, p99LatencyMs: 80, unhealthyHosts: 0, ...over });
const at = { stepIndex: 1, stage: 25 };
const ctx = (canary: MetricSeries, baseline: MetricSeries, final = false): JudgeContext => ({ final, notApplicable: null, series: { canary: { series: canary }, baseline: { series: baseline } } });

describe('the analysis template with a judge', () => {
  it('without a judge keeps today’s shape and mode: thresholds only', () => {
    const t = AnalysisTemplateSchema.parse({ metrics: [{ metric: 'http5xxRate', max: 1 }] });
    expect(Object.keys(t)).not.toContain('judge');
    expect(judgeModeOf(t)).toBe('threshold');
  });

  it('with a judge defaults to both, and keeps an explicit mode', () => {
    expect(judgeModeOf(template())).toBe('both');
    expect(judgeModeOf(template({ judgeMode: 'threshold' }))).toBe('threshold');
    expect(template().judge!.metrics[0]).toMatchObject({ name: 'latencyAvg', minSamples: 5, noData: 'ignore' });
  });

  it('the example config (test/fixtures/config/local-judge.config.json) parses, judging in mode both', () => {
    const [svc] = parseDeliveryConfig(JSON.parse(readFileSync('test/fixtures/config/local-judge.config.json', 'utf8')));
    expect(judgeModeOf(svc!.canary.analysis)).toBe('both');
    expect(svc!.canary.analysis.judge!.metrics.map((m) => [m.name, m.critical, m.noData])).toEqual([
      ['latencyAvg', true, 'ignore'],
      ['latencyP99', false, 'ignore'],
      ['http5xxRate', false, 'count'],
    ]);
  });

  it.each([
    [{ judge: undefined, judgeMode: 'judge' }, 'judgeMode', 'judgeMode judge needs a judge config'],
    [{ judge: { metrics: [{ name: 'cpu' }] } }, 'judge.metrics.0.name', 'no samples for cpu: the judge gets http5xxRate, latencyAvg, latencyP99'],
    [{ judge: { metrics: [{ name: 'latencyAvg' }], thresholds: { pass: 50, marginal: 60 } } }, 'judge.thresholds.marginal', 'marginal must be below pass'],
  ])('rejects %j at %s', (over, path, message) => {
    const r = AnalysisTemplateSchema.safeParse({ metrics: [{ metric: 'http5xxRate', max: 1 }], ...over });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toContainEqual([path, message]);
  });
});

describe('samplesFromSeries: one value per period with traffic', () => {
  it('computes the 5xx rate per period and leaves out periods without requests or latency', () => {
    const c = series(20, 3);
    c.points[0] = { ...c.points[0]!, errors5xx: 5 };
    c.points[1] = { ...c.points[1]!, requests: 0, avgLatencyMs: null, p99LatencyMs: null };
    const s = samplesFromSeries(c, series(20, 2));
    expect(s.http5xxRate!.canary).toEqual([5, 0]);
    expect(s.latencyAvg!.canary).toHaveLength(2);
    expect(s.latencyP99!.baseline).toHaveLength(2);
  });
});

describe('verdictOf: interim and final', () => {
  const cfg = (thresholds = { pass: 95, marginal: 60 }) => ({ metrics: ['a', 'b', 'c', 'd'].map((name) => ({ name, allowedIncreasePct: 10 })), thresholds });
  const same = { canary: [10, 11, 12, 13, 14, 15], baseline: [10, 11, 12, 13, 14, 15] };
  const high = { canary: [20, 21, 22, 23, 24, 25], baseline: [10, 11, 12, 13, 14, 15] };
  const j = (failing: number, thresholds?: { pass: number; marginal: number }) =>
    judge(cfg(thresholds), Object.fromEntries(['a', 'b', 'c', 'd'].map((n, i) => [n, i < failing ? high : same])));

  it.each([
    ['all pass', 0, false, 'pass', false],
    ['all pass at the end', 0, true, 'pass', false],
    ['score 75, marginal, interim: inconclusive', 1, false, 'inconclusive', false],
    ['score 75, marginal, at the end: fail', 1, true, 'fail', true],
    ['score 50 ≤ marginal, interim: a counted fail', 2, false, 'fail', false],
    ['score 50 at the end: decisive', 2, true, 'fail', true],
  ] as const)('%s', (_name, failing, final, verdict, decisive) => {
    expect(verdictOf(j(failing), final)).toMatchObject({ verdict, decisive });
  });

  it('a critical metric judged HIGH fails at once, explained by its own sentence', () => {
    const v = verdictOf(judge({ metrics: [{ name: 'a', label: 'average latency', critical: true }] }, { a: high }), false);
    expect(v).toMatchObject({ verdict: 'fail', decisive: true });
    expect(v.reason).toMatch(/^average latency rose \d+ % .*: HIGH — critical$/);
  });

  it('too little data is inconclusive, never a pass, even at the end', () => {
    const v = verdictOf(judge({ metrics: [{ name: 'a' }] }, { a: { canary: [1, 2], baseline: [1, 2] } }), true);
    expect(v).toMatchObject({ verdict: 'inconclusive', decisive: false });
    expect(v.reason).toContain('no metric had enough data');
  });

  it('a score kept down only by metrics without data (noData count) waits while the step runs, and fails at its end', () => {
    const jj = judge({ metrics: [{ name: 'a' }, { name: 'b', noData: 'count', minSamples: 20 }] }, { a: same, b: same });
    expect(jj.score).toBe(50);
    expect(verdictOf(jj, false)).toMatchObject({ verdict: 'inconclusive', decisive: false });
    expect(verdictOf(jj, false).reason).toMatch(/waiting for data$/);
    expect(verdictOf(jj, true)).toMatchObject({ verdict: 'fail', decisive: true });
  });

  it('no metric with data is inconclusive even when noData count scores it 0', () => {
    const jj = judge({ metrics: [{ name: 'a', noData: 'count' }] }, {});
    expect(jj).toMatchObject({ score: 0, insufficientData: false });
    expect(verdictOf(jj, true)).toMatchObject({ verdict: 'inconclusive', decisive: false });
  });

  it('a critical metric without data (noData fail) waits while the step runs, and fails it at the end', () => {
    const jj = judge({ metrics: [{ name: 'a', critical: true, noData: 'fail' }] }, { a: { canary: [1], baseline: [1] } });
    expect(verdictOf(jj, false)).toMatchObject({ verdict: 'inconclusive', decisive: false });
    expect(verdictOf(jj, true)).toMatchObject({ verdict: 'fail', decisive: true });
  });
});

describe('withJudgement: the mode decides who sets the verdict', () => {
  const slower = ctx(series(26, 20, 2), series(20, 20, 3));
  const alike = ctx(series(20, 20, 4), series(20, 20, 5));

  it('returns the measurement unchanged without a judge', () => {
    const t = AnalysisTemplateSchema.parse({ metrics: [{ metric: 'http5xxRate', max: 1 }] });
    const m = measure(t, sample(), at);
    expect(withJudgement(t, m, slower)).toBe(m);
  });

  it('both: a 30 % slower canary under every absolute threshold fails, decisively, on the critical metric', () => {
    const m = withJudgement(template(), measure(template(), sample(), at), slower);
    expect(m.results.every((r) => r.verdict === 'pass')).toBe(true);
    expect(m.verdict).toBe('fail');
    expect(m.judgement).toMatchObject({ mode: 'both', counts: true, decisive: true, score: 0, criticalFailures: ['latencyAvg'] });
    expect(m.judgement!.reason).toMatch(/^average latency rose 3\d % \(95 % CI .*\) over baseline; allowed 10 %: HIGH — critical$/);
    expect(m.judgement!.metrics.map((x) => [x.metric, x.outcome])).toEqual([['latencyAvg', 'high'], ['latencyP99', 'high'], ['http5xxRate', 'pass']]);
    expect(m.judgement!.window).toMatchObject({ stepSeconds: 1, canaryPeriods: 20, baselinePeriods: 20 });
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it('threshold: the judge runs in shadow, recorded, never deciding', () => {
    const t = template({ judgeMode: 'threshold' });
    const m = withJudgement(t, measure(t, sample(), at), slower);
    expect(m.verdict).toBe('pass');
    expect(m.judgement).toMatchObject({ counts: false, decisive: false, verdict: 'fail' });
  });

  it('judge: the checks are recorded only; the judge’s pass wins over a breached threshold', () => {
    const t = template({ judgeMode: 'judge' });
    const m = withJudgement(t, measure(t, sample({ p99LatencyMs: 900 }), at), alike);
    expect(m.results.find((r) => r.metric === 'latencyP99')!.verdict).toBe('fail');
    expect(m.verdict).toBe('pass');
  });

  it('both: the worse of the two, so a breached threshold still fails a canary the judge passes', () => {
    const m = withJudgement(template(), measure(template(), sample({ p99LatencyMs: 900 }), at), alike);
    expect(m.judgement!.verdict).toBe('pass');
    expect(m.verdict).toBe('fail');
  });

  it('an unavailable series is an error measurement when the judge decides, a note when it does not', () => {
    const broken: JudgeContext = { final: false, notApplicable: null, series: { canary: { error: 'MetricsQueryError: throttled' }, baseline: { series: series(20) } } };
    const decided = withJudgement(template(), measure(template(), sample(), at), broken);
    expect(decided).toMatchObject({ verdict: 'error', error: 'judge: samples unavailable: MetricsQueryError: throttled' });
    const shadow = withJudgement(template({ judgeMode: 'threshold' }), measure(template(), sample(), at), broken);
    expect(shadow).toMatchObject({ verdict: 'pass', judgement: { verdict: 'error', counts: false } });
  });

  it('does not apply without baseline traffic: skipped, the checks decide even in judge mode', () => {
    const t = template({ judgeMode: 'judge' });
    const m = withJudgement(t, measure(t, sample({ p99LatencyMs: 900 }), { stepIndex: 9, stage: 100 }), { final: true, notApplicable: 'no traffic at 100 %', series: null });
    expect(m.verdict).toBe('fail');
    expect(m.judgement).toMatchObject({ verdict: 'skipped', applicable: false, counts: false });
  });
});

describe('limits and step completion with the judge deciding', () => {
  const t = template({ failureLimit: 2, inconclusiveLimit: 1 });
  const judged = (canary: number, final = false, n = 20) => withJudgement(t, measure(t, sample(), at), ctx(series(canary, n, 6), series(20, n, 7), final));

  it('a decisive judgement fails the analysis whatever failureLimit tolerates, with metric judge', () => {
    const j = applyLimits(t, zeroCounters(), judged(26));
    expect(j.outcome).toBe('failed');
    expect(j.reason).toMatch(/^average latency rose .*: HIGH — critical at 25 %$/);
  });

  it('too few samples count against inconclusiveLimit with the judge’s reason', () => {
    const first = applyLimits(t, zeroCounters(), judged(20, false, 3));
    expect(first).toMatchObject({ outcome: 'ok', counters: { inconclusive: 1 } });
    expect(first.reason).toContain('no metric had enough data');
    expect(applyLimits(t, first.counters, judged(20, false, 3)).outcome).toBe('failed');
  });

  it('an error measurement of the canary sample keeps today’s error counting', () => {
    const m = withJudgement(t, measurementError({ ...at, from: 'a', to: 'b' }, 'boom'), ctx(series(20, 20, 8), series(20, 20, 9)));
    expect(applyLimits(t, zeroCounters(), m)).toMatchObject({ outcome: 'ok', counters: { errors: 1 } });
  });

  const spec = canarySpec({ stages: [25, 100], stageSeconds: 60, analysis: { ...t, failureLimit: 0 } });
  const start = new Date('2026-11-22T10:00:00Z');
  const status = { ...initialStatus(), lockHeld: true, stepIndex: 1, canaryWeight: 25, stepStartedAt: start.toISOString() };
  const later = (s: number) => new Date(start.getTime() + s * 1000);
  const judgedFor = (canary: number, final: boolean): Measurement => withJudgement(spec.analysis, measure(spec.analysis, sample(), at), ctx(series(canary, 20, 10), series(20, 20, 11), final));

  it('completes the step only on a passing judgement made at its end', () => {
    const interim = applyAnalysis({ spec, status }, judgedFor(20, false), later(20));
    expect(interim.stepCompleted).toBe(false);
    const end = applyAnalysis({ spec, status: interim.status }, judgedFor(20, true), later(60));
    expect(end.stepCompleted).toBe(true);
    expect(end.status.lastMeasurement!.judgement!.final).toBe(true);
  });

  it('records the judge as the failed metric, with its score and the bar it missed', () => {
    const t2 = applyAnalysis({ spec, status }, judgedFor(26, false), later(20));
    expect(t2.failed).toBe(true);
    expect(t2.status.failure).toMatchObject({ metric: 'judge', value: 0, threshold: 60, stage: 25 });
    expect(t2.status.failure!.reason).toContain('average latency rose');
  });
});
