import { CanaryOptionsSchema, type RolloutSpec } from '../delivery/spec.js';
import { environmentSpec, type Strategy } from '../delivery/strategies.js';
import { UnknownEnvironmentError, UnknownServiceError } from './errors.js';
import type { ServiceConfig } from './services.js';
import type { EnvironmentSettings, ParsedDeliveryConfig, ServiceDefinition } from './validate.js';
import { configVersion } from './version.js';

/** Everything a rollout of one service in one environment needs, from the config in force. */
export interface ResolvedEnvironment extends EnvironmentSettings {
  service: string;
  environment: string;
  repository: string;
  team?: string;
  dependsOn: string[];
  ignoreTags: string[];
  /** Position in the service's promotion order: previous/next environment names (null at the ends). */
  index: number;
  previous: string | null;
  next: string | null;
  /** The step list to run: the strategy's steps, behind an approval step when approval is required. */
  spec: RolloutSpec;
  /** Version of the whole config (see configVersion), to store on the rollout. */
  configVersion: string;
}

export function serviceOf(config: ParsedDeliveryConfig, service: string): ServiceDefinition {
  const svc = config.services[service];
  if (!svc) throw new UnknownServiceError(`no service named ${service}; known services: ${Object.keys(config.services).join(', ') || '(none)'}`);
  return svc;
}

/** The service configured for an ECR repository, if any. */
export function serviceForRepository(config: ParsedDeliveryConfig, repository: string): ServiceDefinition | undefined {
  return Object.values(config.services).find((s) => s.repository === repository);
}

/** A service's environment names in promotion order. */
export const environmentsOf = (config: ParsedDeliveryConfig, service: string): string[] => serviceOf(config, service).environments.map((e) => e.name);

export { approvalGate } from '../delivery/strategies.js';

/** The spec an environment runs: strategy steps, with the approval step first when approval is required. */
export const specForEnvironment = (env: EnvironmentSettings): RolloutSpec => environmentSpec(env.strategy, env.name, env.approval);

/**
 * The resolved settings of (service, environment); without `environment`, the service's first one
 * (where a push lands). Throws UnknownServiceError / UnknownEnvironmentError.
 */
export function resolveEnvironment(config: ParsedDeliveryConfig, service: string, environment?: string): ResolvedEnvironment {
  const svc = serviceOf(config, service);
  const index = environment === undefined ? 0 : svc.environments.findIndex((e) => e.name === environment);
  const env = svc.environments[index];
  if (!env) {
    throw new UnknownEnvironmentError(`service ${service} has no environment ${environment}; its environments: ${svc.environments.map((e) => e.name).join(' → ')}`);
  }
  return {
    ...env,
    service: svc.name,
    environment: env.name,
    repository: svc.repository,
    ...(svc.team ? { team: svc.team } : {}),
    dependsOn: svc.dependsOn,
    ignoreTags: svc.ignoreTags,
    index,
    previous: svc.environments[index - 1]?.name ?? null,
    next: svc.environments[index + 1]?.name ?? null,
    spec: specForEnvironment(env),
    configVersion: configVersion(config),
  };
}

/** The original-format canary options of a strategy (defaults when it is not a canary). */
function canaryOptionsOf(strategy: Strategy): ServiceConfig['canary'] {
  if (strategy.kind === 'canary') return { stages: strategy.stages, stageSeconds: strategy.stageSeconds, analysis: strategy.analysis };
  return CanaryOptionsSchema.parse({});
}

/**
 * The deployment target of a service in one environment — the name its service record, lock, stable
 * revision, proxy and rollouts go by: the service name when it has one environment, `<service>.<env>`
 * when it has several (so `api.staging` and `api.production` are rolled out, locked and measured apart).
 */
export const targetName = (svc: ServiceDefinition, env: string) => (svc.environments.length === 1 ? svc.name : `${svc.name}.${env}`);

/** One environment of a service as the original ServiceConfig (plus `strategy`), for code that reads that shape. */
export function toServiceConfig(svc: ServiceDefinition, env: EnvironmentSettings): ServiceConfig {
  const index = svc.environments.indexOf(env);
  const next = svc.environments[index + 1];
  return {
    name: targetName(svc, env.name),
    ...(svc.environments.length > 1 ? { progression: { service: svc.name, first: index === 0, ...(next ? { next: targetName(svc, next.name) } : {}) } } : {}),
    repository: svc.repository,
    environment: env.name,
    ignoreTags: svc.ignoreTags,
    dependsOn: svc.dependsOn,
    canary: canaryOptionsOf(env.strategy),
    router: env.router,
    strategy: env.strategy,
    ...(env.approval?.required ? { approval: env.approval } : {}),
    ...(env.security ? { security: env.security } : {}),
    ...(env.notify?.length ? { notify: env.notify } : {}),
  };
}

/** Every (service, environment) target, environments in promotion order; pushes land on each service's first. */
export function toServiceConfigs(config: ParsedDeliveryConfig): ServiceConfig[] {
  return Object.values(config.services).flatMap((svc) => svc.environments.map((env) => toServiceConfig(svc, env)));
}
