import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  alignWindow,
  CloudWatchMetricsSource,
  InvalidArnError,
  loadBalancerDimension,
  MetricsQueryError,
  seriesWindow,
  targetGroupDimension,
  UnsupportedMetricsSourceError,
} from '../../adapters/aws/cloudwatch-metrics.js';
import { ServiceConfigSchema, type ServiceConfig, type ServiceConfigInput } from '../../core/config/services.js';

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const LISTENER = `${ARN}:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const TG_STABLE = `${ARN}:targetgroup/demo-stable/73e2d6bc24d8a067`;
const TG_CANARY = `${ARN}:targetgroup/demo-canary/2453ed029918f21f`;
const albRouter = { kind: 'alb', listenerArn: LISTENER, stableTargetGroupArn: TG_STABLE, canaryTargetGroupArn: TG_CANARY, cluster: 'prod', stableService: 'demo', canaryService: 'demo-canary', container: 'app' } as const;
const config = (router: ServiceConfigInput['router'] = albRouter): ServiceConfig => ({ name: 'demo', ...ServiceConfigSchema.parse({ repository: 'demo', router }) });

// A 30-second analysis window inside one minute.
const window = { from: new Date('2026-11-22T10:00:15Z'), to: new Date('2026-11-22T10:00:45Z') };
const result = (Id: string, ...Values: number[]): MetricDataResult => ({ Id, Label: Id, StatusCode: 'Complete', Values, Timestamps: Values.map(() => new Date('2026-11-22T10:00:00Z')) });

let cw: AwsClientStub<CloudWatchClient>;
let source: CloudWatchMetricsSource;

beforeEach(() => {
  const client = new CloudWatchClient({ region: 'us-east-1' });
  cw = mockClient(client);
  source = new CloudWatchMetricsSource(client);
});

describe('ALB dimensions from ARNs', () => {
  it('derives TargetGroup and LoadBalancer dimension values', () => {
    expect(targetGroupDimension(TG_CANARY)).toBe('targetgroup/demo-canary/2453ed029918f21f');
    expect(loadBalancerDimension(LISTENER)).toBe('app/demo-alb/50dc6c495c0c9188');
    expect(loadBalancerDimension(`${ARN}:listener-rule/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`)).toBe('app/demo-alb/50dc6c495c0c9188');
  });

  it.each([`${ARN}:loadbalancer/app/demo-alb/50dc6c495c0c9188`, `${ARN}:listener/net/nlb/1/2`, 'arn:aws:s3:::bucket'])('rejects %s as a listener', (arn) => {
    expect(() => loadBalancerDimension(arn)).toThrow(InvalidArnError);
  });

  it('widens a window to whole minutes: one period covers it', () => {
    expect(alignWindow(window)).toEqual({ start: new Date('2026-11-22T10:00:00Z'), end: new Date('2026-11-22T10:01:00Z'), periodSeconds: 60 });
    expect(alignWindow({ from: new Date('2026-11-22T10:00:30Z'), to: new Date('2026-11-22T10:01:30Z') }).periodSeconds).toBe(120);
    expect(alignWindow({ from: new Date('2026-11-22T10:00:00Z'), to: new Date('2026-11-22T10:05:00Z') }).periodSeconds).toBe(300);
    expect(alignWindow({ from: new Date('2026-11-22T10:00:00Z'), to: new Date('2026-11-22T10:00:00Z') }).periodSeconds).toBe(60);
  });
});

describe('CloudWatchMetricsSource', () => {
  it('sends one GetMetricData query for the canary target group and converts the results', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [result('requests', 240), result('errors5xx', 3), result('latencyAvg', 0.042), result('latencyP99', 0.18), result('unhealthyHosts', 1)],
    });
    const sample = await source.sample(config(), 'canary', window, []);
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const dims = [
      { Name: 'TargetGroup', Value: 'targetgroup/demo-canary/2453ed029918f21f' },
      { Name: 'LoadBalancer', Value: 'app/demo-alb/50dc6c495c0c9188' },
    ];
    const q = (Id: string, MetricName: string, Stat: string) => ({
      Id,
      MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName, Dimensions: dims }, Period: 60, Stat },
      ReturnData: true,
    });
    expect(calls[0]!.args[0].input).toEqual({
      MetricDataQueries: [
        q('requests', 'RequestCount', 'Sum'),
        q('errors5xx', 'HTTPCode_Target_5XX_Count', 'Sum'),
        q('latencyAvg', 'TargetResponseTime', 'Average'),
        q('latencyP99', 'TargetResponseTime', 'p99'),
        q('unhealthyHosts', 'UnHealthyHostCount', 'Maximum'),
      ],
      StartTime: new Date('2026-11-22T10:00:00Z'),
      EndTime: new Date('2026-11-22T10:01:00Z'),
      ScanBy: 'TimestampAscending',
    });
    expect(sample).toEqual({
      from: '2026-11-22T10:00:00.000Z',
      to: '2026-11-22T10:01:00.000Z',
      requests: 240,
      errors5xx: 3,
      avgLatencyMs: 42,
      p99LatencyMs: 180,
      unhealthyHosts: 1,
    });
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
  });

  it('queries the stable target group for the baseline', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await source.sample(config(), 'stable', window, []);
    const dims = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries![0]!.MetricStat!.Metric!.Dimensions;
    expect(dims).toEqual([
      { Name: 'TargetGroup', Value: 'targetgroup/demo-stable/73e2d6bc24d8a067' },
      { Name: 'LoadBalancer', Value: 'app/demo-alb/50dc6c495c0c9188' },
    ]);
  });

  it('no datapoints: counts are 0, everything else null (no data)', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: ['requests', 'errors5xx', 'latencyAvg', 'latencyP99', 'unhealthyHosts'].map((id) => result(id)),
    });
    expect(await source.sample(config(), 'canary', window, [])).toMatchObject({ requests: 0, errors5xx: 0, avgLatencyMs: null, p99LatencyMs: null, unhealthyHosts: null });
  });

  it('follows NextToken and merges the pages', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [result('requests', 100), { ...result('latencyP99'), StatusCode: 'PartialData' }], NextToken: 'page-2' })
      .resolvesOnce({ MetricDataResults: [result('requests', 50), result('latencyP99', 0.25), result('unhealthyHosts', 0)] });
    const sample = await source.sample(config(), 'canary', window, []);
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls.map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    expect(calls[1]!.args[0].input.MetricDataQueries).toEqual(calls[0]!.args[0].input.MetricDataQueries);
    expect(sample).toMatchObject({ requests: 150, p99LatencyMs: 250, unhealthyHosts: 0, avgLatencyMs: null });
  });

  it('a Forbidden or InternalError result is an error, not "no data"', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ ...result('requests'), StatusCode: 'Forbidden', Messages: [{ Code: 'AccessDenied', Value: 'no' }] }] });
    await expect(source.sample(config(), 'canary', window, [])).rejects.toThrow(MetricsQueryError);
  });

  it('reads alarm states (metric and composite) by name; unknown alarms are left out', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [result('requests', 10)] });
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'demo-5xx', StateValue: 'ALARM' }], NextToken: 'more' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'demo-latency', StateValue: 'INSUFFICIENT_DATA' }], CompositeAlarms: [{ AlarmName: 'demo-health', StateValue: 'OK' }] });
    const names = ['demo-5xx', 'demo-latency', 'demo-health', 'demo-gone'];
    const sample = await source.sample(config(), 'canary', window, names);
    expect(sample.alarms).toEqual({ 'demo-5xx': 'ALARM', 'demo-latency': 'INSUFFICIENT_DATA', 'demo-health': 'OK' });
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
      { AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken: 'more' },
    ]);
  });

  it('refuses a service without an ALB router before any call', async () => {
    await expect(source.sample(config({ kind: 'local' }), 'canary', window, [])).rejects.toThrow(UnsupportedMetricsSourceError);
    expect(cw.calls()).toHaveLength(0);
  });
});

describe('CloudWatchMetricsSource.series: per-period samples for the judge', () => {
  // An analysis step that started at 10:00:15; measured at 10:05:20 → the periods 10:00 … 10:04 have ended.
  const step = { from: new Date('2026-11-22T10:00:15Z'), to: new Date('2026-11-22T10:05:20Z') };
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 10, minute));
  const points = (Id: string, values: [minute: number, value: number][]): MetricDataResult => ({
    Id,
    StatusCode: 'Complete',
    Timestamps: values.map(([m]) => at(m)),
    Values: values.map(([, v]) => v),
  });

  it('periods are multiples of 60 s, from the period holding the step start to the last one that has ended', () => {
    expect(seriesWindow(step, 1)).toEqual({ start: at(0), end: at(5), periodSeconds: 60 });
    expect(seriesWindow(step, 90)).toEqual({ start: at(0), end: at(4), periodSeconds: 120 });
    expect(seriesWindow({ from: new Date('2026-11-22T10:00:15Z'), to: new Date('2026-11-22T10:00:50Z') }, 60)).toEqual({ start: at(0), end: at(0), periodSeconds: 60 });
  });

  it('queries both target groups per minute and joins the statistics on their timestamps', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        points('requests', [[0, 600], [1, 620], [3, 580]]),
        points('errors5xx', [[1, 6]]),
        points('latencyAvg', [[0, 0.021], [1, 0.022], [3, 0.02]]),
        points('latencyP99', [[0, 0.08], [1, 0.09], [3, 0.085]]),
      ],
    });
    const series = await source.series(config(), 'stable', step, 1);
    const input = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ StartTime: at(0), EndTime: at(5), ScanBy: 'TimestampAscending' });
    expect(input.MetricDataQueries!.map((q) => [q.Id, q.MetricStat!.Metric!.MetricName, q.MetricStat!.Stat, q.MetricStat!.Period])).toEqual([
      ['requests', 'RequestCount', 'Sum', 60],
      ['errors5xx', 'HTTPCode_Target_5XX_Count', 'Sum', 60],
      ['latencyAvg', 'TargetResponseTime', 'Average', 60],
      ['latencyP99', 'TargetResponseTime', 'p99', 60],
    ]);
    expect(input.MetricDataQueries![0]!.MetricStat!.Metric!.Dimensions![0]).toEqual({ Name: 'TargetGroup', Value: 'targetgroup/demo-stable/73e2d6bc24d8a067' });
    expect(series).toEqual({
      from: '2026-11-22T10:00:00.000Z',
      to: '2026-11-22T10:05:00.000Z',
      stepSeconds: 60,
      points: [
        { at: '2026-11-22T10:00:00.000Z', requests: 600, errors5xx: 0, avgLatencyMs: 21, p99LatencyMs: 80 },
        { at: '2026-11-22T10:01:00.000Z', requests: 620, errors5xx: 6, avgLatencyMs: 22, p99LatencyMs: 90 },
        { at: '2026-11-22T10:03:00.000Z', requests: 580, errors5xx: 0, avgLatencyMs: 20, p99LatencyMs: 85 },
      ],
    });
  });

  it('merges pages into the same periods', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [points('requests', [[0, 10]]), points('latencyAvg', [[0, 0.03]])], NextToken: 'p2' })
      .resolvesOnce({ MetricDataResults: [points('requests', [[1, 12]]), points('latencyAvg', [[1, 0.04]])] });
    const series = await source.series(config(), 'canary', step, 60);
    expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'p2']);
    expect(series.points.map((p) => [p.requests, p.avgLatencyMs])).toEqual([[10, 30], [12, 40]]);
  });

  it('a window shorter than one period needs no call', async () => {
    const series = await source.series(config(), 'canary', { from: new Date('2026-11-22T10:00:15Z'), to: new Date('2026-11-22T10:00:50Z') }, 60);
    expect(series.points).toEqual([]);
    expect(cw.calls()).toHaveLength(0);
  });

  it('Forbidden is an error; a service without an ALB router is refused before any call', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ ...points('requests', []), StatusCode: 'Forbidden' }] });
    await expect(source.series(config(), 'canary', step, 60)).rejects.toThrow(MetricsQueryError);
    cw.reset();
    await expect(source.series(config({ kind: 'local' }), 'canary', step, 60)).rejects.toThrow(UnsupportedMetricsSourceError);
    expect(cw.calls()).toHaveLength(0);
  });
});
