import type { JudgementRecord } from './judged-analysis.js';
import type { AnalysisTemplate, MetricCheck, MetricName } from './spec.js';

/** What a metrics source observed for one version of a service over one window. `null` = no data. */
export interface MetricSample {
  from: string;
  to: string;
  requests: number;
  errors5xx: number;
  avgLatencyMs: number | null;
  p99LatencyMs: number | null;
  unhealthyHosts: number | null;
  /** CloudWatch alarm name → state. A requested alarm missing from the map is "no data". */
  alarms?: Record<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>;
}

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error';

export interface MetricResult {
  metric: MetricName;
  value: number | string | null;
  threshold: number | string;
  verdict: Exclude<Verdict, 'error'>;
  reason: string;
}

export interface Measurement {
  stepIndex: number;
  /** Canary weight (%) in force while measured. */
  stage: number;
  from: string;
  to: string;
  requests: number | null;
  verdict: Verdict;
  results: MetricResult[];
  /** Set when the metrics source failed; then results is empty (unless the judge's samples were what failed). */
  error?: string;
  baseline?: MetricSample;
  /** Baseline-versus-canary judgement, when the template has a judge (judged-analysis.ts). */
  judgement?: JudgementRecord;
}

export interface AnalysisCounters {
  measurements: number;
  passed: number;
  failed: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
}

export const zeroCounters = (): AnalysisCounters => ({
  measurements: 0,
  passed: 0,
  failed: 0,
  inconclusive: 0,
  errors: 0,
  consecutiveErrors: 0,
});

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function checkMax(metric: MetricName, label: string, unit: string, value: number | null, max: number, noData: string): MetricResult {
  if (value === null || Number.isNaN(value)) {
    return { metric, value: null, threshold: max, verdict: 'inconclusive', reason: `${label}: no data (${noData})` };
  }
  const v = round(value);
  if (v > max) return { metric, value: v, threshold: max, verdict: 'fail', reason: `${label} ${v}${unit} > ${max}${unit}` };
  return { metric, value: v, threshold: max, verdict: 'pass', reason: `${label} ${v}${unit} ≤ ${max}${unit}` };
}

/** Judges one metric of one sample. Too little traffic is "no data": inconclusive, never a pass. */
export function checkMetric(check: MetricCheck, sample: MetricSample, minRequests: number): MetricResult {
  const enoughTraffic = sample.requests >= minRequests;
  const scarce = `${sample.requests} request(s) in the window, ${minRequests} needed`;
  switch (check.metric) {
    case 'http5xxRate': {
      const rate = enoughTraffic ? (100 * sample.errors5xx) / sample.requests : null;
      return checkMax('http5xxRate', '5xx rate', ' %', rate, check.max, scarce);
    }
    case 'latencyAvg':
      return checkMax('latencyAvg', 'average latency', ' ms', enoughTraffic ? sample.avgLatencyMs : null, check.max, scarce);
    case 'latencyP99':
      return checkMax('latencyP99', 'p99 latency', ' ms', enoughTraffic ? sample.p99LatencyMs : null, check.max, scarce);
    case 'unhealthyHosts':
      return checkMax('unhealthyHosts', 'unhealthy hosts', '', sample.unhealthyHosts, check.max, 'no host health reported');
    case 'alarm': {
      const states = check.alarmNames.map((name) => [name, sample.alarms?.[name] ?? 'INSUFFICIENT_DATA'] as const);
      const firing = states.filter(([, s]) => s === 'ALARM').map(([n]) => n);
      const unknown = states.filter(([, s]) => s === 'INSUFFICIENT_DATA').map(([n]) => n);
      const threshold = 'OK';
      if (firing.length) return { metric: 'alarm', value: 'ALARM', threshold, verdict: 'fail', reason: `alarm ${firing.join(', ')} in ALARM` };
      if (unknown.length)
        return { metric: 'alarm', value: 'INSUFFICIENT_DATA', threshold, verdict: 'inconclusive', reason: `alarm ${unknown.join(', ')}: insufficient data` };
      return { metric: 'alarm', value: 'OK', threshold, verdict: 'pass', reason: `${states.length} alarm(s) OK` };
    }
  }
}

/** One measurement: every metric judged; the worst verdict wins (fail > inconclusive > pass). */
export function measure(
  template: AnalysisTemplate,
  sample: MetricSample,
  where: { stepIndex: number; stage: number },
  baseline?: MetricSample,
): Measurement {
  const results = template.metrics.map((check) => checkMetric(check, sample, template.minRequests));
  const verdict: Verdict = results.some((r) => r.verdict === 'fail')
    ? 'fail'
    : results.some((r) => r.verdict === 'inconclusive')
      ? 'inconclusive'
      : 'pass';
  return { ...where, from: sample.from, to: sample.to, requests: sample.requests, verdict, results, ...(baseline ? { baseline } : {}) };
}

/** A measurement for a metrics source that threw or timed out. */
export function measurementError(where: { stepIndex: number; stage: number; from: string; to: string }, error: string): Measurement {
  return { ...where, requests: null, verdict: 'error', results: [], error };
}

export interface Judgement {
  counters: AnalysisCounters;
  /** `failed` ends the analysis (roll back); `ok` lets it go on. */
  outcome: 'ok' | 'failed';
  reason: string;
  /** The result that tipped the analysis over, when one metric did. */
  culprit?: MetricResult;
}

/** Adds a measurement to the analysis counters and applies failureLimit, inconclusiveLimit and consecutiveErrorLimit. */
export function judge(template: AnalysisTemplate, counters: AnalysisCounters, m: Measurement): Judgement {
  const c: AnalysisCounters = { ...counters, measurements: counters.measurements + 1 };
  if (m.verdict === 'error') {
    c.errors += 1;
    c.consecutiveErrors += 1;
    if (c.consecutiveErrors > template.consecutiveErrorLimit) {
      return {
        counters: c,
        outcome: 'failed',
        reason: `metrics source failed ${c.consecutiveErrors} time(s) in a row (consecutiveErrorLimit ${template.consecutiveErrorLimit}): ${m.error}`,
      };
    }
    return { counters: c, outcome: 'ok', reason: `metrics source error (${c.consecutiveErrors}/${template.consecutiveErrorLimit} tolerated): ${m.error}` };
  }
  c.consecutiveErrors = 0;
  // A judgement that decides the verdict explains it when no threshold check did.
  const judged = m.judgement?.counts && m.judgement.verdict === m.verdict ? m.judgement : undefined;
  // judgeMode `judge`: the checks are recorded only, so none of them is the culprit.
  const checks = m.judgement?.counts && m.judgement.mode === 'judge' ? [] : m.results;
  if (m.verdict === 'fail') {
    c.failed += 1;
    if (judged?.decisive) return { counters: c, outcome: 'failed', reason: `${judged.reason} at ${m.stage} %` };
    const culprit = checks.find((r) => r.verdict === 'fail');
    const what = culprit?.reason ?? judged?.reason ?? 'a metric failed';
    if (c.failed > template.failureLimit) {
      return { counters: c, outcome: 'failed', reason: `${what} at ${m.stage} % (failureLimit ${template.failureLimit})`, ...(culprit ? { culprit } : {}) };
    }
    return { counters: c, outcome: 'ok', reason: `${what} (${c.failed}/${template.failureLimit} failures tolerated)` };
  }
  if (m.verdict === 'inconclusive') {
    c.inconclusive += 1;
    const culprit = checks.find((r) => r.verdict === 'inconclusive');
    const what = culprit?.reason ?? judged?.reason ?? 'no data';
    if (c.inconclusive > template.inconclusiveLimit) {
      return {
        counters: c,
        outcome: 'failed',
        reason: `${c.inconclusive} inconclusive measurement(s) (inconclusiveLimit ${template.inconclusiveLimit}): ${what}`,
        ...(culprit ? { culprit } : {}),
      };
    }
    return { counters: c, outcome: 'ok', reason: `inconclusive: ${what}` };
  }
  c.passed += 1;
  return { counters: c, outcome: 'ok', reason: judged ? judged.reason : 'all metrics within thresholds' };
}
