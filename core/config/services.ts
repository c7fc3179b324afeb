import * as z from 'zod';
import { CanaryOptionsSchema } from '../delivery/spec.js';
import { StrategySchema } from '../delivery/strategies.js';
import { SecurityPolicySchema } from '../security/policy.js';
import { ApprovalSchema, NotifyTargetSchema } from './schema.js';
import { InvalidConfigError, pathOf } from './errors.js';
import { RouterConfigSchema } from './router.js';
import { isExtendedConfig, parseDeliveryFile } from './validate.js';
import { toServiceConfigs } from './resolve.js';

export { RouterConfigSchema, type RouterConfig } from './router.js';
export { InvalidConfigError } from './errors.js';

export const ServiceConfigSchema = z.object({
  /** ECR repository whose pushes roll out to this service. */
  repository: z.string().min(2),
  environment: z.string().min(1).default('production'),
  /** Tags that never start a rollout (e.g. `latest`, `cache`); exact matches. */
  ignoreTags: z.array(z.string()).default([]),
  /** Services this one depends on: a release rolls them out first (core/delivery/release.ts). */
  dependsOn: z.array(z.string()).default([]),
  canary: CanaryOptionsSchema.prefault({}),
  router: RouterConfigSchema,
  /**
   * The environment's strategy when the config was written with `strategy` (core/config/validate.ts);
   * when present it wins over `canary`. Absent in configs that only use `canary`.
   */
  strategy: StrategySchema.optional(),
  /** The environment's approval gate (an approval step before the strategy's steps when required). */
  approval: ApprovalSchema.optional(),
  /** The environment's pre-deployment security gate on the image's scan findings. */
  security: SecurityPolicySchema.optional(),
  /** The environment's own notification targets, besides the deployment-wide topic. */
  notify: z.array(NotifyTargetSchema).optional(),
  /**
   * Progressive delivery: set on each environment of a service with several. `next` is the target that
   * receives the revision once this one promoted it; only the `first` receives pushes.
   */
  progression: z.object({ service: z.string(), first: z.boolean(), next: z.string().optional() }).optional(),
});
export type ServiceConfigInput = z.input<typeof ServiceConfigSchema>;
export type ServiceConfig = z.infer<typeof ServiceConfigSchema> & { name: string };

export const DeliveryConfigSchema = z
  .object({
    services: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'service names are lowercase letters, digits and -'), ServiceConfigSchema),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, string>();
    for (const [name, svc] of Object.entries(cfg.services)) {
      const other = seen.get(svc.repository);
      if (other) ctx.addIssue({ code: 'custom', path: ['services', name, 'repository'], message: `repository ${svc.repository} is already mapped to service ${other}` });
      seen.set(svc.repository, name);
    }
  });
export type DeliveryConfig = z.infer<typeof DeliveryConfigSchema>;

/**
 * Validates a whole config; an invalid one is rejected whole, with the exact path of every issue.
 * A config using any of the newer keys (environments, strategy, dependsOn, team, approval, notify,
 * security, version) is validated by `parseDeliveryFile`, and each (service, environment) becomes one
 * target (`targetName`: the service name, or `<service>.<env>` when it has several environments).
 */
export function parseDeliveryConfig(input: unknown): ServiceConfig[] {
  if (isExtendedConfig(input)) return toServiceConfigs(parseDeliveryFile(input).config);
  const parsed = DeliveryConfigSchema.safeParse(input);
  if (!parsed.success) throw new InvalidConfigError(parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })));
  return Object.entries(parsed.data.services).map(([name, svc]) => ({ name, ...svc }));
}
