import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CI_SOURCE } from '../events/ci.js';
import { DELIVERY_SOURCE } from '../events/define.js';
import type { NotifyTarget } from '../core/config/schema.js';
import type { AlbServiceConfig } from './service-config.js';

/**
 * Least-privilege statements, one builder per capability. Each names its actions explicitly (never a
 * wildcard action) and the narrowest resources the API supports.
 */

const tableResources = (table: ITable) => [table.tableArn, `${table.tableArn}/index/*`];

/** What adapters/dynamo/repository.ts issues: Get/Put/Update/Query (no Scan, no Delete, no batch). */
export const tableReadWrite = (table: ITable) =>
  new PolicyStatement({
    sid: 'TableReadWrite',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
    resources: tableResources(table),
  });

/** PutEvents on our bus only, and only with our own source. */
export const putDeliveryEvents = (bus: IEventBus) =>
  new PolicyStatement({
    sid: 'PutDeliveryEvents',
    actions: ['events:PutEvents'],
    resources: [bus.eventBusArn],
    conditions: { StringEquals: { 'events:source': [DELIVERY_SOURCE] } },
  });

/** The webhooks function publishes normalized CI events only: our bus, source lumina.ci. */
export const putCiEvents = (bus: IEventBus) =>
  new PolicyStatement({
    sid: 'PutCiEvents',
    actions: ['events:PutEvents'],
    resources: [bus.eventBusArn],
    conditions: { StringEquals: { 'events:source': [CI_SOURCE] } },
  });

/** Webhook delivery items (adapters/dynamo/webhook-store.ts): conditional put, read, mark published. No index, no query. */
export const webhookDeliveries = (table: ITable) =>
  new PolicyStatement({ sid: 'WebhookDeliveries', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [table.tableArn] });

/** The DORA query reads the day rollups a stale month summary needs with BatchGetItem (adapters/dynamo/dora-summaries.ts). */
export const readDoraRollups = (table: ITable) =>
  new PolicyStatement({ sid: 'ReadDoraRollups', actions: ['dynamodb:BatchGetItem'], resources: [table.tableArn] });

export const publishNotifications = (topic: ITopic) =>
  new PolicyStatement({ sid: 'PublishNotifications', actions: ['sns:Publish'], resources: [topic.topicArn] });

/**
 * The environments' own notification targets (config `notify`): Publish on their topics, and read the
 * secrets they reference (SSM parameters, Secrets Manager secrets) — exactly those, nothing else.
 */
export function notifyTargetsAccess(stack: Stack, services: readonly { notify?: readonly NotifyTarget[] | undefined }[]): PolicyStatement[] {
  const targets = services.flatMap((s) => s.notify ?? []);
  const refs = targets.flatMap((t) => (t.kind === 'webhook' ? (t.secretRef ? [t.secretRef] : []) : t.kind === 'slack' ? [t.webhookSecretRef] : []));
  const topics = [...new Set(targets.flatMap((t) => (t.kind === 'sns' ? [t.topicArn] : [])))];
  const params = [...new Set(refs.flatMap((r) => ('ssm' in r ? [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: r.ssm.slice(1) })] : [])))];
  // A secret's ARN ends with 6 random characters: a name matches `name-??????`; an ARN is used as given.
  const secrets = [...new Set(refs.flatMap((r) => ('secretsManager' in r ? [r.secretsManager.startsWith('arn:') ? r.secretsManager : stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${r.secretsManager}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })] : [])))];
  return [
    ...(topics.length ? [new PolicyStatement({ sid: 'PublishToEnvironmentTopics', actions: ['sns:Publish'], resources: topics })] : []),
    ...(params.length ? [new PolicyStatement({ sid: 'ReadNotifySecretParameters', actions: ['ssm:GetParameter'], resources: params })] : []),
    ...(secrets.length ? [new PolicyStatement({ sid: 'ReadNotifySecrets', actions: ['secretsmanager:GetSecretValue'], resources: secrets })] : []),
  ];
}

export const startRollouts = (stateMachine: IStateMachine) =>
  new PolicyStatement({ sid: 'StartRollouts', actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] });

/**
 * Wakes executions waiting at gates (`.waitForTaskToken`): the token APIs, scoped to the rollout state
 * machine. Takes the ARN as a string: the Gate function the machine invokes needs it too, and a
 * reference to the machine's own ARN there would be a dependency cycle (so it is built from its name).
 */
export const answerGates = (stateMachineArn: string) =>
  new PolicyStatement({ sid: 'AnswerGates', actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [stateMachineArn] });

/** The security gate reads scan findings of the configured services' repositories only (or any, when none is configured at deploy time). */
export const readScanFindings = (stack: Stack, repositories: string[]) =>
  new PolicyStatement({
    sid: 'ReadScanFindings',
    actions: ['ecr:DescribeImageScanFindings'],
    resources: repositories.length ? repositories.map((r) => stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: r })) : ['*'],
  });

/** CloudWatch metric reads have no resource-level permissions: Resource '*', two named actions. */
export const readCanaryMetrics = () =>
  new PolicyStatement({ sid: 'ReadCanaryMetrics', actions: ['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms'], resources: ['*'] });

/** ECS service ARN from a cluster given by name or ARN. */
function ecsServiceArn(scope: Construct, cluster: string, service: string): string {
  if (cluster.startsWith('arn:')) return `${cluster.replace(':cluster/', ':service/')}/${service}`;
  return Stack.of(scope).formatArn({ service: 'ecs', resource: 'service', resourceName: `${cluster}/${service}` });
}

/**
 * Traffic shifting (prepare, set-weight, promote, rollback): weight the ALB listener/rule, scale and
 * re-point the ECS services, register the canary task definition.
 *
 * With a services config the mutating actions are scoped to the configured listeners, rules and ECS
 * services; without one (services seeded some other way) they fall back to Resource '*'.
 * Describe*, RegisterTaskDefinition and DescribeTaskDefinition have no resource-level permissions.
 */
export function shiftTraffic(scope: Construct, services: AlbServiceConfig[] | undefined): PolicyStatement[] {
  const scoped = (pick: (s: AlbServiceConfig) => string | string[] | undefined): string[] =>
    services ? [...new Set(services.flatMap((s) => pick(s) ?? []))] : ['*'];
  const listeners = scoped((s) => s.router.listenerArn);
  const rules = scoped((s) => s.router.listenerRuleArn);
  const ecsServices = scoped((s) => [s.router.stableService, s.router.canaryService].map((svc) => ecsServiceArn(scope, s.router.cluster, svc)));

  const statements = [
    new PolicyStatement({ sid: 'DescribeAlb', actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules'], resources: ['*'] }),
    new PolicyStatement({ sid: 'TaskDefinitions', actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], resources: ['*'] }),
    // Copying a tagged task definition tags the new revision; ECS checks TagResource for that create action only.
    new PolicyStatement({
      sid: 'TagNewTaskDefinitions',
      actions: ['ecs:TagResource'],
      resources: ['*'],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
    }),
    new PolicyStatement({
      sid: 'PassTaskRoles',
      actions: ['iam:PassRole'],
      resources: ['*'],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
  ];
  // A configured set with nothing of a kind (e.g. no service uses a listener rule) grants nothing for it.
  const scopedGrant = (sid: string, actions: string[], resources: string[]) => {
    if (resources.length > 0) statements.push(new PolicyStatement({ sid, actions, resources }));
  };
  scopedGrant('ModifyListener', ['elasticloadbalancing:ModifyListener'], listeners);
  scopedGrant('ModifyListenerRule', ['elasticloadbalancing:ModifyRule'], rules);
  scopedGrant('UpdateEcsServices', ['ecs:UpdateService', 'ecs:DescribeServices'], ecsServices);
  return statements;
}

/** The flags function reads its API keys from one Secrets Manager secret, given by name (a reference). */
export function readFlagApiKeys(stack: Stack, secretName: string): PolicyStatement {
  return new PolicyStatement({
    sid: 'ReadFlagApiKeys',
    actions: ['secretsmanager:GetSecretValue'],
    // Secrets Manager appends a 6-character suffix to secret ARNs.
    resources: [`arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${secretName}-??????`],
  });
}

/** The webhooks function reads its secrets from one Secrets Manager secret, given by name (a reference). */
export function readWebhookSecrets(stack: Stack, secretName: string): PolicyStatement {
  return new PolicyStatement({
    sid: 'ReadWebhookSecrets',
    actions: ['secretsmanager:GetSecretValue'],
    resources: [`arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${secretName}-??????`],
  });
}
