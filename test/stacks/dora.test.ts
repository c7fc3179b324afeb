import { initProject } from 'sst/project.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENT_METRIC_NAMES } from '../../core/dora/deployment-metrics.js';
import { doraRecorderPattern } from '../../events/rules.js';
import { API_HANDLER } from '../../stacks/Delivery.js';
import { RECORDER_HANDLER, WEBHOOKS_HANDLER } from '../../stacks/dora.js';
import {
  ALB_CONFIG,
  ROOT,
  actionsOf,
  allStatements,
  asArray,
  getAtt,
  ofType,
  renderJoin,
  roleStatements,
  single,
  synth,
  withAction,
  type Json,
  type Synth,
} from '../support/synth.js';

let s: Synth;
let bare: Synth;
const previousNodeEnv = process.env.NODE_ENV;

beforeAll(async () => {
  process.env.NODE_ENV = 'test';
  await initProject({ root: ROOT, stage: 'test' });
  s = await synth({ config: ALB_CONFIG });
  bare = await synth({});
});
afterAll(() => {
  process.env.NODE_ENV = previousNodeEnv;
});

const busId = (x: Synth) => single(x, 'AWS::Events::EventBus')[0];
const tableId = (x: Synth) => single(x, 'AWS::DynamoDB::Table')[0];
const topicId = (x: Synth) => single(x, 'AWS::SNS::Topic')[0];
const functionIds = (x: Synth) => ofType(x, 'AWS::Lambda::Function').map(([id]) => id);
const holders = (x: Synth, action: string) => functionIds(x).filter((id) => x.resources[id]!.Properties.Role && actionsOf(roleStatements(x, id)).has(action));
const dashboard = (x: Synth, name: string) => {
  const [, d] = ofType(x, 'AWS::CloudWatch::Dashboard').find(([, r]) => r.Properties.DashboardName === name)!;
  return JSON.parse(renderJoin(d.Properties.DashboardBody)) as { widgets: Json[] };
};
const alarm = (x: Synth, name: string) => ofType(x, 'AWS::CloudWatch::Alarm').find(([, r]) => r.Properties.AlarmName === name)?.[1].Properties;

describe('webhooks function', () => {
  it('serves POST /webhooks/{provider} without IAM, and names its secret by reference', () => {
    const [, route] = ofType(s, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === 'POST /webhooks/{provider}')!;
    expect(route.Properties.AuthorizationType).toBe('NONE');
    const integrationId = /"Ref":"([^"]+)"/.exec(JSON.stringify(route.Properties.Target))![1]!;
    expect(s.resources[integrationId]!.Properties.IntegrationUri).toEqual(getAtt(s.fnId(WEBHOOKS_HANDLER)));
    const env = s.resources[s.fnId(WEBHOOKS_HANDLER)]!.Properties.Environment.Variables;
    expect(env).toMatchObject({ WEBHOOK_SECRETS_SECRET: 'lumina-test-webhook-secrets', TABLE_NAME: { Ref: tableId(s) }, EVENT_BUS_NAME: { Ref: busId(s) } });
    expect(JSON.stringify(env)).not.toMatch(/secret-value|SecretString/i);
    expect(s.template.toJSON().Outputs.WebhookSecretName.Value).toBe('lumina-test-webhook-secrets');
  });

  it('least privilege: delivery items (no index), PutEvents with source lumina.ci only, its one secret', () => {
    const st = roleStatements(s, s.fnId(WEBHOOKS_HANDLER));
    expect([...actionsOf(st)].filter((a) => !a.startsWith('xray:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'events:PutEvents',
      'secretsmanager:GetSecretValue',
    ]);
    expect(withAction(st, 'dynamodb:PutItem')[0].Resource).toEqual(getAtt(tableId(s)));
    expect(withAction(st, 'events:PutEvents')).toEqual([expect.objectContaining({ Resource: getAtt(busId(s)), Condition: { StringEquals: { 'events:source': ['lumina.ci'] } } })]);
    const [secret] = withAction(st, 'secretsmanager:GetSecretValue');
    expect(renderJoin(secret.Resource)).toBe('arn:{{Ref:AWS::Partition}}:secretsmanager:us-east-1:123456789012:secret:lumina-test-webhook-secrets-??????');
  });

  it('no other function may read the webhook secret or publish lumina.ci events', () => {
    expect(holders(s, 'secretsmanager:GetSecretValue')).toEqual([s.fnId(WEBHOOKS_HANDLER)]);
    const ci = withAction(allStatements(s.resources), 'events:PutEvents').filter((st) => JSON.stringify(st.Condition).includes('lumina.ci'));
    expect(ci).toHaveLength(1);
    for (const st of withAction(allStatements(s.resources), 'events:PutEvents')) expect(asArray(st.Condition.StringEquals['events:source'])).toHaveLength(1);
  });
});

describe('DORA recorder', () => {
  it('one rule on our bus with the shared pattern verbatim, retries and a dead-letter queue', () => {
    const [ruleId, rule] = ofType(s, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(doraRecorderPattern))!;
    expect(rule.Properties.EventBusName).toEqual({ Ref: busId(s) });
    expect(rule.Properties.EventPattern.source).toEqual(['lumina.ci', 'lumina.delivery']);
    const [target] = rule.Properties.Targets;
    expect(target).toMatchObject({ Arn: getAtt(s.fnId(RECORDER_HANDLER)), RetryPolicy: { MaximumRetryAttempts: 8 } });
    const queueId = target.DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(s.resources[queueId]!.Type).toBe('AWS::SQS::Queue');
    s.template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: getAtt(s.fnId(RECORDER_HANDLER)), Principal: 'events.amazonaws.com', SourceArn: getAtt(ruleId) });
    // Invocations that keep failing (async retries) land in the same queue.
    const [, invoke] = single(s, 'AWS::Lambda::EventInvokeConfig');
    expect(invoke.Properties).toMatchObject({ FunctionName: { Ref: s.fnId(RECORDER_HANDLER) }, MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: getAtt(queueId) } } });
    expect(withAction(roleStatements(s, s.fnId(RECORDER_HANDLER)), 'sqs:SendMessage')[0].Resource).toEqual(getAtt(queueId));
  });

  it('runs one at a time (reserved concurrency 1), reads and writes the table, publishes nothing, reads no secret', () => {
    expect(s.resources[s.fnId(RECORDER_HANDLER)]!.Properties.ReservedConcurrentExecutions).toBe(1);
    const actions = actionsOf(roleStatements(s, s.fnId(RECORDER_HANDLER)));
    for (const a of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']) expect(actions.has(a), a).toBe(true);
    for (const a of ['events:PutEvents', 'secretsmanager:GetSecretValue', 'dynamodb:DeleteItem', 'dynamodb:Scan']) expect(actions.has(a), a).toBe(false);
  });

  it('the API function serves GET /api/dora under IAM, may BatchGetItem day rollups, and knows the teams', () => {
    const [, route] = ofType(s, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === 'GET /api/dora')!;
    expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
    const [batch] = withAction(roleStatements(s, s.fnId(API_HANDLER)), 'dynamodb:BatchGetItem');
    expect(batch).toMatchObject({ Action: 'dynamodb:BatchGetItem', Resource: getAtt(tableId(s)) });
    expect(s.resources[s.fnId(API_HANDLER)]!.Properties.Environment.Variables.DORA_TEAMS).toBe('{}');
  });
});

describe('dashboards', () => {
  const metricsOf = (w: Json): Json[] => w.properties?.metrics ?? [];
  const names = (widgets: Json[]) => new Set(widgets.flatMap(metricsOf).flatMap((m: Json[]) => (m[0] === 'Lumina/Deployments' ? [m[1]] : [])));

  it('Deployment Overview: frequency, success rate, MTTR, duration, change failure rate, canary progress, rollback events', () => {
    const { widgets } = dashboard(s, 'lumina-test-deployment-overview');
    const titles = widgets.map((w) => w.properties.title).filter(Boolean);
    expect(titles).toEqual([
      'Deployment frequency per day (production)',
      'Success rate % per day (production)',
      'MTTR: rollback time, minutes (production)',
      'Deployment duration, minutes (production)',
      'Change failure rate % per day (production)',
      'Canary progress (production)',
      'Rollback events (production)',
    ]);
    const byTitle = (t: string) => widgets.find((w) => w.properties.title?.startsWith(t))!;
    expect(metricsOf(byTitle('Success rate'))).toEqual([
      [{ label: 'success rate %', expression: 'IF(total > 0, 100 * part / total, 0)', period: 86400 }],
      ['Lumina/Deployments', 'SuccessfulDeployments', 'environment', 'production', { id: 'part', visible: false, period: 86400, stat: 'Sum' }],
      ['Lumina/Deployments', 'DeploymentCount', 'environment', 'production', { id: 'total', visible: false, period: 86400, stat: 'Sum' }],
    ]);
    const canary = byTitle('Canary progress');
    expect(JSON.stringify(metricsOf(canary))).toContain(`SEARCH('{Lumina/Deployments,environment,service} MetricName=\\"CanaryTrafficPercentage\\" environment=\\"production\\"', 'Maximum', 60)`);
    expect(JSON.stringify(metricsOf(canary))).toContain('CanaryHealthScore');
    expect(metricsOf(byTitle('Rollback events')).map((m: Json[]) => m[1])).toEqual(['RollbackCount', 'AutoRollbackCount', 'ManualRollbackCount']);
    expect(metricsOf(byTitle('Deployment duration')).map((m: Json[]) => m.at(-1).stat ?? 'Average')).toEqual(['Average', 'p90', 'Maximum']);
    for (const w of widgets.filter((x) => x.type === 'metric')) expect(w.properties.region).toBe('{{Ref:AWS::Region}}');
  });

  it('DORA Metrics: frequency, lead time, change failure rate and recovery time, over the recorder\'s metrics', () => {
    const { widgets } = dashboard(s, 'lumina-test-dora-metrics');
    expect(widgets.map((w) => w.properties.title).filter(Boolean)).toEqual([
      'Last period (production)',
      'Deployment frequency: successful deployments per week (production)',
      'Change lead time, hours (production)',
      'Change failure rate % per week (production)',
      'Failed deployment recovery time, minutes (production)',
    ]);
    expect(widgets[0]!.properties.markdown).toContain('GET /api/dora');
    expect(names(widgets)).toEqual(new Set(['SuccessfulDeployments', 'FailedDeployments', 'DeploymentCount', 'LeadTime', 'RollbackTime']));
    const lead = widgets.find((w) => w.properties.title?.startsWith('Change lead time'))!;
    expect(metricsOf(lead)).toEqual([
      ['Lumina/Deployments', 'LeadTime', 'environment', 'production', { label: 'median', period: 604800, stat: 'p50' }],
      ['Lumina/Deployments', 'LeadTime', 'environment', 'production', { label: 'p90', period: 604800, stat: 'p90' }],
    ]);
  });

  it('every metric name a dashboard reads is one the recorder publishes', () => {
    const all = [...dashboard(s, 'lumina-test-deployment-overview').widgets, ...dashboard(s, 'lumina-test-dora-metrics').widgets];
    const searched = JSON.stringify(all).match(/MetricName=\\"(\w+)\\"/g)!.map((x) => x.replace(/MetricName=\\"|\\"/g, ''));
    for (const n of [...names(all), ...searched]) expect(DEPLOYMENT_METRIC_NAMES).toContain(n);
  });
});

describe('alarms (to the notification topic)', () => {
  it('deployment failure rate > 10 % over a day, as metric math over the recorder\'s counts', () => {
    const a = alarm(s, 'lumina-test-deployment-failure-rate-production');
    expect(a).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 10, EvaluationPeriods: 1, TreatMissingData: 'notBreaching', AlarmActions: [{ Ref: topicId(s) }] });
    expect(a.Metrics).toEqual([
      { Id: 'expr_1', Expression: 'IF(total > 0, 100 * part / total, 0)', Label: 'failure rate %', ReturnData: true },
      { Id: 'part', ReturnData: false, MetricStat: { Metric: { Namespace: 'Lumina/Deployments', MetricName: 'FailedDeployments', Dimensions: [{ Name: 'environment', Value: 'production' }] }, Period: 86400, Stat: 'Sum' } },
      { Id: 'total', ReturnData: false, MetricStat: { Metric: { Namespace: 'Lumina/Deployments', MetricName: 'DeploymentCount', Dimensions: [{ Name: 'environment', Value: 'production' }] }, Period: 86400, Stat: 'Sum' } },
    ]);
  });

  it('a deployment slower than 60 minutes', () => {
    expect(alarm(s, 'lumina-test-slow-deployment-production')).toMatchObject({
      Namespace: 'Lumina/Deployments',
      MetricName: 'DeploymentDuration',
      Dimensions: [{ Name: 'environment', Value: 'production' }],
      Statistic: 'Maximum',
      Threshold: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topicId(s) }],
    });
  });

  it.each([
    ['checkout', 'targetgroup/checkout-canary/2453ed029918f21f', 'app/shop-prod/50dc6c495c0c9188'],
    ['catalog', 'targetgroup/catalog-canary/4b6d8f0a2c4e6a81', 'app/shop-internal/6d0ecf831eec9f09'],
  ])('canary alarms of %s on its canary target group: 5xx > 10 in 5 min, latency > 1 s average, unhealthy hosts > 0', (svc, tg, lb) => {
    const dims = [
      { Name: 'LoadBalancer', Value: lb },
      { Name: 'TargetGroup', Value: tg },
    ];
    const common = { Namespace: 'AWS/ApplicationELB', Dimensions: dims, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [{ Ref: topicId(s) }], TreatMissingData: 'notBreaching' };
    expect(alarm(s, `lumina-test-${svc}-canary-5xx`)).toMatchObject({ ...common, MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum', Period: 300, Threshold: 10 });
    expect(alarm(s, `lumina-test-${svc}-canary-latency`)).toMatchObject({ ...common, MetricName: 'TargetResponseTime', Statistic: 'Average', Period: 300, Threshold: 1 });
    expect(alarm(s, `lumina-test-${svc}-canary-unhealthy-hosts`)).toMatchObject({ ...common, MetricName: 'UnHealthyHostCount', Statistic: 'Maximum', Threshold: 0 });
  });

  it('exactly the deployment alarms plus three per configured ALB service; none for canaries without a services config', () => {
    expect(ofType(s, 'AWS::CloudWatch::Alarm')).toHaveLength(2 + 3 * 2);
    const names = ofType(bare, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName).sort();
    expect(names).toEqual(['lumina-test-deployment-failure-rate-production', 'lumina-test-slow-deployment-production']);
    expect(ofType(bare, 'AWS::CloudWatch::Dashboard')).toHaveLength(2);
  });
});
