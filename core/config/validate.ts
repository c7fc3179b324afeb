import type * as z from 'zod';
import { StrategySchema, type Strategy } from '../delivery/strategies.js';
import { SecurityPolicySchema, type SecurityPolicy } from '../security/policy.js';
import { displayPath, hint, semanticIssues } from './checks.js';
import { InvalidConfigError, type ConfigIssue } from './errors.js';
import type { RouterConfig } from './router.js';
import {
  DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  DeliveryFileSchema,
  EXTENDED_SERVICE_KEYS,
  EXTENDED_TOP_KEYS,
  type Approval,
  type DeliveryFileParsed,
  type NotifyTarget,
} from './schema.js';
import { findInlineSecrets, type RawIssue } from './secrets.js';
import { configVersion } from './version.js';

/** One environment of a service with every setting resolved (service defaults and built-in defaults applied). */
export interface EnvironmentSettings {
  name: string;
  strategy: Strategy;
  approval: Approval;
  router: RouterConfig;
  notify: NotifyTarget[];
  security: SecurityPolicy;
}

export interface ServiceDefinition {
  name: string;
  repository: string;
  team?: string;
  dependsOn: string[];
  ignoreTags: string[];
  /** In promotion order; at least one. */
  environments: EnvironmentSettings[];
}

/** A validated, normalized delivery config: what `configVersion` hashes and `resolveEnvironment` reads. */
export interface ParsedDeliveryConfig {
  version: 1;
  /** By service name, in name order. */
  services: Record<string, ServiceDefinition>;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** True when the config uses a key only the newer format has (see schema.ts); false for original-format configs. */
export function isExtendedConfig(input: unknown): boolean {
  if (!isObj(input)) return false;
  if (EXTENDED_TOP_KEYS.some((k) => k in input)) return true;
  return isObj(input.services) && Object.values(input.services).some((s) => isObj(s) && EXTENDED_SERVICE_KEYS.some((k) => k in s));
}

const endsWithStages = (path: readonly PropertyKey[]) => path[path.length - 1] === 'stages';

/** Schema issues, with unknown keys split one per key and stage-order issues left to the precise check. */
function schemaIssues(issues: z.core.$ZodIssue[], secretPaths: Set<string>): RawIssue[] {
  return issues.flatMap((i): RawIssue[] => {
    if (i.code === 'custom' && endsWithStages(i.path)) return [];
    if (i.code === 'unrecognized_keys') {
      return i.keys
        .filter((k) => !secretPaths.has(JSON.stringify([...i.path, k])))
        .map((k) => ({ path: [...i.path, k], message: `unknown key${hint(k)}` }));
    }
    return [{ path: i.path, message: i.message }];
  });
}

/** Every problem of a raw config, by display path, de-duplicated, in document-ish order. */
export function validateDeliveryConfig(input: unknown): { issues: ConfigIssue[]; data?: DeliveryFileParsed } {
  const secrets = findInlineSecrets(input);
  const secretPaths = new Set(secrets.map((s) => JSON.stringify(s.path)));
  const parsed = DeliveryFileSchema.safeParse(input);
  const raw = [...secrets, ...(parsed.success ? [] : schemaIssues(parsed.error.issues, secretPaths)), ...semanticIssues(input)];
  // Grouped by service, in the order the file lists them; within a service, in the order found.
  const order = isObj(input) && isObj(input.services) ? Object.keys(input.services) : [];
  const rank = (r: RawIssue) => (r.path[0] === 'services' ? order.indexOf(String(r.path[1])) : -1);
  raw.sort((a, b) => rank(a) - rank(b));
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const r of raw) {
    const issue = { path: displayPath(r.path, input), message: r.message };
    const key = `${issue.path}\u0000${issue.message}`;
    if (!seen.has(key)) issues.push(issue);
    seen.add(key);
  }
  return issues.length || !parsed.success ? { issues } : { issues, data: parsed.data };
}

type Settings = Partial<Pick<DeliveryFileParsed['services'][string], 'strategy' | 'canary' | 'router' | 'approval' | 'notify' | 'security'>>;

function strategyOf(own: Settings, inherited: Settings): Strategy {
  const pick = own.strategy !== undefined || own.canary !== undefined ? own : inherited;
  if (pick.strategy) return pick.strategy;
  return StrategySchema.parse({ kind: 'canary', ...pick.canary });
}

function environmentOf(name: string, own: Settings, svc: Settings): EnvironmentSettings {
  return {
    name,
    strategy: strategyOf(own, svc),
    approval: own.approval ?? svc.approval ?? { required: false, timeoutSeconds: DEFAULT_APPROVAL_TIMEOUT_SECONDS, onTimeout: 'reject' },
    router: (own.router ?? svc.router)!,
    notify: own.notify ?? svc.notify ?? [],
    security: own.security ?? svc.security ?? SecurityPolicySchema.parse({}),
  };
}

/** Fills inheritance and defaults: each service gets its full, ordered list of environments. */
function normalize(data: DeliveryFileParsed): ParsedDeliveryConfig {
  const services: Record<string, ServiceDefinition> = {};
  for (const name of Object.keys(data.services).sort()) {
    const svc = data.services[name]!;
    const envs = svc.environments ?? [{ name: svc.environment ?? 'production' }];
    services[name] = {
      name,
      repository: svc.repository,
      ...(svc.team ? { team: svc.team } : {}),
      dependsOn: [...new Set(svc.dependsOn)].sort(),
      ignoreTags: svc.ignoreTags,
      environments: envs.map((env) => environmentOf(env.name, svc.environments ? env : {}, svc)),
    };
  }
  return { version: 1, services };
}

/**
 * Validates a delivery config (either format) and returns it normalized with its version.
 * An invalid config is rejected whole: InvalidConfigError lists every issue with its exact path.
 */
export function parseDeliveryFile(input: unknown): { config: ParsedDeliveryConfig; configVersion: string } {
  const { issues, data } = validateDeliveryConfig(input);
  if (!data) throw new InvalidConfigError(issues);
  const config = normalize(data);
  return { config, configVersion: configVersion(config) };
}
