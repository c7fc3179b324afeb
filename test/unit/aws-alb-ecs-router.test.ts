import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Deployment,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AlbEcsTrafficRouter,
  DeploymentFailedError,
  RouterResourceError,
  TransientError,
  UnsupportedRouterError,
  type AlbEcsTrafficRouterOptions,
} from '../../adapters/aws/alb-ecs-router.js';
import { ServiceConfigSchema, type ServiceConfig, type ServiceConfigInput } from '../../core/config/services.js';
import type { Revision } from '../../core/delivery/rollout.js';

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const LISTENER = `${ARN}:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const RULE = `${ARN}:listener-rule/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const TG_STABLE = `${ARN}:targetgroup/demo-stable/73e2d6bc24d8a067`;
const TG_CANARY = `${ARN}:targetgroup/demo-canary/2453ed029918f21f`;
const TD = (rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/demo:${rev}`;
const OLD_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/demo:v1@sha256:1111';
const NEW_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/demo:v2@sha256:2222';
const revision = (image: string): Revision => ({ image, repository: 'demo', digest: image.split('@')[1]! });

const albRouter = { kind: 'alb', listenerArn: LISTENER, stableTargetGroupArn: TG_STABLE, canaryTargetGroupArn: TG_CANARY, cluster: 'prod', stableService: 'demo', canaryService: 'demo-canary', container: 'app', canaryDesiredCount: 2 } as const;
const config = (router: ServiceConfigInput['router'] = albRouter): ServiceConfig => ({ name: 'demo', ...ServiceConfigSchema.parse({ repository: 'demo', router }) });

const forward = (stable: number, canary: number, extra: Partial<NonNullable<Action['ForwardConfig']>> = {}): Action => ({
  Type: 'forward',
  ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG_STABLE, Weight: stable }, { TargetGroupArn: TG_CANARY, Weight: canary }], ...extra },
});

const taskDef = (rev: number, image: string): TaskDefinition => ({
  taskDefinitionArn: TD(rev),
  family: 'demo',
  revision: rev,
  status: 'ACTIVE',
  taskRoleArn: 'arn:aws:iam::123456789012:role/demo-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/demo-exec',
  networkMode: 'awsvpc',
  containerDefinitions: [
    { name: 'app', image, essential: true, portMappings: [{ containerPort: 8080 }] },
    { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: false },
  ],
  volumes: [],
  requiresCompatibilities: ['FARGATE'],
  compatibilities: ['EC2', 'FARGATE'],
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.task-iam-role' }],
  cpu: '256',
  memory: '512',
  registeredAt: new Date('2026-11-01T00:00:00Z'),
  registeredBy: 'arn:aws:iam::123456789012:role/deployer',
});

const svc = (name: string, taskDefinition: string, deployments: Deployment[] = []): Service => ({
  serviceName: name,
  serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/prod/${name}`,
  status: 'ACTIVE',
  taskDefinition,
  deployments,
});
const deployment = (td: string, rolloutState: Deployment['rolloutState'], status = 'PRIMARY'): Deployment => ({ status, taskDefinition: td, rolloutState, desiredCount: 2, runningCount: 2 });

let elb: AwsClientStub<ElasticLoadBalancingV2Client>;
let ecs: AwsClientStub<ECSClient>;
let sleeps: number[];
let clock: number;
const router = (opts: AlbEcsTrafficRouterOptions = {}) =>
  new AlbEcsTrafficRouter(elbClient, ecsClient, { sleep: async (ms) => void (sleeps.push(ms), (clock += ms)), now: () => clock, ...opts });
let elbClient: ElasticLoadBalancingV2Client;
let ecsClient: ECSClient;

/** Every command sent to either client, in call order. */
const order = () =>
  [...elb.calls(), ...ecs.calls()].sort((a, b) => (a.calledBefore(b) ? -1 : 1)).map((c) => c.args[0].constructor.name.replace(/Command$/, ''));

beforeEach(() => {
  elbClient = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
  ecsClient = new ECSClient({ region: 'us-east-1' });
  elb = mockClient(elbClient);
  ecs = mockClient(ecsClient);
  sleeps = [];
  clock = 0;
  elb.on(DescribeListenersCommand).resolves({ Listeners: [{ ListenerArn: LISTENER, DefaultActions: [forward(100, 0)] }] });
  elb.on(ModifyListenerCommand).resolves({});
  elb.on(ModifyRuleCommand).resolves({});
  ecs.on(UpdateServiceCommand).resolves({});
});

describe('AlbEcsTrafficRouter: weights', () => {
  it('sets 90/10 on the listener default action, keeping its stickiness', async () => {
    const stickiness = { Enabled: true, DurationSeconds: 300 };
    elb.on(DescribeListenersCommand).resolves({ Listeners: [{ DefaultActions: [forward(100, 0, { TargetGroupStickinessConfig: stickiness })] }] });
    await router().setCanaryWeight(config(), 10);
    expect(elb.commandCalls(DescribeListenersCommand)[0]!.args[0].input).toEqual({ ListenerArns: [LISTENER] });
    expect(elb.commandCalls(ModifyListenerCommand).map((c) => c.args[0].input)).toEqual([
      { ListenerArn: LISTENER, DefaultActions: [forward(90, 10, { TargetGroupStickinessConfig: stickiness })] },
    ]);
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0);
  });

  it('weights the listener rule (not the listener) when listenerRuleArn is set', async () => {
    elb.on(DescribeRulesCommand).resolves({ Rules: [{ RuleArn: RULE, Actions: [{ ...forward(80, 20), Order: 2 }] }] });
    await router().setCanaryWeight(config({ ...albRouter, listenerRuleArn: RULE }), 10);
    expect(elb.commandCalls(DescribeRulesCommand)[0]!.args[0].input).toEqual({ RuleArns: [RULE] });
    expect(elb.commandCalls(ModifyRuleCommand).map((c) => c.args[0].input)).toEqual([{ RuleArn: RULE, Actions: [{ ...forward(90, 10), Order: 2 }] }]);
    expect(elb.commandCalls(DescribeListenersCommand)).toHaveLength(0);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('keeps an authenticate-oidc action in front (with its existing secret) and replaces a single-target forward', async () => {
    const oidc: Action = { Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { Issuer: 'https://idp', AuthorizationEndpoint: 'https://idp/a', TokenEndpoint: 'https://idp/t', UserInfoEndpoint: 'https://idp/u', ClientId: 'c' } };
    elb.on(DescribeListenersCommand).resolves({ Listeners: [{ DefaultActions: [oidc, { Type: 'forward', Order: 2, TargetGroupArn: TG_STABLE }] }] });
    await router().setCanaryWeight(config(), 25);
    expect(elb.commandCalls(ModifyListenerCommand)[0]!.args[0].input.DefaultActions).toEqual([
      { ...oidc, AuthenticateOidcConfig: { ...oidc.AuthenticateOidcConfig, UseExistingClientSecret: true } },
      { ...forward(75, 25), Order: 2 },
    ]);
  });

  it('refuses to replace a listener action that is not a forward (e.g. a redirect)', async () => {
    elb.on(DescribeListenersCommand).resolves({ Listeners: [{ DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }] }] });
    await expect(router().setCanaryWeight(config(), 0)).rejects.toThrow(RouterResourceError);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it.each([-1, 101, 12.5])('rejects weight %s before any call', async (w) => {
    await expect(router().setCanaryWeight(config(), w)).rejects.toThrow(RangeError);
    expect(elb.calls()).toHaveLength(0);
  });

  it('reads weights as percentages of the forward action', async () => {
    elb.on(DescribeListenersCommand).resolves({ Listeners: [{ DefaultActions: [forward(3, 1)] }] });
    expect(await router().weights(config())).toEqual({ stable: 75, canary: 25 });
    elb.on(DescribeRulesCommand).resolves({ Rules: [{ Actions: [{ Type: 'forward', TargetGroupArn: TG_STABLE }] }] });
    expect(await router().weights(config({ ...albRouter, listenerRuleArn: RULE }))).toEqual({ stable: 100, canary: 0 });
  });

  it('refuses a service that is not routed by an ALB, touching nothing', async () => {
    await expect(router().setCanaryWeight(config({ kind: 'local' }), 10)).rejects.toThrow(UnsupportedRouterError);
    await expect(router().weights(config({ kind: 'local' }))).rejects.toMatchObject({ name: 'UnsupportedRouterError' });
    expect([...elb.calls(), ...ecs.calls()]).toHaveLength(0);
  });
});

describe('AlbEcsTrafficRouter: deployCanary', () => {
  beforeEach(() => {
    ecs.on(DescribeServicesCommand).resolves({ services: [svc('demo', TD(7)), svc('demo-canary', TD(5))] });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: TD(7) }).resolves({ taskDefinition: taskDef(7, OLD_IMAGE), tags: [{ key: 'team', value: 'web' }] });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: TD(5) }).resolves({ taskDefinition: taskDef(5, OLD_IMAGE) });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD(8) } });
  });

  it('registers a copy of the stable task definition with the new image and runs it in the canary service at 0 %', async () => {
    await router().deployCanary(config(), revision(NEW_IMAGE), revision(OLD_IMAGE));
    expect(ecs.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toEqual({ cluster: 'prod', services: ['demo', 'demo-canary'] });
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand, { taskDefinition: TD(7) })[0]!.args[0].input).toEqual({ taskDefinition: TD(7), include: ['TAGS'] });
    const stable = taskDef(7, OLD_IMAGE);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand).map((c) => c.args[0].input)).toEqual([
      {
        family: 'demo',
        containerDefinitions: [{ ...stable.containerDefinitions![0], image: NEW_IMAGE }, stable.containerDefinitions![1]],
        tags: [{ key: 'team', value: 'web' }],
        taskRoleArn: stable.taskRoleArn,
        executionRoleArn: stable.executionRoleArn,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
      },
    ]);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'prod', service: 'demo-canary', taskDefinition: TD(8), desiredCount: 2 }]);
    expect(elb.commandCalls(ModifyListenerCommand)[0]!.args[0].input.DefaultActions).toEqual([forward(100, 0)]);
    // Traffic off the canary target group before the canary service changes image.
    expect(order().indexOf('ModifyListener')).toBeLessThan(order().indexOf('UpdateService'));
  });

  it('does not register again when the canary service already runs the image (a retried deploy)', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [svc('demo-canary', TD(8)), svc('demo', TD(7))] });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: TD(8) }).resolves({ taskDefinition: taskDef(8, NEW_IMAGE) });
    await router().deployCanary(config(), revision(NEW_IMAGE), revision(OLD_IMAGE));
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'prod', service: 'demo-canary', taskDefinition: TD(8), desiredCount: 2 }]);
  });

  it('fails clearly when an ECS service is missing', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [svc('demo', TD(7))], failures: [{ arn: 'demo-canary', reason: 'MISSING' }] });
    await expect(router().deployCanary(config(), revision(NEW_IMAGE), null)).rejects.toThrow(RouterResourceError);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});

describe('AlbEcsTrafficRouter: promote', () => {
  beforeEach(() => {
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: TD(7) }).resolves({ taskDefinition: taskDef(7, OLD_IMAGE) });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: TD(8) }).resolves({ taskDefinition: taskDef(8, NEW_IMAGE) });
  });
  const pair = { services: [svc('demo', TD(7), [deployment(TD(7), 'COMPLETED')]), svc('demo-canary', TD(8))] };
  const stableAt = (...deployments: Deployment[]) => ({ services: [svc('demo', TD(8), deployments)] });

  it("moves the stable service to the canary's task definition, waits for it, then 100/0 and scales the canary down", async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(pair)
      .resolvesOnce(stableAt(deployment(TD(8), 'IN_PROGRESS'), deployment(TD(7), 'COMPLETED', 'ACTIVE')))
      .resolves(stableAt(deployment(TD(8), 'COMPLETED')));
    elb.on(DescribeListenersCommand).resolves({ Listeners: [{ DefaultActions: [forward(0, 100)] }] });
    await router({ pollIntervalMs: 5000 }).promote(config(), revision(NEW_IMAGE));
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'prod', service: 'demo', taskDefinition: TD(8) },
      { cluster: 'prod', service: 'demo-canary', desiredCount: 0 },
    ]);
    expect(ecs.commandCalls(DescribeServicesCommand).slice(1).map((c) => c.args[0].input)).toEqual([
      { cluster: 'prod', services: ['demo'] },
      { cluster: 'prod', services: ['demo'] },
    ]);
    expect(sleeps).toEqual([5000]);
    expect(elb.commandCalls(ModifyListenerCommand)[0]!.args[0].input.DefaultActions).toEqual([forward(100, 0)]);
    expect(order()).toEqual([
      'DescribeServices', 'DescribeTaskDefinition', 'DescribeTaskDefinition', 'UpdateService',
      'DescribeServices', 'DescribeServices', 'DescribeListeners', 'ModifyListener', 'UpdateService',
    ]);
  });

  it('throws TransientError when the deployment is not done within the timeout, leaving traffic alone', async () => {
    ecs.on(DescribeServicesCommand).resolvesOnce(pair).resolves(stableAt(deployment(TD(8), 'IN_PROGRESS')));
    await expect(router({ stableWaitTimeoutMs: 10_000, pollIntervalMs: 5000 }).promote(config(), revision(NEW_IMAGE))).rejects.toThrow(TransientError);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(4); // the pair, then polls at t=0, 5 s, 10 s
    expect(sleeps).toEqual([5000, 5000]);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand, { service: 'demo-canary' })).toHaveLength(0);
  });

  it('a retry after TransientError resumes the wait without updating the stable service again', async () => {
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [svc('demo', TD(8)), svc('demo-canary', TD(8))] }).resolves(stableAt(deployment(TD(8), 'COMPLETED')));
    await router().promote(config(), revision(NEW_IMAGE));
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'prod', service: 'demo-canary', desiredCount: 0 }]);
    expect(sleeps).toEqual([]);
  });

  it('a FAILED deployment is not transient', async () => {
    ecs.on(DescribeServicesCommand).resolvesOnce(pair).resolves(stableAt({ ...deployment(TD(8), 'FAILED'), rolloutStateReason: 'circuit breaker' }));
    await expect(router().promote(config(), revision(NEW_IMAGE))).rejects.toThrow(DeploymentFailedError);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('refuses to promote an image the canary service does not run', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [svc('demo', TD(7)), svc('demo-canary', TD(7))] });
    await expect(router().promote(config(), revision(NEW_IMAGE))).rejects.toThrow(RouterResourceError);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});

describe('AlbEcsTrafficRouter: rollback', () => {
  it('sends 100 % to stable before scaling the canary service down', async () => {
    elb.on(DescribeListenersCommand).resolves({ Listeners: [{ DefaultActions: [forward(50, 50)] }] });
    ecs.on(DescribeServicesCommand).resolves({ services: [svc('demo', TD(7)), svc('demo-canary', TD(8))] });
    await router().rollback(config(), revision(OLD_IMAGE));
    expect(elb.commandCalls(ModifyListenerCommand)[0]!.args[0].input).toEqual({ ListenerArn: LISTENER, DefaultActions: [forward(100, 0)] });
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'prod', service: 'demo-canary', desiredCount: 0 }]);
    expect(order()).toEqual(['DescribeListeners', 'ModifyListener', 'UpdateService', 'DescribeServices']);
  });

  it('restores the stable image when an interrupted promote had moved the stable service to the canary task definition', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [svc('demo', TD(8)), svc('demo-canary', TD(8))] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: taskDef(8, NEW_IMAGE) });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD(9) } });
    await router().rollback(config(), revision(OLD_IMAGE));
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input.containerDefinitions![0]!.image).toBe(OLD_IMAGE);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'prod', service: 'demo-canary', desiredCount: 0 },
      { cluster: 'prod', service: 'demo', taskDefinition: TD(9) },
    ]);
    expect(order().slice(0, 3)).toEqual(['DescribeListeners', 'ModifyListener', 'UpdateService']);
  });
});
