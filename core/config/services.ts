import * as z from 'zod';
import { CanaryOptionsSchema } from '../delivery/spec.js';

/** How traffic reaches a service's two versions. */
export const RouterConfigSchema = z.discriminatedUnion('kind', [
  /** The embedded runtime's weighted proxy in front of demo-service processes. */
  z.object({ kind: z.literal('local') }),
  /**
   * An ALB listener rule forwarding to two weighted target groups, each fed by one ECS service:
   * the stable service and a canary service that runs the new image during a rollout.
   */
  z.object({
    kind: z.literal('alb'),
    listenerArn: z.string().startsWith('arn:'),
    /** The listener rule to weight; omitted = the listener's default action. */
    listenerRuleArn: z.string().startsWith('arn:').optional(),
    stableTargetGroupArn: z.string().startsWith('arn:'),
    canaryTargetGroupArn: z.string().startsWith('arn:'),
    cluster: z.string().min(1),
    stableService: z.string().min(1),
    canaryService: z.string().min(1),
    /** Container in the task definition whose image is replaced. */
    container: z.string().min(1),
    /** Desired count of the canary service while a rollout runs. */
    canaryDesiredCount: z.number().int().min(1).default(1),
  }),
]);
export type RouterConfig = z.infer<typeof RouterConfigSchema>;

export const ServiceConfigSchema = z.object({
  /** ECR repository whose pushes roll out to this service. */
  repository: z.string().min(2),
  environment: z.string().min(1).default('production'),
  /** Tags that never start a rollout (e.g. `latest`, `cache`); exact matches. */
  ignoreTags: z.array(z.string()).default([]),
  canary: CanaryOptionsSchema.prefault({}),
  router: RouterConfigSchema,
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

export class InvalidConfigError extends Error {
  override name = 'InvalidConfigError';
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid delivery config:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
  }
}

const pathOf = (path: PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/** Validates a whole config; an invalid one is rejected whole, with the exact path of every issue. */
export function parseDeliveryConfig(input: unknown): ServiceConfig[] {
  const parsed = DeliveryConfigSchema.safeParse(input);
  if (!parsed.success) throw new InvalidConfigError(parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })));
  return Object.entries(parsed.data.services).map(([name, svc]) => ({ name, ...svc }));
}
