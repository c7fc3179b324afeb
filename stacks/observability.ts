import { Duration, type Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { loadBalancerDimension, targetGroupDimension } from '../adapters/aws/cloudwatch-metrics.js';
import { DEPLOYMENT_METRICS_NAMESPACE, type DeploymentMetricName } from '../core/dora/deployment-metrics.js';
import type { AlbServiceConfig } from './service-config.js';

/**
 * Dashboards and alarms over the deployment metrics the DORA recorder publishes (namespace Lumina/Deployments,
 * dimension sets [service, environment] and [environment]; core/dora/deployment-metrics.ts) and the ALB target
 * group metrics of the configured services' canaries. Alarms notify the stack's SNS topic.
 *
 * - Deployment alarms, per environment of the config (default `production`): failure rate > 10 % over a day;
 *   a deployment slower than 60 minutes.
 * - Canary alarms, per configured ALB service (its canary target group): 5xx > 10 in 5 minutes; average latency
 *   > 1 s over 5 minutes; unhealthy hosts > 0. Without a services config there is no target group to watch, so
 *   these are not created (the deployment alarms and dashboards still are).
 */

const NS = DEPLOYMENT_METRICS_NAMESPACE;
const DAY = Duration.days(1);
const WEEK = Duration.days(7);

const m = (name: DeploymentMetricName, environment: string, statistic: string, period: Duration, label?: string) =>
  new cw.Metric({ namespace: NS, metricName: name, dimensionsMap: { environment }, statistic, period, ...(label ? { label } : {}) });

/** One line per service (a SEARCH over the [service, environment] dimension set). */
const perService = (name: DeploymentMetricName, environment: string, statistic: string, period: Duration) =>
  new cw.MathExpression({
    expression: `SEARCH('{${NS},environment,service} MetricName="${name}" environment="${environment}"', '${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    label: '',
    period,
  });

const rate = (label: string, numerator: DeploymentMetricName, environment: string, period: Duration) =>
  new cw.MathExpression({
    expression: 'IF(total > 0, 100 * part / total, 0)',
    usingMetrics: { part: m(numerator, environment, 'Sum', period), total: m('DeploymentCount', environment, 'Sum', period) },
    label,
    period,
  });

const graph = (title: string, left: cw.IMetric[], opts: Partial<cw.GraphWidgetProps> = {}) => new cw.GraphWidget({ title, left, width: 12, height: 6, ...opts });

export function environmentsOf(services: AlbServiceConfig[] | undefined): string[] {
  const envs = [...new Set((services ?? []).map((s) => s.environment))];
  return envs.length ? envs.sort() : ['production'];
}

export function addDeploymentObservability(stack: Stack, o: { stage: string; topic: ITopic; services: AlbServiceConfig[] | undefined }) {
  const environments = environmentsOf(o.services);
  const notify = new SnsAction(o.topic);
  const header = (title: string, text: string) => new cw.TextWidget({ markdown: `# ${title} (${o.stage})\n${text}`, width: 24, height: 2 });

  const overview = new cw.Dashboard(stack, 'DeploymentOverviewDashboard', { dashboardName: `lumina-${o.stage}-deployment-overview` });
  overview.addWidgets(header('Deployment Overview', 'Published by the DORA recorder per event (namespace `Lumina/Deployments`). Exact, deduplicated DORA figures: `GET /api/dora`.'));
  const dora = new cw.Dashboard(stack, 'DoraMetricsDashboard', { dashboardName: `lumina-${o.stage}-dora-metrics` });
  dora.addWidgets(header('DORA Metrics', 'Trends from CloudWatch. Levels (DORA 2024) and exact values: `GET /api/dora?environment=…` (core/dora/README.md).'));

  for (const env of environments) {
    overview.addWidgets(
      graph(`Deployment frequency per day (${env})`, [m('DeploymentCount', env, 'Sum', DAY, 'all services'), perService('DeploymentCount', env, 'Sum', DAY)]),
      graph(`Success rate % per day (${env})`, [rate('success rate %', 'SuccessfulDeployments', env, DAY)], { leftYAxis: { min: 0, max: 100 } }),
    );
    overview.addWidgets(
      graph(`MTTR: rollback time, minutes (${env})`, [m('RollbackTime', env, 'Average', DAY, 'average'), m('RollbackTime', env, 'Maximum', DAY, 'maximum')]),
      graph(`Deployment duration, minutes (${env})`, [m('DeploymentDuration', env, 'Average', DAY, 'average'), m('DeploymentDuration', env, 'p90', DAY, 'p90'), m('DeploymentDuration', env, 'Maximum', DAY, 'maximum')]),
    );
    overview.addWidgets(
      graph(`Change failure rate % per day (${env})`, [rate('change failure rate %', 'FailedDeployments', env, DAY)], { leftYAxis: { min: 0, max: 100 } }),
      graph(`Canary progress (${env})`, [perService('CanaryTrafficPercentage', env, 'Maximum', Duration.minutes(1))], {
        right: [perService('CanaryHealthScore', env, 'Average', Duration.minutes(1))],
        leftYAxis: { label: 'canary traffic %', min: 0, max: 100 },
        rightYAxis: { label: 'health score', min: 0, max: 100 },
      }),
    );
    overview.addWidgets(
      graph(`Rollback events (${env})`, [m('RollbackCount', env, 'Sum', Duration.hours(1), 'all'), m('AutoRollbackCount', env, 'Sum', Duration.hours(1), 'automatic'), m('ManualRollbackCount', env, 'Sum', Duration.hours(1), 'manual')], {
        view: cw.GraphWidgetView.BAR,
        width: 24,
      }),
    );

    dora.addWidgets(
      new cw.SingleValueWidget({
        title: `Last period (${env})`,
        metrics: [m('SuccessfulDeployments', env, 'Sum', DAY, 'successful deployments'), rate('change failure rate %', 'FailedDeployments', env, DAY), m('LeadTime', env, 'p50', DAY, 'lead time p50 (h)'), m('RollbackTime', env, 'p50', DAY, 'recovery p50 (min)')],
        setPeriodToTimeRange: true,
        width: 24,
        height: 4,
      }),
    );
    dora.addWidgets(
      graph(`Deployment frequency: successful deployments per week (${env})`, [m('SuccessfulDeployments', env, 'Sum', WEEK, 'all services'), perService('SuccessfulDeployments', env, 'Sum', WEEK)]),
      graph(`Change lead time, hours (${env})`, [m('LeadTime', env, 'p50', WEEK, 'median'), m('LeadTime', env, 'p90', WEEK, 'p90')]),
    );
    dora.addWidgets(
      graph(`Change failure rate % per week (${env})`, [rate('change failure rate %', 'FailedDeployments', env, WEEK)], { leftYAxis: { min: 0, max: 100 } }),
      graph(`Failed deployment recovery time, minutes (${env})`, [m('RollbackTime', env, 'p50', WEEK, 'median'), m('RollbackTime', env, 'p90', WEEK, 'p90')]),
    );
  }

  const alarms: cw.Alarm[] = [];
  const alarm = (id: string, props: Omit<cw.AlarmProps, 'evaluationPeriods'>) => {
    const a = new cw.Alarm(stack, id, { treatMissingData: cw.TreatMissingData.NOT_BREACHING, evaluationPeriods: 1, ...props });
    a.addAlarmAction(notify);
    alarms.push(a);
  };
  for (const env of environments) {
    const id = env.replace(/[^A-Za-z0-9]/g, '');
    alarm(`DeploymentFailureRate${id}`, {
      alarmName: `lumina-${o.stage}-deployment-failure-rate-${env}`,
      alarmDescription: `More than 10 % of the deployments to ${env} failed or were rolled back over the last day`,
      metric: rate('failure rate %', 'FailedDeployments', env, DAY),
      threshold: 10,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    alarm(`SlowDeployment${id}`, {
      alarmName: `lumina-${o.stage}-slow-deployment-${env}`,
      alarmDescription: `A deployment to ${env} took longer than 60 minutes`,
      metric: m('DeploymentDuration', env, 'Maximum', Duration.minutes(5)),
      threshold: 60,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }
  for (const svc of o.services ?? []) {
    const dimensionsMap = { TargetGroup: targetGroupDimension(svc.router.canaryTargetGroupArn), LoadBalancer: loadBalancerDimension(svc.router.listenerArn) };
    const alb = (metricName: string, statistic: string, period: Duration) => new cw.Metric({ namespace: 'AWS/ApplicationELB', metricName, dimensionsMap, statistic, period });
    const id = svc.name.replace(/[^A-Za-z0-9]/g, '');
    alarm(`Canary5xx${id}`, {
      alarmName: `lumina-${o.stage}-${svc.name}-canary-5xx`,
      alarmDescription: `More than 10 HTTP 5xx from ${svc.name}'s canary targets in 5 minutes`,
      metric: alb('HTTPCode_Target_5XX_Count', 'Sum', Duration.minutes(5)),
      threshold: 10,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    alarm(`CanaryLatency${id}`, {
      alarmName: `lumina-${o.stage}-${svc.name}-canary-latency`,
      alarmDescription: `${svc.name}'s canary answers slower than 1 s on average over 5 minutes`,
      metric: alb('TargetResponseTime', 'Average', Duration.minutes(5)),
      threshold: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    alarm(`CanaryUnhealthyHosts${id}`, {
      alarmName: `lumina-${o.stage}-${svc.name}-canary-unhealthy-hosts`,
      alarmDescription: `${svc.name}'s canary target group has unhealthy targets`,
      metric: alb('UnHealthyHostCount', 'Maximum', Duration.minutes(1)),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }
  return { overview, dora, alarms, environments };
}
