import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Api, Function, type FunctionProps, type StackContext } from 'sst/constructs';
import { useProject } from 'sst/project.js';
import { tableDefinition } from '../adapters/dynamo/keys.js';
import { ecrPushPattern, progressionPattern } from '../events/rules.js';
import { ruleToFunction } from './rules.js';
import {
  publishNotifications,
  notifyTargetsAccess,
  readFlagApiKeys,
  putDeliveryEvents,
  readCanaryMetrics,
  shiftTraffic,
  startRollouts,
  answerGates,
  readScanFindings,
  tableReadWrite,
} from './policies.js';
import { loadDeliveryConfig, seedServiceConfigs } from './service-config.js';
import { addFlagsConfig } from './flags.js';
import { addDora } from './dora.js';
import { addDeploymentObservability } from './observability.js';
import { apiRoutes } from '../functions/api/routes.js';

/**
 * The state machine's Task variables (DefinitionSubstitutions in state-machines/canary.asl.json) and
 * the handler behind each. Same pairs as taskDefinitions in functions/tasks/bindings.ts, which the
 * stack does not import (it would pull the handlers' runtime dependencies into synthesis).
 */
export const TASK_HANDLERS = {
  PrepareFunctionArn: 'functions/tasks/prepare.handler',
  SetWeightFunctionArn: 'functions/tasks/set-weight.handler',
  AnalyseFunctionArn: 'functions/tasks/analyse.handler',
  PromoteFunctionArn: 'functions/tasks/promote.handler',
  RollbackFunctionArn: 'functions/tasks/rollback.handler',
  FinalizeFunctionArn: 'functions/tasks/finalize.handler',
  NotifyFunctionArn: 'functions/tasks/notify.handler',
  GateFunctionArn: 'functions/tasks/gate.handler',
  GateResolvedFunctionArn: 'functions/tasks/gate-resolved.handler',
} as const;
export type TaskVariable = keyof typeof TASK_HANDLERS;

export const TRIGGER_HANDLER = 'functions/trigger/ecr-push.handler';
export const PROGRESSION_HANDLER = 'functions/trigger/progression.handler';
export const API_HANDLER = 'functions/api/http.handler';
export const FLAGS_HANDLER = 'functions/flags/evaluate.handler';
export const CANARY_ASL = 'state-machines/canary.asl.json';

/** Stages whose data may be thrown away with the stack; every other stage keeps (and protects) the table. */
export const isEphemeralStage = (stage: string) => stage === 'dev';


export function Delivery({ stack, app }: StackContext) {
  const root = useProject().paths.root;
  const ephemeral = isEphemeralStage(app.stage);
  // Read (and validate) the services config first: an invalid file fails before anything is built.
  const servicesConfig = loadDeliveryConfig(root);

  // ---- Storage and messaging ----
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: tableDefinition.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: tableDefinition.sortKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: !ephemeral,
    removalPolicy: ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  });
  for (const index of tableDefinition.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  /** Our own lifecycle events (source lumina.delivery); AWS service events stay on the default bus. */
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: `lumina-${app.stage}` });
  const topic = new sns.Topic(stack, 'Notifications', { displayName: `Lumina rollouts (${app.stage})` });

  // ---- Functions ----
  const baseEnv = {
    TABLE_NAME: table.tableName,
    EVENT_BUS_NAME: bus.eventBusName,
    POWERTOOLS_SERVICE_NAME: 'lumina',
    POWERTOOLS_METRICS_NAMESPACE: 'Lumina',
  };
  const fn = (id: string, handler: string, props: Omit<FunctionProps, 'handler'> = {}) =>
    new Function(stack, id, { timeout: '30 seconds', ...props, handler, environment: { ...baseEnv, ...props.environment } });

  const tasks = Object.fromEntries(
    (Object.entries(TASK_HANDLERS) as [TaskVariable, string][]).map(([variable, handler]) => [
      variable,
      fn(
        variable.replace(/FunctionArn$/, ''),
        handler,
        variable === 'NotifyFunctionArn'
          ? { environment: { TOPIC_ARN: topic.topicArn } }
          : variable === 'PromoteFunctionArn'
            ? { timeout: '90 seconds' } // waits up to 60 s for the stable ECS service, then TransientError
            : {},
      ),
    ]),
  ) as Record<TaskVariable, Function>;
  const taskFunctions = Object.values(tasks);

  // ---- State machine ----
  const definition = readFileSync(path.join(root, CANARY_ASL), 'utf8');
  const unbound = [...definition.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!).filter((v) => !(v in tasks));
  if (unbound.length > 0) throw new Error(`${CANARY_ASL} uses substitutions with no function bound: ${unbound.join(', ')}`);

  const stateMachineLogs = new logs.LogGroup(stack, 'CanaryLogs', {
    logGroupName: `/aws/vendedlogs/states/lumina-${app.stage}-canary`,
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  });
  const stateMachineName = `lumina-${app.stage}-rollout`;
  const stateMachineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const stateMachine = new sfn.StateMachine(stack, 'Canary', {
    stateMachineName,
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromString(definition),
    definitionSubstitutions: Object.fromEntries(Object.entries(tasks).map(([variable, f]) => [variable, f.functionArn])),
    logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    tracingEnabled: true,
  });

  // ---- ECR push -> trigger (rule on the default bus, where ECR sends its events) ----
  const trigger = fn('EcrPushTrigger', TRIGGER_HANDLER, { environment: { STATE_MACHINE_ARN: stateMachine.stateMachineArn } });
  ruleToFunction(stack, 'EcrPush', { description: 'Successful ECR image pushes start a rollout', eventBusName: 'default', pattern: ecrPushPattern, target: trigger });

  // ---- Progressive delivery: a promoted rollout starts the same revision on the next environment ----
  const progression = fn('Progression', PROGRESSION_HANDLER, { environment: { STATE_MACHINE_ARN: stateMachine.stateMachineArn } });
  ruleToFunction(stack, 'Progression', { description: 'A promoted rollout starts the next environment', eventBusName: bus.eventBusName, pattern: progressionPattern, target: progression });

  // ---- Feature flags: AppConfig-hosted, evaluated by their own lean function ----
  const flagsConfig = addFlagsConfig(stack, app.stage, root);
  const flags = fn('Flags', FLAGS_HANDLER, {
    timeout: '5 seconds',
    environment: {
      APPCONFIG_APPLICATION: flagsConfig.application.ref,
      APPCONFIG_ENVIRONMENT: flagsConfig.environment.ref,
      APPCONFIG_PROFILE: flagsConfig.profile.ref,
      ...(process.env.LUMINA_FLAG_API_KEYS_SECRET ? { FLAG_API_KEYS_SECRET: process.env.LUMINA_FLAG_API_KEYS_SECRET } : {}),
    },
  });

  // ---- HTTP API (read API IAM-authorized; /health and flag evaluation open, flags optionally keyed) ----
  const http = fn('HttpApi', API_HANDLER, { timeout: '10 seconds', environment: { STATE_MACHINE_ARN: stateMachine.stateMachineArn } });
  // CI webhooks (their own function, no IAM: signed deliveries) and the DORA recorder on our bus (./dora.ts).
  const dora = addDora(stack, { stage: app.stage, fn, table, bus, api: http, config: servicesConfig });
  const byHandler = { api: http, flags, webhooks: dora.webhooks };
  const api = new Api(stack, 'Api', {
    // One route table (functions/api/routes.ts) for API Gateway and the local gateway.
    routes: Object.fromEntries(apiRoutes.map((r) => [`${r.method} ${r.path}`, { function: byHandler[r.handler], authorizer: r.auth }])),
  });

  // ---- Grants: least privilege, one capability per line (statement builders in ./policies.ts) ----
  const grant = (fns: Function[], ...statements: PolicyStatement[]) =>
    fns.forEach((f) => statements.forEach((s) => f.addToRolePolicy(s)));
  grant([trigger, progression, ...taskFunctions], tableReadWrite(table), putDeliveryEvents(bus));
  // The API reads, and records commands (promote, approve, abort, …); rollback starts a rollout.
  grant([http], tableReadWrite(table), putDeliveryEvents(bus), startRollouts(stateMachine), answerGates(stateMachineArn));
  // The Gate function answers its own token when the gate already resolved before it stored it.
  // The Gate function answers its own token when the gate already resolved; the triggers wake a
  // superseded rollout waiting at a gate so it rolls back at once instead of holding the service.
  grant([tasks.GateFunctionArn, trigger, progression], answerGates(stateMachineArn));
  grant([flags], flagsConfig.readFlags);
  if (process.env.LUMINA_FLAG_API_KEYS_SECRET) grant([flags], readFlagApiKeys(stack, process.env.LUMINA_FLAG_API_KEYS_SECRET));
  grant([trigger, progression], startRollouts(stateMachine));
  grant([tasks.NotifyFunctionArn], publishNotifications(topic), ...notifyTargetsAccess(stack, servicesConfig?.services ?? []));
  grant([tasks.AnalyseFunctionArn], readCanaryMetrics());
  grant([tasks.PrepareFunctionArn], readScanFindings(stack, (servicesConfig?.services ?? []).map((svc) => svc.repository)));
  grant(
    [tasks.PrepareFunctionArn, tasks.SetWeightFunctionArn, tasks.PromoteFunctionArn, tasks.RollbackFunctionArn],
    ...shiftTraffic(stack, servicesConfig?.services),
  );
  // The state machine invokes exactly its task functions (the Gate one through lambda:invoke.waitForTaskToken).
  stateMachine.addToRolePolicy(
    new PolicyStatement({ sid: 'InvokeTasks', actions: ['lambda:InvokeFunction'], resources: taskFunctions.map((f) => f.functionArn) }),
  );

  // ---- Dashboards (Deployment Overview, DORA Metrics) and alarms to the topic (./observability.ts) ----
  const observability = addDeploymentObservability(stack, { stage: app.stage, topic, services: servicesConfig?.services });

  // ---- Services config seeding (deploy-time writes of lumina.config.json / $LUMINA_CONFIG) ----
  if (servicesConfig) seedServiceConfigs(stack, table, servicesConfig);

  stack.addOutputs({
    ApiUrl: api.url,
    TableName: table.tableName,
    EventBusName: bus.eventBusName,
    TopicArn: topic.topicArn,
    StateMachineArn: stateMachine.stateMachineArn,
    FlagsApplicationId: flagsConfig.application.ref,
    FlagsEnvironmentId: flagsConfig.environment.ref,
    FlagsProfileId: flagsConfig.profile.ref,
    FlagsDeploymentStrategyId: flagsConfig.strategy.ref,
    WebhookSecretName: dora.webhookSecretName,
  });

  return { table, bus, topic, stateMachine, api, tasks, trigger, http, flags, webhooks: dora.webhooks, recorder: dora.recorder, observability };
}
