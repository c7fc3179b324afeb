import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RouterConfig, ServiceConfig } from '../../core/config/services.js';
import { TransientError, type TrafficRouter } from '../../core/delivery/ports.js';
import type { Revision } from '../../core/delivery/rollout.js';

export type AlbRouterConfig = Extract<RouterConfig, { kind: 'alb' }>;

/** The service is not routed by an ALB (e.g. `kind: 'local'`): this router cannot touch it. */
export class UnsupportedRouterError extends Error {
  override name = 'UnsupportedRouterError';
}

/** Not done yet, try again later (e.g. the stable service is still deploying). Step Functions retries on this name. */
export { TransientError };

/** ECS reported the stable service's deployment of the promoted task definition as FAILED. */
export class DeploymentFailedError extends Error {
  override name = 'DeploymentFailedError';
}

/** An ECS service, container, listener, rule or forward action the configuration names does not exist (as expected). */
export class RouterResourceError extends Error {
  override name = 'RouterResourceError';
}

export interface AlbEcsTrafficRouterOptions {
  /** How long one promote call waits for the stable service's deployment before throwing TransientError. Default 60 s. */
  stableWaitTimeoutMs?: number;
  /** Pause between two DescribeServices polls while waiting. Default 5 s. */
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The RegisterTaskDefinition input fields a described task definition carries (everything else is read-only state). */
const REGISTRABLE = [
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const satisfies readonly (keyof RegisterTaskDefinitionCommandInput & keyof TaskDefinition)[];

const imageOf = (td: TaskDefinition, container: string) => td.containerDefinitions?.find((c) => c.name === container)?.image;

/**
 * TrafficRouter for `router.kind === 'alb'`: an ALB listener (or one of its rules) forwards to two weighted target
 * groups; the stable ECS service feeds the stable target group, the canary ECS service the canary one.
 * Every method is safe to retry: each re-reads the current state and converges on the requested one.
 */
export class AlbEcsTrafficRouter implements TrafficRouter {
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly elb: ElasticLoadBalancingV2Client,
    private readonly ecs: ECSClient,
    options: AlbEcsTrafficRouterOptions = {},
  ) {
    this.timeoutMs = options.stableWaitTimeoutMs ?? 60_000;
    this.pollMs = options.pollIntervalMs ?? 5_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /**
   * Runs `revision.image` in the canary service (a copy of the stable service's task definition with the
   * configured container's image replaced) at 0 % traffic. Traffic goes to 0 % first, so a canary service
   * left weighted by an earlier interruption never serves the new image before its analysis starts.
   * A canary already running a task definition with that image is reused: nothing is registered again.
   * `_stable` is not needed: the stable ECS service's current task definition is the template.
   */
  async deployCanary(service: ServiceConfig, revision: Revision, _stable?: Revision | null): Promise<void> {
    const r = alb(service);
    await this.writeWeights(r, 0);
    const { stable, canary } = await this.describe(r);
    let arn: string | undefined;
    if (canary.taskDefinition && imageOf((await this.taskDefinition(canary.taskDefinition)).td, r.container) === revision.image) {
      arn = canary.taskDefinition;
    }
    arn ??= await this.registerWithImage(r, requireTd(stable), revision.image);
    await this.ecs.send(new UpdateServiceCommand({ cluster: r.cluster, service: r.canaryService, taskDefinition: arn, desiredCount: r.canaryDesiredCount }));
  }

  /**
   * Rolling batches also scale the canary service to the batch's instance count (surge-only: the stable
   * service keeps its count until promotion replaces it), before traffic moves.
   */
  async setCanaryWeight(service: ServiceConfig, weight: number, replicas?: { canary: number; stable: number }): Promise<void> {
    const r = alb(service);
    if (replicas && replicas.canary > 0) await this.ecs.send(new UpdateServiceCommand({ cluster: r.cluster, service: r.canaryService, desiredCount: replicas.canary }));
    await this.writeWeights(r, weight);
  }

  /** Blue/green: the test listener forwards to the canary target group while open, to the stable one otherwise. */
  async setTestRoute(service: ServiceConfig, enabled: boolean): Promise<void> {
    const r = alb(service);
    if (!r.testListenerArn) throw new RouterResourceError(`service ${service.name} has no router.testListenerArn: blue/green test traffic needs a test listener`);
    const { listenerRuleArn: _rule, ...rest } = r;
    await this.writeWeights({ ...rest, listenerArn: r.testListenerArn }, enabled ? 100 : 0);
  }

  /**
   * Points the stable service at the canary's task definition (the one running `revision.image`), waits for that
   * deployment to complete (TransientError when it has not within `stableWaitTimeoutMs`: the caller retries, and the
   * retry resumes the wait), then sends 100 % to the stable target group and scales the canary service to 0.
   */
  async promote(service: ServiceConfig, revision: Revision): Promise<void> {
    const r = alb(service);
    const { stable, canary } = await this.describe(r);
    const stableArn = requireTd(stable);
    let target = stableArn;
    if (imageOf((await this.taskDefinition(stableArn)).td, r.container) !== revision.image) {
      const canaryArn = canary.taskDefinition;
      if (!canaryArn || imageOf((await this.taskDefinition(canaryArn)).td, r.container) !== revision.image) {
        throw new RouterResourceError(`canary service ${r.canaryService} does not run ${revision.image}; refusing to promote an image it never served`);
      }
      target = canaryArn;
      await this.ecs.send(new UpdateServiceCommand({ cluster: r.cluster, service: r.stableService, taskDefinition: target }));
    }
    await this.waitForStable(r, target);
    await this.writeWeights(r, 0);
    await this.ecs.send(new UpdateServiceCommand({ cluster: r.cluster, service: r.canaryService, desiredCount: 0 }));
  }

  /**
   * Traffic first: 100 % to stable, then the canary service scaled to 0. If an interrupted promote had already pointed
   * the stable service at the canary's task definition, the stable service is redeployed with `stable.image`.
   */
  async rollback(service: ServiceConfig, stable: Revision | null): Promise<void> {
    const r = alb(service);
    await this.writeWeights(r, 0);
    await this.ecs.send(new UpdateServiceCommand({ cluster: r.cluster, service: r.canaryService, desiredCount: 0 }));
    if (!stable) return;
    const { stable: stableSvc, canary } = await this.describe(r);
    const stableArn = requireTd(stableSvc);
    if (stableArn !== canary.taskDefinition) return;
    if (imageOf((await this.taskDefinition(stableArn)).td, r.container) === stable.image) return;
    const restored = await this.registerWithImage(r, stableArn, stable.image);
    await this.ecs.send(new UpdateServiceCommand({ cluster: r.cluster, service: r.stableService, taskDefinition: restored }));
  }

  /** Percentages of the forward action's weights (ALB weights are relative, 0–999). */
  async weights(service: ServiceConfig): Promise<{ stable: number; canary: number }> {
    const r = alb(service);
    const forward = (await this.readActions(r)).find((a) => a.Type === 'forward');
    if (!forward) throw new RouterResourceError(`${r.listenerRuleArn ?? r.listenerArn} has no forward action`);
    const groups = forward.ForwardConfig?.TargetGroups ?? (forward.TargetGroupArn ? [{ TargetGroupArn: forward.TargetGroupArn, Weight: 1 }] : []);
    const weightOf = (arn: string) => groups.filter((g) => g.TargetGroupArn === arn).reduce((n, g) => n + (g.Weight ?? 1), 0);
    const total = groups.reduce((n, g) => n + (g.Weight ?? 1), 0);
    if (total === 0) return { stable: 0, canary: 0 };
    return { stable: Math.round((100 * weightOf(r.stableTargetGroupArn)) / total), canary: Math.round((100 * weightOf(r.canaryTargetGroupArn)) / total) };
  }

  private async readActions(r: AlbRouterConfig): Promise<Action[]> {
    if (r.listenerRuleArn) {
      const rule = (await this.elb.send(new DescribeRulesCommand({ RuleArns: [r.listenerRuleArn] }))).Rules?.[0];
      if (!rule) throw new RouterResourceError(`listener rule ${r.listenerRuleArn} not found`);
      return rule.Actions ?? [];
    }
    const listener = (await this.elb.send(new DescribeListenersCommand({ ListenerArns: [r.listenerArn] }))).Listeners?.[0];
    if (!listener) throw new RouterResourceError(`listener ${r.listenerArn} not found`);
    return listener.DefaultActions ?? [];
  }

  /**
   * Replaces the forward action by one forwarding `100 - canary` to stable and `canary` to the canary target group,
   * keeping its stickiness and order. Authenticate actions in front of it are kept (OIDC with its existing secret).
   */
  private async writeWeights(r: AlbRouterConfig, canary: number): Promise<void> {
    if (!Number.isInteger(canary) || canary < 0 || canary > 100) throw new RangeError(`canary weight must be an integer 0–100, got ${canary}`);
    const current = await this.readActions(r);
    const forward = current.find((a) => a.Type === 'forward');
    // Never turn a redirect or fixed response (a wrongly configured ARN) into a forward.
    if (!forward) throw new RouterResourceError(`${r.listenerRuleArn ?? r.listenerArn} has no forward action to weight`);
    const stickiness = forward.ForwardConfig?.TargetGroupStickinessConfig;
    const auth = current
      .filter((a) => a.Type?.startsWith('authenticate-'))
      .map((a) => (a.AuthenticateOidcConfig && !a.AuthenticateOidcConfig.ClientSecret ? { ...a, AuthenticateOidcConfig: { ...a.AuthenticateOidcConfig, UseExistingClientSecret: true } } : a));
    const next: Action = {
      Type: 'forward',
      ...(forward.Order !== undefined ? { Order: forward.Order } : {}),
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: r.stableTargetGroupArn, Weight: 100 - canary },
          { TargetGroupArn: r.canaryTargetGroupArn, Weight: canary },
        ],
        ...(stickiness ? { TargetGroupStickinessConfig: stickiness } : {}),
      },
    };
    const actions = [...auth, next];
    if (r.listenerRuleArn) await this.elb.send(new ModifyRuleCommand({ RuleArn: r.listenerRuleArn, Actions: actions }));
    else await this.elb.send(new ModifyListenerCommand({ ListenerArn: r.listenerArn, DefaultActions: actions }));
  }

  private async describe(r: AlbRouterConfig): Promise<{ stable: Service; canary: Service }> {
    const find = await this.lookup(r, [r.stableService, r.canaryService]);
    return { stable: find(r.stableService), canary: find(r.canaryService) };
  }

  /** One DescribeServices call; the returned function throws for a service that is missing or not ACTIVE. */
  private async lookup(r: AlbRouterConfig, names: string[]): Promise<(name: string) => Service> {
    const res = await this.ecs.send(new DescribeServicesCommand({ cluster: r.cluster, services: names }));
    return (name) => {
      const svc = res.services?.find((s) => s.serviceName === name || s.serviceArn === name || s.serviceArn?.endsWith(`/${name}`));
      if (!svc || svc.status !== 'ACTIVE') throw new RouterResourceError(`ECS service ${name} not found or not active in cluster ${r.cluster}`);
      return svc;
    };
  }

  private async taskDefinition(arn: string, withTags = false): Promise<{ td: TaskDefinition; tags: Tag[] }> {
    const res = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, ...(withTags ? { include: ['TAGS' as const] } : {}) }));
    if (!res.taskDefinition) throw new RouterResourceError(`task definition ${arn} not found`);
    return { td: res.taskDefinition, tags: res.tags ?? [] };
  }

  /** Registers a copy of `sourceArn` (same family, tags included) whose configured container runs `image`. */
  private async registerWithImage(r: AlbRouterConfig, sourceArn: string, image: string): Promise<string> {
    const { td, tags } = await this.taskDefinition(sourceArn, true);
    if (!imageOf(td, r.container)) throw new RouterResourceError(`task definition ${sourceArn} has no container ${r.container}`);
    const input: RegisterTaskDefinitionCommandInput = {
      family: td.family,
      containerDefinitions: td.containerDefinitions!.map((c) => (c.name === r.container ? { ...c, image } : c)),
      ...(tags.length ? { tags } : {}),
    };
    for (const key of REGISTRABLE) {
      const value = td[key];
      if (value !== undefined && !(Array.isArray(value) && value.length === 0)) (input as unknown as Record<string, unknown>)[key] = value;
    }
    const arn = (await this.ecs.send(new RegisterTaskDefinitionCommand(input))).taskDefinition?.taskDefinitionArn;
    if (!arn) throw new RouterResourceError(`RegisterTaskDefinition for ${td.family} returned no ARN`);
    return arn;
  }

  /** Polls the stable service until its PRIMARY deployment of `target` is COMPLETED, up to the timeout. */
  private async waitForStable(r: AlbRouterConfig, target: string): Promise<void> {
    const deadline = this.now() + this.timeoutMs;
    for (;;) {
      const stable = (await this.lookup(r, [r.stableService]))(r.stableService);
      const deployments = stable.deployments ?? [];
      const failed = deployments.find((d) => d.taskDefinition === target && d.rolloutState === 'FAILED');
      if (failed) throw new DeploymentFailedError(`deployment of ${target} to ${r.stableService} failed: ${failed.rolloutStateReason ?? 'no reason given'}`);
      const primary = deployments.find((d) => d.status === 'PRIMARY');
      if (primary?.taskDefinition === target) {
        if (primary.rolloutState === 'COMPLETED') return;
        // Services without rollout state (e.g. other deployment controllers): done when it is the only deployment and at count.
        if (!primary.rolloutState && deployments.length === 1 && primary.runningCount === primary.desiredCount) return;
      }
      if (this.now() + this.pollMs > deadline) {
        throw new TransientError(`${r.stableService} is still deploying ${target} (${primary?.rolloutState ?? 'no rollout state'}, ${primary?.runningCount ?? 0}/${primary?.desiredCount ?? 0} running)`);
      }
      await this.sleep(this.pollMs);
    }
  }
}

function alb(service: ServiceConfig): AlbRouterConfig {
  if (service.router.kind !== 'alb') throw new UnsupportedRouterError(`service ${service.name} uses router kind '${service.router.kind}', not 'alb'`);
  return service.router;
}

function requireTd(svc: Service): string {
  if (!svc.taskDefinition) throw new RouterResourceError(`ECS service ${svc.serviceName} has no task definition`);
  return svc.taskDefinition;
}
