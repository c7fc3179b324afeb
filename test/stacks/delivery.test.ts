import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { useFunctions } from 'sst/constructs/Function.js';
import { initProject } from 'sst/project.js';
import { useRuntimeHandlers } from 'sst/runtime/handlers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceConfigUpdate, tableDefinition } from '../../adapters/dynamo/keys.js';
import { parseDeliveryConfig } from '../../core/config/services.js';
import { ecrPushPattern, progressionPattern } from '../../events/rules.js';
import { API_HANDLER, CANARY_ASL, FLAGS_HANDLER, PROGRESSION_HANDLER, TASK_HANDLERS, TRIGGER_HANDLER, type TaskVariable } from '../../stacks/Delivery.js';
import { apiRoutes } from '../../functions/api/routes.js';
import { RECORDER_HANDLER, WEBHOOKS_HANDLER } from '../../stacks/dora.js';
import {
  ALB_CONFIG,
  FIXTURES,
  ROOT,
  actionsOf,
  allStatements,
  asArray,
  getAtt,
  ofType,
  renderJoin,
  roleStatements,
  single,
  statementsOfRole,
  synth,
  withAction,
  type Json,
  type Synth,
} from '../support/synth.js';

const TASK_VARIABLES = Object.keys(TASK_HANDLERS) as TaskVariable[];
const TRAFFIC_TASKS: TaskVariable[] = ['PrepareFunctionArn', 'SetWeightFunctionArn', 'PromoteFunctionArn', 'RollbackFunctionArn'];
const ALL_HANDLERS = [...Object.values(TASK_HANDLERS), TRIGGER_HANDLER, PROGRESSION_HANDLER, API_HANDLER, FLAGS_HANDLER, WEBHOOKS_HANDLER, RECORDER_HANDLER];

let s: Synth;
const previousNodeEnv = process.env.NODE_ENV;

beforeAll(async () => {
  process.env.NODE_ENV = 'test';
  await initProject({ root: ROOT, stage: 'test' });
  s = await synth({ config: ALB_CONFIG });
});
afterAll(() => {
  process.env.NODE_ENV = previousNodeEnv;
});

describe('Delivery stack (stage test)', () => {
  it('synthesizes in SST test mode under a stage-parameterized stack name', () => {
    expect(s.app.isRunningSSTTest()).toBe(true);
    expect(s.stack.stackName).toBe('test-lumina-deploy-Delivery');
  });

  it('table: PAY_PER_REQUEST, PITR, keys and both GSIs from tableDefinition, retained and protected', () => {
    const [, table] = single(s, 'AWS::DynamoDB::Table');
    const p = table.Properties;
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(p.GlobalSecondaryIndexes).toEqual(
      tableDefinition.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    expect(p.GlobalSecondaryIndexes.map((i: Json) => i.IndexName)).toEqual(['GSI1', 'GSI2']);
    expect(p.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('event bus lumina-<stage> and a notification topic', () => {
    s.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'lumina-test' });
    single(s, 'AWS::SNS::Topic');
  });

  it.each([
    ['ECR push → trigger, on the default bus', ecrPushPattern, 'default', TRIGGER_HANDLER],
    ['a rollout ended → progression and releases, on our bus', progressionPattern, 'our bus', PROGRESSION_HANDLER],
  ] as const)('rule %s: verbatim shared pattern, one target with retries and its own encrypted DLQ', (_what, pattern, bus, handler) => {
    const [ruleId, rule] = ofType(s, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(pattern))!;
    expect(rule.Properties.EventBusName).toEqual(bus === 'default' ? 'default' : { Ref: single(s, 'AWS::Events::EventBus')[0] });
    expect(rule.Properties.State).toBe('ENABLED');
    const target = s.fnId(handler);
    const [{ Arn, RetryPolicy, DeadLetterConfig }] = rule.Properties.Targets;
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(Arn).toEqual(getAtt(target));
    expect(RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 });
    const queueId = DeadLetterConfig.Arn['Fn::GetAtt'][0];
    const queue = s.resources[queueId]!;
    expect(queue.Type).toBe('AWS::SQS::Queue');
    expect(queue.Properties.SqsManagedSseEnabled ?? queue.Properties.KmsMasterKeyId).toBeTruthy();
    // EventBridge may invoke the target (from this rule only) and dead-letter into the queue (from this rule only).
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(target),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(ruleId),
    });
    const [, queuePolicy] = ofType(s, 'AWS::SQS::QueuePolicy').find(([, p]) => JSON.stringify(p.Properties.Queues).includes(queueId))!;
    expect(queuePolicy.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'events.amazonaws.com' },
        Resource: getAtt(queueId),
        Condition: { ArnEquals: { 'aws:SourceArn': getAtt(ruleId) } },
      }),
    ]);
  });

  it('state machine: the canary ASL, every substitution bound to its task function, STANDARD, logged and traced', () => {
    const [, sm] = single(s, 'AWS::StepFunctions::StateMachine');
    const p = sm.Properties;
    const asl = JSON.parse(readFileSync(path.join(ROOT, CANARY_ASL), 'utf8'));
    const definition = JSON.parse(p.DefinitionString);
    expect(definition).toEqual(asl);
    for (const state of ['Prepare', 'Route', 'SetWeight', 'WaitInterval', 'Analyse', 'Promote', 'Rollback', 'Finalize', 'Notify', 'Outcome', 'Succeeded', 'NotPromoted']) {
      expect(definition.States[state], state).toBeDefined();
    }
    const used = [...new Set([...(p.DefinitionString as string).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))];
    expect(used.sort()).toEqual([...TASK_VARIABLES].sort());
    expect(Object.keys(p.DefinitionSubstitutions).sort()).toEqual([...TASK_VARIABLES].sort());
    for (const variable of TASK_VARIABLES) {
      // PrepareFunctionArn -> functions/tasks/prepare.handler, SetWeightFunctionArn -> set-weight, ...
      const kebab = variable.replace(/FunctionArn$/, '').replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase());
      expect(TASK_HANDLERS[variable]).toBe(`functions/tasks/${kebab}.handler`);
      expect(p.DefinitionSubstitutions[variable], variable).toEqual(getAtt(s.fnId(TASK_HANDLERS[variable])));
    }
    expect(p.StateMachineType).toBe('STANDARD');
    expect(p.TracingConfiguration).toEqual({ Enabled: true });
    expect(p.LoggingConfiguration.Level).toBe('ALL');
    expect(p.LoggingConfiguration.IncludeExecutionData).toBe(false);
    const destination = p.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn;
    expect(s.resources[destination['Fn::GetAtt'][0]]!.Properties.LogGroupName).toBe('/aws/vendedlogs/states/lumina-test-canary');

    // The role invokes exactly the task functions (the Gate through lambda:invoke.waitForTaskToken) and nothing else.
    const role = p.RoleArn['Fn::GetAtt'][0];
    const invoke = withAction(statementsOfRole(s, role), 'lambda:InvokeFunction');
    expect(invoke).toHaveLength(1);
    expect(asArray(invoke[0].Action)).toEqual(['lambda:InvokeFunction']);
    expect(new Set(invoke[0].Resource)).toEqual(new Set(TASK_VARIABLES.map((v) => getAtt(s.fnId(TASK_HANDLERS[v])))));
    expect(invoke[0].Resource).toHaveLength(9);
    // The gate waits on a task token, with its timeout from the state input.
    const gate = JSON.parse(renderJoin(p.DefinitionString)).States.Gate;
    expect(gate.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(gate.Parameters.Payload['taskToken.$']).toBe('$$.Task.Token');
    expect(gate.TimeoutSecondsPath).toBe('$.Payload.timeoutSeconds');
  });

  it('functions: nodejs22.x on arm64 with active tracing, ESM minified bundles with sourcemaps, and their environment', () => {
    for (const [, f] of ofType(s, 'AWS::Lambda::Function')) expect(f.Properties.Runtime).toBe('nodejs22.x');
    const [tableId] = single(s, 'AWS::DynamoDB::Table');
    const [busId] = single(s, 'AWS::Events::EventBus');
    const [topicId] = single(s, 'AWS::SNS::Topic');
    const [smId] = single(s, 'AWS::StepFunctions::StateMachine');
    for (const handler of ALL_HANDLERS) {
      // Before finish() the CFN Runtime is SST's placeholder; the merged props are what its build applies.
      expect(s.fnProps(handler)).toMatchObject({ runtime: 'nodejs22.x', architecture: 'arm_64', tracing: 'active', nodejs: { format: 'esm', minify: true, sourcemap: true } });
      const p = s.resources[s.fnId(handler)]!.Properties;
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.TracingConfig).toEqual({ Mode: 'Active' });
      const env = p.Environment.Variables;
      expect(env).toMatchObject({
        TABLE_NAME: { Ref: tableId },
        EVENT_BUS_NAME: { Ref: busId },
        POWERTOOLS_SERVICE_NAME: 'lumina',
        POWERTOOLS_METRICS_NAMESPACE: 'Lumina',
      });
      if (handler === TASK_HANDLERS.NotifyFunctionArn) expect(env.TOPIC_ARN).toEqual({ Ref: topicId });
      else expect(env.TOPIC_ARN, handler).toBeUndefined();
      if (handler === TRIGGER_HANDLER || handler === PROGRESSION_HANDLER || handler === API_HANDLER) expect(env.STATE_MACHINE_ARN).toEqual({ Ref: smId });
      else expect(env.STATE_MACHINE_ARN, handler).toBeUndefined();
    }
  });

  it('HTTP API: every route of functions/api/routes.ts, on its handler\'s function, IAM-authorized under /api only', () => {
    const routes = ofType(s, 'AWS::ApiGatewayV2::Route');
    const integrations = Object.fromEntries(ofType(s, 'AWS::ApiGatewayV2::Integration'));
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(apiRoutes.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of apiRoutes) {
      const key = `${route.method} ${route.path}`;
      const [, r] = routes.find(([, x]) => x.Properties.RouteKey === key)!;
      expect(r.Properties.AuthorizationType, key).toBe(route.auth === 'iam' ? 'AWS_IAM' : 'NONE');
      const integrationId = /"Ref":"([^"]+)"/.exec(JSON.stringify(r.Properties.Target))![1]!;
      expect(integrations[integrationId]!.Properties.IntegrationUri, key).toEqual(getAtt(s.fnId({ api: API_HANDLER, flags: FLAGS_HANDLER, webhooks: WEBHOOKS_HANDLER }[route.handler])));
    }
    expect(apiRoutes.filter((r) => r.handler === 'flags').map((r) => r.path)).toEqual([
      '/feature-flags/evaluate',
      '/ofrep/v1/evaluate/flags/{key}',
      '/ofrep/v1/evaluate/flags',
      '/ofrep/v1/configuration',
    ]);
  });

  it('flags: AppConfig application, per-stage environment, freeform profile with the JSON Schema validator, strategy, initial deployment', () => {
    const [, profile] = single(s, 'AWS::AppConfig::ConfigurationProfile');
    expect(profile.Properties).toMatchObject({ LocationUri: 'hosted', Type: 'AWS.Freeform', Name: 'flags' });
    expect(JSON.parse(profile.Properties.Validators[0].Content)).toEqual(JSON.parse(readFileSync(path.join(ROOT, 'core/flags/document.schema.json'), 'utf8')));
    expect(profile.Properties.Validators[0].Type).toBe('JSON_SCHEMA');
    expect(single(s, 'AWS::AppConfig::Environment')[1].Properties.Name).toBe('test');
    expect(single(s, 'AWS::AppConfig::DeploymentStrategy')[1].Properties).toMatchObject({ GrowthType: 'LINEAR', DeploymentDurationInMinutes: 10 });
    expect(single(s, 'AWS::AppConfig::Deployment')[1].Properties.ConfigurationVersion).toEqual({ Ref: single(s, 'AWS::AppConfig::HostedConfigurationVersion')[0] });
    const env = s.template.toJSON().Resources[s.fnId(FLAGS_HANDLER)].Properties.Environment.Variables;
    expect(env).toMatchObject({
      APPCONFIG_APPLICATION: { Ref: single(s, 'AWS::AppConfig::Application')[0] },
      APPCONFIG_ENVIRONMENT: { Ref: single(s, 'AWS::AppConfig::Environment')[0] },
      APPCONFIG_PROFILE: { Ref: single(s, 'AWS::AppConfig::ConfigurationProfile')[0] },
    });
  });

  it('outputs: API url, table name, bus name, topic arn, state machine arn', () => {
    const outputs = s.template.toJSON().Outputs;
    const [apiId] = single(s, 'AWS::ApiGatewayV2::Api');
    expect(outputs.ApiUrl.Value).toEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
    expect(outputs.TableName.Value).toEqual({ Ref: single(s, 'AWS::DynamoDB::Table')[0] });
    expect(outputs.EventBusName.Value).toEqual({ Ref: single(s, 'AWS::Events::EventBus')[0] });
    expect(outputs.TopicArn.Value).toEqual({ Ref: single(s, 'AWS::SNS::Topic')[0] });
    expect(outputs.StateMachineArn.Value).toEqual({ Ref: single(s, 'AWS::StepFunctions::StateMachine')[0] });
  });
});

describe('least privilege', () => {
  const wildcard = (a: string) => a === '*' || /^[\w-]+:\*$/.test(a);

  it('no statement anywhere has an Action of * or service:*', () => {
    const statements = allStatements(s.resources);
    expect(statements.length).toBeGreaterThan(20);
    for (const st of statements) {
      expect(st.NotAction, JSON.stringify(st)).toBeUndefined();
      for (const action of asArray<string>(st.Action)) expect(wildcard(action), JSON.stringify(st)).toBe(false);
    }
  });

  it('table statements name their actions (never dynamodb:*); the api function reads and writes items, never deletes', () => {
    const dynamo = allStatements(s.resources).filter((st) => asArray<string>(st.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.length).toBeGreaterThan(0);
    for (const st of dynamo) {
      expect(asArray(st.Action)).not.toContain('dynamodb:*');
      // BatchGetItem: the DORA query's day rollups (api only, test/stacks/dora.test.ts).
      for (const a of asArray<string>(st.Action)) expect(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']).toContain(a);
    }
    const flagsActions = [...actionsOf(roleStatements(s, s.fnId(FLAGS_HANDLER)))].filter((a) => !a.startsWith('xray:')).sort();
    expect(flagsActions).toEqual(['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession']);
    const [readFlags] = withAction(roleStatements(s, s.fnId(FLAGS_HANDLER)), 'appconfig:GetLatestConfiguration');
    expect(JSON.stringify(readFlags.Resource)).toMatch(/application\/.*environment\/.*\/configuration\//);
    const api = actionsOf(roleStatements(s, s.fnId(API_HANDLER)));
    // Commands (promote, approve, abort, …) write the rollout's status; rollback creates a rollout.
    expect([...api].filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    for (const a of ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Scan']) expect(api.has(a), a).toBe(false);
    for (const handler of [...Object.values(TASK_HANDLERS), TRIGGER_HANDLER, PROGRESSION_HANDLER]) {
      const [rw] = withAction(roleStatements(s, s.fnId(handler)), 'dynamodb:PutItem');
      expect(rw, handler).toBeDefined();
      expect(asArray(rw.Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    }
  });

  /** The functions whose role allows an action. */
  const holders = (action: string) => ALL_HANDLERS.filter((h) => actionsOf(roleStatements(s, s.fnId(h))).has(action));

  it('sns:Publish only for notify, on the topic; StartExecution for the triggers and the API, task tokens for the API, the gate and the triggers (waking a superseded rollout), on the state machine', () => {
    expect(holders('sns:Publish')).toEqual([TASK_HANDLERS.NotifyFunctionArn]);
    expect(withAction(allStatements(s.resources), 'sns:Publish').map((st) => st.Resource)).toEqual([{ Ref: single(s, 'AWS::SNS::Topic')[0] }]);
    const [smId] = single(s, 'AWS::StepFunctions::StateMachine');
    expect(holders('states:StartExecution').sort()).toEqual([API_HANDLER, TRIGGER_HANDLER, PROGRESSION_HANDLER].sort());
    for (const st of withAction(allStatements(s.resources), 'states:StartExecution')) expect(st.Resource).toEqual({ Ref: smId });
    expect(holders('states:SendTaskSuccess').sort()).toEqual([API_HANDLER, TASK_HANDLERS.GateFunctionArn, TRIGGER_HANDLER, PROGRESSION_HANDLER].sort());
    const machineName = s.resources[smId]!.Properties.StateMachineName;
    for (const st of withAction(allStatements(s.resources), 'states:SendTaskSuccess')) {
      expect(asArray(st.Action).sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess']);
      expect(renderJoin(st.Resource)).toMatch(new RegExp(`:states:.*:stateMachine:${machineName}$`));
    }
  });

  it('ecr:DescribeImageScanFindings (the security gate) only for prepare, on the configured repositories', () => {
    expect(holders('ecr:DescribeImageScanFindings')).toEqual([TASK_HANDLERS.PrepareFunctionArn]);
    const [st] = withAction(allStatements(s.resources), 'ecr:DescribeImageScanFindings');
    const resources = asArray(st.Resource).map((r) => renderJoin(r));
    expect(resources.length).toBeGreaterThan(0);
    for (const r of resources) expect(r).toMatch(/:ecr:.*:repository\/[a-z0-9._/-]+$/);
  });

  it('events:PutEvents on our bus only, with our source only', () => {
    const [busId] = single(s, 'AWS::Events::EventBus');
    expect(holders('events:PutEvents').sort()).toEqual([...Object.values(TASK_HANDLERS), TRIGGER_HANDLER, PROGRESSION_HANDLER, API_HANDLER, WEBHOOKS_HANDLER].sort());
    for (const st of withAction(allStatements(s.resources), 'events:PutEvents')) {
      expect(st.Resource).toEqual(getAtt(busId));
      // The webhooks function publishes lumina.ci only (test/stacks/dora.test.ts); every other, lumina.delivery only.
      const ci = withAction(roleStatements(s, s.fnId(WEBHOOKS_HANDLER)), 'events:PutEvents').includes(st);
      expect(st.Condition).toEqual({ StringEquals: { 'events:source': [ci ? 'lumina.ci' : 'lumina.delivery'] } });
    }
  });

  it('traffic tasks alone shift traffic, scoped to the configured listeners, rule and ECS services', () => {
    const traffic = TRAFFIC_TASKS.map((v) => TASK_HANDLERS[v]);
    for (const action of [
      'elasticloadbalancing:ModifyListener',
      'elasticloadbalancing:ModifyRule',
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeRules',
      'ecs:UpdateService',
      'ecs:DescribeServices',
      'ecs:DescribeTaskDefinition',
      'ecs:RegisterTaskDefinition',
      'iam:PassRole',
    ]) {
      expect(holders(action).sort(), action).toEqual([...traffic].sort());
    }
    const st = roleStatements(s, s.fnId(TASK_HANDLERS.SetWeightFunctionArn));
    expect(withAction(st, 'iam:PassRole')).toEqual([
      expect.objectContaining({ Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }),
    ]);
    expect(new Set(withAction(st, 'elasticloadbalancing:ModifyListener')[0].Resource)).toEqual(
      new Set([
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop-prod/50dc6c495c0c9188/f2f7dc8efc522ab2',
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop-internal/6d0ecf831eec9f09/1b2c3d4e5f607182',
      ]),
    );
    expect(withAction(st, 'elasticloadbalancing:ModifyRule')[0].Resource).toBe(
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop-prod/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee',
    );
    const ecs = JSON.stringify(withAction(st, 'ecs:UpdateService')[0].Resource);
    expect(ecs).toContain('arn:aws:ecs:us-east-1:123456789012:service/shop-prod/checkout"');
    expect(ecs).toContain('arn:aws:ecs:us-east-1:123456789012:service/shop-prod/checkout-canary"');
    expect(ecs).toContain(':ecs:us-east-1:123456789012:service/shop-internal/catalog"');
    expect(ecs).toContain(':ecs:us-east-1:123456789012:service/shop-internal/catalog-canary"');
  });

  it('analyse alone reads CloudWatch, two named actions on Resource *', () => {
    for (const action of ['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms']) expect(holders(action)).toEqual([TASK_HANDLERS.AnalyseFunctionArn]);
    const [cw] = withAction(roleStatements(s, s.fnId(TASK_HANDLERS.AnalyseFunctionArn)), 'cloudwatch:GetMetricData');
    expect(cw).toMatchObject({ Action: ['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms'], Resource: '*' });
  });
});

describe('services config seeding', () => {
  it('one custom resource per service, writing serviceConfigUpdate(config, sha256[:12]) as AttributeValues', () => {
    const text = readFileSync(path.join(ROOT, ALB_CONFIG), 'utf8');
    const version = createHash('sha256').update(text).digest('hex').slice(0, 12);
    const services = parseDeliveryConfig(JSON.parse(text));
    const [tableId] = single(s, 'AWS::DynamoDB::Table');
    const seeds = ofType(s, 'Custom::LuminaServiceConfig');
    expect(seeds).toHaveLength(services.length);
    expect(services.map((x) => x.name).sort()).toEqual(['catalog', 'checkout']);

    for (const service of services) {
      const matching = seeds.filter(([, r]) => renderJoin(r.Properties.Create).includes(`"lumina-service-config-${service.name}"`));
      expect(matching, service.name).toHaveLength(1);
      const [, resource] = matching[0]!;
      const create = JSON.parse(renderJoin(resource.Properties.Create));
      expect(JSON.parse(renderJoin(resource.Properties.Update))).toEqual(create);
      const update = serviceConfigUpdate(service, version);
      expect(create).toEqual({
        service: 'DynamoDB',
        action: 'updateItem',
        physicalResourceId: { id: `lumina-service-config-${service.name}` },
        parameters: {
          TableName: `{{Ref:${tableId}}}`,
          Key: marshall(update.Key),
          UpdateExpression: update.UpdateExpression,
          ExpressionAttributeNames: update.ExpressionAttributeNames,
          ExpressionAttributeValues: marshall(update.ExpressionAttributeValues, { removeUndefinedValues: true }),
        },
      });
      expect(create.parameters.Key).toEqual({ PK: { S: `SERVICE#${service.name}` }, SK: { S: 'META' } });
      expect(create.parameters.ExpressionAttributeValues[':v']).toEqual({ S: version });
      expect(create.parameters.ExpressionAttributeValues[':config'].M.router.M.kind).toEqual({ S: 'alb' });
    }
    // The custom resources' only permission: UpdateItem on the table.
    const seedPolicies = ofType(s, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('ServiceConfig'));
    expect(seedPolicies).toHaveLength(services.length);
    for (const [, p] of seedPolicies) {
      expect(p.Properties.PolicyDocument.Statement).toEqual([{ Action: 'dynamodb:UpdateItem', Effect: 'Allow', Resource: getAtt(tableId) }]);
    }
  });

  it('an invalid config fails synthesis, naming the exact path of each issue', async () => {
    const error = await synth({ config: `${FIXTURES}/invalid.config.json` }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain('invalid.config.json');
    expect(error?.message).toContain('services.checkout.router.listenerArn');
    expect(error?.message).toContain('services.checkout.canary.stages');
  });

  it('a service routed by the local proxy is rejected for AWS', async () => {
    await expect(synth({ config: 'local/demo.config.json' })).rejects.toThrow(/services\.demo\.router\.kind: 'local'/);
  });
});

describe('stage dev', () => {
  it('the table may be destroyed with the stack; the bus is named for the stage', async () => {
    const dev = await synth({ stage: 'dev', config: ALB_CONFIG });
    const [, table] = single(dev, 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    dev.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'lumina-dev' });
  });
});

describe('app.finish() (what `sst build` runs after the stacks), with the esbuild step stubbed', () => {
  it('SST builds every handler with nodejs22.x and writes that runtime into the template', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'lumina-fn-'));
    writeFileSync(path.join(out, 'index.mjs'), 'export const handler = async () => ({});\n');
    const handlers = useRuntimeHandlers();
    const realBuild = handlers.build;
    const built: { handler?: string; runtime?: string; mode: string }[] = [];
    // Stands in for esbuild: records what SST asks to build and hands back a prebuilt artifact.
    handlers.build = async (functionID, mode) => {
      const props = useFunctions().fromID(functionID);
      built.push({ handler: props?.handler, runtime: props?.runtime, mode });
      return { type: 'success', out, handler: 'index.handler', sourcemap: undefined };
    };
    try {
      const f = await synth({ config: ALB_CONFIG, finish: true });
      expect(built.map((b) => b.handler).sort()).toEqual([...ALL_HANDLERS].sort());
      for (const b of built) expect(b).toMatchObject({ runtime: 'nodejs22.x', mode: 'deploy' });
      for (const handler of ALL_HANDLERS) {
        const p = f.resources[f.fnId(handler)]!.Properties;
        expect(p.Runtime).toBe('nodejs22.x');
        expect(p.Handler).toBe('index.handler');
        expect(p.Code.S3Key).toMatch(/\.zip$/);
      }
      for (const [, fn] of ofType(f, 'AWS::Lambda::Function')) expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(f.template.toJSON().Outputs.SSTMetadata).toBeDefined();
    } finally {
      handlers.build = realBuild;
      rmSync(out, { recursive: true, force: true });
    }
  });
});
