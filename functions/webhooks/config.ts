import * as z from 'zod';
import { CiProvider } from '../../events/ci.js';
import type { WebhookOptions } from '../../core/webhooks/index.js';

/**
 * Webhook configuration shared by both runtimes.
 *
 * Secrets arrive by reference and are never logged: in AWS a Secrets Manager secret (its name in
 * WEBHOOK_SECRETS_SECRET), locally `<data dir>/webhook-secrets.json` or LUMINA_WEBHOOK_SECRETS. Either holds
 * one JSON object: provider → a secret or a list of secrets (newest first; several while rotating), e.g.
 * `{"github": ["new", "old"], "gitlab": "token", "generic": ["s1"]}`. A provider without a usable secret
 * rejects every delivery (fail closed).
 *
 * Options (not secret): WEBHOOK_OPTIONS (AWS) / `<data dir>/webhook-options.json` or LUMINA_WEBHOOK_OPTIONS,
 * the JSON form of core/webhooks WebhookOptions (services map, deploy rules, incident label, limits).
 */

export class InvalidWebhookConfigError extends Error {
  override readonly name = 'InvalidWebhookConfigError';
}

const Secret = z.string().min(1, 'must not be empty');
const SecretsSchema = z.partialRecord(CiProvider, z.union([Secret, z.array(Secret).min(1)]));
export type WebhookSecrets = Partial<Record<CiProvider, readonly string[]>>;

/** Where a handler finds the secrets of a provider (re-read as the source allows; cached). */
export interface WebhookSecretSource {
  secretsFor(provider: string): Promise<readonly string[]>;
}

const describe = (e: z.ZodError) => e.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');

/** Parses the secrets document. Messages name paths only, never values. */
export function parseWebhookSecrets(text: string, origin: string): WebhookSecrets {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidWebhookConfigError(`${origin} is not valid JSON`);
  }
  const r = SecretsSchema.safeParse(json);
  if (!r.success) throw new InvalidWebhookConfigError(`${origin}: ${describe(r.error)}`);
  return Object.fromEntries(Object.entries(r.data).map(([p, v]) => [p, typeof v === 'string' ? [v] : v]));
}

/** A fixed set of secrets (tests, or secrets given to the local runtime as an option). */
export const staticSecrets = (secrets: WebhookSecrets): WebhookSecretSource => ({
  secretsFor: async (provider) => (Object.hasOwn(secrets, provider) ? (secrets[provider as CiProvider] ?? []) : []),
});

const Name = z.string().min(1).max(200);
const DeployRule = z.strictObject({
  name: Name,
  environment: Name,
  service: Name.optional(),
  branches: z.array(Name).optional(),
  job: Name.optional(),
});
const Rules = z.array(DeployRule).optional();

export const WebhookOptionsSchema = z.strictObject({
  services: z.record(z.string().min(1), Name).optional(),
  incidentLabel: Name.optional(),
  incidentEnvironment: Name.optional(),
  github: z.strictObject({ deployWorkflows: Rules }).optional(),
  gitlab: z.strictObject({ deployPipelines: Rules }).optional(),
  jenkins: z.strictObject({ deployJobs: Rules }).optional(),
  circleci: z.strictObject({ deployWorkflows: Rules }).optional(),
  /** API Gateway caps bodies at 10 MB; the local gateway too, for webhook routes. */
  maxBodyBytes: z.number().int().min(1).max(10 * 1024 * 1024).optional(),
  replayWindowSeconds: z.number().int().min(1).max(86_400).optional(),
});

export function parseWebhookOptions(text: string | undefined, origin: string): WebhookOptions {
  if (text === undefined || !text.trim()) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidWebhookConfigError(`${origin} is not valid JSON`);
  }
  const r = WebhookOptionsSchema.safeParse(json);
  if (!r.success) throw new InvalidWebhookConfigError(`${origin}: ${describe(r.error)}`);
  return r.data;
}
