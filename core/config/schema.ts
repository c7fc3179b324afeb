import * as z from 'zod';
import { CanaryOptionsSchema } from '../delivery/spec.js';
import { StrategySchema } from '../delivery/strategies.js';
import { SecurityPolicySchema } from '../security/policy.js';
import { RouterConfigSchema } from './router.js';
import { SecretRefSchema } from './secrets.js';

/**
 * The delivery configuration file (YAML, JSON or a TypeScript/ESM module's default export).
 * Every key is documented in docs/delivery-config.md. Objects are strict: an unknown key (a typo) is an error.
 */

export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
export const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 86_400;

/** A human gate before an environment's rollout starts. */
export const ApprovalSchema = z.strictObject({
  /** Writing an `approval` block means approval is wanted unless `required: false`. */
  required: z.boolean().default(true),
  timeoutSeconds: z.number().int().min(1).max(365 * 24 * 3600).default(DEFAULT_APPROVAL_TIMEOUT_SECONDS),
  /** What happens when nobody decides in time: reject rolls back, continue proceeds. */
  onTimeout: z.enum(['reject', 'continue']).default('reject'),
  /** Who may approve (user names, emails or group names, as your approval channel knows them); absent = anyone allowed to operate rollouts. */
  approvers: z.array(z.string().min(1)).min(1).optional(),
});
export type Approval = z.infer<typeof ApprovalSchema>;

const localHttp = (u: string) => /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(u);

export const NotifyTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sns'),
    topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'must be an SNS topic ARN'),
  }),
  z.strictObject({
    kind: z.literal('webhook'),
    url: z.url().refine((u) => u.startsWith('https://') || localHttp(u), 'must be an https URL (http only for localhost)'),
    /** Key for signing the body (HMAC-SHA256); a reference, never the key itself. */
    secretRef: SecretRefSchema.optional(),
  }),
  z.strictObject({
    kind: z.literal('slack'),
    /** The incoming-webhook URL is itself the secret, so only its reference is configured. */
    webhookSecretRef: SecretRefSchema,
  }),
]);
export type NotifyTarget = z.infer<typeof NotifyTargetSchema>;

/**
 * Settings an environment has. Each may also be written on the service, as the default of all its
 * environments; an environment's own value replaces the service's (no deep merge).
 * `canary` is the original shorthand for `strategy: { kind: canary, ... }`.
 */
const settings = {
  strategy: StrategySchema.optional(),
  canary: CanaryOptionsSchema.optional(),
  router: RouterConfigSchema.optional(),
  approval: ApprovalSchema.optional(),
  notify: z.array(NotifyTargetSchema).optional(),
  security: SecurityPolicySchema.optional(),
};

export const EnvironmentSchema = z.strictObject({
  name: z.string().regex(ENVIRONMENT_NAME, 'environment names are letters, digits, - and _ (at most 63)'),
  ...settings,
});

export const ServiceSchema = z.strictObject({
  /** ECR repository whose pushes roll out to this service; one service per repository. */
  repository: z.string().min(2),
  /** Owning team (for notifications, reports and DORA breakdowns). */
  team: z.string().min(1).max(128).optional(),
  /** Services whose rollout must have completed first (same environment); names in this file. */
  dependsOn: z.array(z.string().min(1)).default([]),
  /** Tags that never start a rollout (e.g. `latest`, `cache`); exact matches. */
  ignoreTags: z.array(z.string()).default([]),
  /** Single-environment form: the environment's name (default `production`). Not with `environments`. */
  environment: z.string().regex(ENVIRONMENT_NAME, 'environment names are letters, digits, - and _ (at most 63)').optional(),
  /** Progressive form: the environments in promotion order, each with its own settings. */
  environments: z.array(EnvironmentSchema).min(1).optional(),
  ...settings,
});

export const DeliveryFileSchema = z.strictObject({
  /** Format version of this file; 1 is the only one. */
  version: z.literal(1).default(1),
  services: z.record(z.string().regex(SERVICE_NAME, 'service names are lowercase letters, digits and -'), ServiceSchema),
});
export type DeliveryFileInput = z.input<typeof DeliveryFileSchema>;
export type DeliveryFileParsed = z.infer<typeof DeliveryFileSchema>;

/** Keys only the newer format has; a config with none of them is also a valid original-format config. */
export const EXTENDED_TOP_KEYS = ['version'] as const;
export const EXTENDED_SERVICE_KEYS = ['environments', 'strategy', 'dependsOn', 'team', 'approval', 'notify', 'security'] as const;

/** Every key the schemas know, for "did you mean" hints on unknown keys. */
export const KNOWN_KEYS = [
  ...Object.keys(DeliveryFileSchema.shape),
  ...Object.keys(ServiceSchema.shape),
  ...Object.keys(ApprovalSchema.shape),
  'kind', 'topicArn', 'url', 'secretRef', 'webhookSecretRef', 'ssm', 'secretsManager',
  ...Object.keys(SecurityPolicySchema.shape),
  'stages', 'stageSeconds', 'autoPromote', 'analysis', 'testTraffic', 'prePromotionSeconds', 'manualSwitch', 'bakeSeconds',
  'scaleDownDelaySeconds', 'instances', 'maxSurge', 'maxUnavailable', 'healthCheckSeconds', 'intervalSeconds', 'minRequests',
  'failureLimit', 'inconclusiveLimit', 'consecutiveErrorLimit', 'metrics', 'metric', 'max', 'critical', 'alarmNames',
  'listenerArn', 'listenerRuleArn', 'stableTargetGroupArn', 'canaryTargetGroupArn', 'cluster', 'stableService', 'canaryService',
  'container', 'canaryDesiredCount',
];
