import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { ServiceConfig } from '../../core/config/services.js';
import type { MetricSample } from '../../core/delivery/analysis.js';
import type { MetricSeries, SeriesPoint } from '../../core/delivery/judged-analysis.js';
import type { MetricsSource } from '../../core/delivery/ports.js';

/** An ARN the ALB metrics dimensions cannot be derived from. */
export class InvalidArnError extends Error {
  override name = 'InvalidArnError';
}

/** CloudWatch answered a query with StatusCode Forbidden or InternalError. */
export class MetricsQueryError extends Error {
  override name = 'MetricsQueryError';
}

/** Metrics source for a service routed by an ALB (`router.kind === 'alb'`). */
export class UnsupportedMetricsSourceError extends Error {
  override name = 'UnsupportedMetricsSourceError';
}

const ARN = /^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:/;

/** `arn:…:targetgroup/NAME/ID` → `targetgroup/NAME/ID` (the TargetGroup dimension). */
export function targetGroupDimension(arn: string): string {
  const m = new RegExp(`${ARN.source}(targetgroup/[^/]+/[^/]+)$`).exec(arn);
  if (!m?.[1]) throw new InvalidArnError(`not a target group ARN: ${arn}`);
  return m[1];
}

/** `arn:…:listener/app/NAME/ID/LID` (or a listener-rule ARN) → `app/NAME/ID` (the LoadBalancer dimension). */
export function loadBalancerDimension(listenerArn: string): string {
  const m = new RegExp(`${ARN.source}listener(?:-rule)?/(app/[^/]+/[^/]+)/.+$`).exec(listenerArn);
  if (!m?.[1]) throw new InvalidArnError(`not an application load balancer listener ARN: ${listenerArn}`);
  return m[1];
}

const MINUTE = 60_000;

/**
 * ALB metrics have 60-second granularity, so a window is widened to whole minutes: the query starts at `from` rounded
 * down and ends at `to` rounded up to the minute, and its period is that whole span (a multiple of 60 s, ≥ the window
 * length rounded up to 60 s). CloudWatch then returns one datapoint per statistic covering the whole window, and the
 * returned sample reports that widened window as its from/to.
 */
export function alignWindow(window: { from: Date; to: Date }): { start: Date; end: Date; periodSeconds: number } {
  const start = Math.floor(window.from.getTime() / MINUTE) * MINUTE;
  const end = Math.max(start + MINUTE, Math.ceil(window.to.getTime() / MINUTE) * MINUTE);
  return { start: new Date(start), end: new Date(end), periodSeconds: (end - start) / 1000 };
}

type Combine = 'sum' | 'mean' | 'max';
const QUERIES = [
  { id: 'requests', metric: 'RequestCount', stat: 'Sum', combine: 'sum' },
  { id: 'errors5xx', metric: 'HTTPCode_Target_5XX_Count', stat: 'Sum', combine: 'sum' },
  { id: 'latencyAvg', metric: 'TargetResponseTime', stat: 'Average', combine: 'mean' },
  { id: 'latencyP99', metric: 'TargetResponseTime', stat: 'p99', combine: 'max' },
  { id: 'unhealthyHosts', metric: 'UnHealthyHostCount', stat: 'Maximum', combine: 'max' },
] as const satisfies readonly { id: string; metric: string; stat: string; combine: Combine }[];
type QueryId = (typeof QUERIES)[number]['id'];
/** The judge's series: the same statistics per period (host health is not judged). */
const SERIES_QUERIES = QUERIES.filter((q) => q.id !== 'unhealthyHosts');

/**
 * The judge's periods: `stepSeconds` rounded up to a multiple of 60 (ALB metrics' resolution). The query starts at
 * the period holding `from` — the first, partial minute of a step still pairs canary and baseline in time, and
 * dropping it would cost a whole sample — and ends at the last period that has ended (the current one is still
 * being aggregated). An empty span (less than one period) needs no query.
 */
export function seriesWindow(window: { from: Date; to: Date }, stepSeconds: number): { start: Date; end: Date; periodSeconds: number } {
  const periodSeconds = Math.max(60, Math.ceil(stepSeconds / 60) * 60);
  const p = periodSeconds * 1000;
  const start = Math.floor(window.from.getTime() / p) * p;
  const end = Math.max(start, Math.floor(window.to.getTime() / p) * p);
  return { start: new Date(start), end: new Date(end), periodSeconds };
}

/** Several datapoints (should the window span more than one period) are combined; none → null. */
function combine(values: number[], how: Combine): number | null {
  if (values.length === 0) return null;
  if (how === 'max') return Math.max(...values);
  const sum = values.reduce((a, b) => a + b, 0);
  return how === 'sum' ? sum : sum / values.length;
}

type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * Samples one target group (the canary's or the stable's) of a service behind an ALB, from the AWS/ApplicationELB
 * namespace with the TargetGroup + LoadBalancer dimensions: one GetMetricData call (plus its pages) per sample.
 * No datapoint means no data (null), except for the counts: ALB publishes RequestCount and HTTPCode_Target_5XX_Count
 * only when non-zero, so a missing count is 0 (and 0 requests reads as "no data" downstream, via minRequests).
 * Latencies are converted from seconds to milliseconds. Alarms (metric and composite) come from DescribeAlarms.
 */
export class CloudWatchMetricsSource implements MetricsSource {
  constructor(private readonly client: CloudWatchClient) {}

  async sample(service: ServiceConfig, role: 'canary' | 'stable', window: { from: Date; to: Date }, alarmNames: string[]): Promise<MetricSample> {
    const dimensions = this.dimensions(service, role);
    const aligned = alignWindow(window);
    const [values, alarms] = await Promise.all([this.metricData(dimensions, aligned), alarmNames.length ? this.alarmStates(alarmNames) : undefined]);
    const ms = (seconds: number | null) => (seconds === null ? null : seconds * 1000);
    return {
      from: aligned.start.toISOString(),
      to: aligned.end.toISOString(),
      requests: values.requests ?? 0,
      errors5xx: values.errors5xx ?? 0,
      avgLatencyMs: ms(values.latencyAvg),
      p99LatencyMs: ms(values.latencyP99),
      unhealthyHosts: values.unhealthyHosts,
      ...(alarms ? { alarms } : {}),
    };
  }

  /**
   * Per-period series of one target group for the judge: RequestCount, 5XX count, average and p99
   * TargetResponseTime per period, joined on the datapoints' timestamps. As in `sample`, a missing count is 0 and a
   * missing latency null (a period without requests then carries no observation downstream).
   */
  async series(service: ServiceConfig, role: 'canary' | 'stable', window: { from: Date; to: Date }, stepSeconds: number): Promise<MetricSeries> {
    const dimensions = this.dimensions(service, role);
    const w = seriesWindow(window, stepSeconds);
    const base = { from: w.start.toISOString(), to: w.end.toISOString(), stepSeconds: w.periodSeconds };
    if (w.end.getTime() <= w.start.getTime()) return { ...base, points: [] };
    const byTime = new Map<number, SeriesPoint>();
    for (const r of await this.query(dimensions, w, SERIES_QUERIES)) {
      (r.Timestamps ?? []).forEach((t, i) => {
        const v = r.Values?.[i];
        if (v === undefined) return;
        const at = new Date(t).getTime();
        let p = byTime.get(at);
        if (!p) byTime.set(at, (p = { at: new Date(at).toISOString(), requests: 0, errors5xx: 0, avgLatencyMs: null, p99LatencyMs: null }));
        if (r.Id === 'requests') p.requests += v;
        else if (r.Id === 'errors5xx') p.errors5xx += v;
        else if (r.Id === 'latencyAvg') p.avgLatencyMs = v * 1000;
        else if (r.Id === 'latencyP99') p.p99LatencyMs = v * 1000;
      });
    }
    return { ...base, points: [...byTime.values()].sort((a, b) => a.at.localeCompare(b.at)) };
  }

  private dimensions(service: ServiceConfig, role: 'canary' | 'stable') {
    const r = service.router;
    if (r.kind !== 'alb') throw new UnsupportedMetricsSourceError(`service ${service.name} uses router kind '${r.kind}', not 'alb'`);
    return [
      { Name: 'TargetGroup', Value: targetGroupDimension(role === 'canary' ? r.canaryTargetGroupArn : r.stableTargetGroupArn) },
      { Name: 'LoadBalancer', Value: loadBalancerDimension(r.listenerArn) },
    ];
  }

  /** One GetMetricData request and its pages; a Forbidden or InternalError result throws. */
  private async query(
    dimensions: { Name: string; Value: string }[],
    w: { start: Date; end: Date; periodSeconds: number },
    which: readonly (typeof QUERIES)[number][],
  ): Promise<MetricDataResult[]> {
    const queries: MetricDataQuery[] = which.map((q) => ({
      Id: q.id,
      MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: q.metric, Dimensions: dimensions }, Period: w.periodSeconds, Stat: q.stat },
      ReturnData: true,
    }));
    const results: MetricDataResult[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: w.start, EndTime: w.end, ScanBy: 'TimestampAscending', ...(token ? { NextToken: token } : {}) }),
      );
      for (const result of res.MetricDataResults ?? []) {
        checkStatus(result);
        results.push(result);
      }
      token = res.NextToken;
    } while (token);
    return results;
  }

  private async metricData(
    dimensions: { Name: string; Value: string }[],
    w: { start: Date; end: Date; periodSeconds: number },
  ): Promise<Record<QueryId, number | null>> {
    const collected = new Map<string, number[]>();
    for (const result of await this.query(dimensions, w, QUERIES)) {
      if (result.Id) collected.set(result.Id, [...(collected.get(result.Id) ?? []), ...(result.Values ?? [])]);
    }
    const out = {} as Record<QueryId, number | null>;
    for (const q of QUERIES) out[q.id] = combine(collected.get(q.id) ?? [], q.combine);
    return out;
  }

  /** Alarm name → state for the alarms that exist; a requested alarm missing from the map is "no data" downstream. */
  private async alarmStates(names: string[]): Promise<Record<string, AlarmState>> {
    const states: Record<string, AlarmState> = {};
    for (let i = 0; i < names.length; i += 100) {
      let token: string | undefined;
      do {
        const res = await this.client.send(
          new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], ...(token ? { NextToken: token } : {}) }),
        );
        for (const a of [...(res.MetricAlarms ?? []), ...(res.CompositeAlarms ?? [])]) if (a.AlarmName && a.StateValue) states[a.AlarmName] = a.StateValue;
        token = res.NextToken;
      } while (token);
    }
    return states;
  }
}

function checkStatus(result: MetricDataResult) {
  if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError') {
    const detail = (result.Messages ?? []).map((m) => `${m.Code}: ${m.Value}`).join('; ');
    throw new MetricsQueryError(`GetMetricData ${result.Id}: ${result.StatusCode}${detail ? ` (${detail})` : ''}`);
  }
}
