import type { NotifyTarget } from '../config/schema.js';
import type { SecretRef } from '../config/secrets.js';
import { signGeneric } from '../webhooks/verify.js';
import type { Notification } from './ports.js';

/**
 * An environment's own notification targets (config `notify`), besides the deployment-wide topic:
 * an SNS topic, a signed webhook, a Slack incoming webhook. Secrets are resolved by reference at send
 * time and never logged. Each send carries `x-lumina-delivery: <rolloutId>:<outcome>` so a receiver can
 * drop the repeat a retried Notify task may cause (delivery is at least once).
 */

export interface TargetIo {
  /** The value behind a secret reference (SSM SecureString or Secrets Manager in AWS; a local file here). */
  secret(ref: SecretRef): Promise<string>;
  publishSns(topicArn: string, subject: string, message: string, attributes: Record<string, string>): Promise<void>;
  post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number }>;
  nowSeconds(): number;
}

export class NotifyTargetError extends Error {
  override name = 'NotifyTargetError';
}

/** Where a target sends, for logs and errors: never a secret (a Slack URL is one). */
export const describeTarget = (t: NotifyTarget) => (t.kind === 'sns' ? `sns ${t.topicArn}` : t.kind === 'webhook' ? `webhook ${new URL(t.url).origin}` : 'slack (URL by reference)');

export function notificationBody(n: Notification) {
  return { subject: n.subject, message: n.message, rolloutId: n.rolloutId, service: n.service, outcome: n.outcome, attributes: n.attributes };
}

async function postOk(io: TargetIo, t: NotifyTarget, url: string, headers: Record<string, string>, body: string) {
  const { status } = await io.post(url, headers, body);
  if (status < 200 || status >= 300) throw new NotifyTargetError(`${describeTarget(t)} answered ${status}`);
}

/** Sends one notification to one target; throws NotifyTargetError (or the I/O error) when it did not arrive. */
export async function sendToTarget(io: TargetIo, target: NotifyTarget, n: Notification): Promise<void> {
  const delivery = `${n.rolloutId}:${n.outcome}`;
  if (target.kind === 'sns') return io.publishSns(target.topicArn, n.subject, n.message, n.attributes);
  if (target.kind === 'slack') {
    const body = JSON.stringify({ text: `*${n.subject}*\n${n.message}` });
    return postOk(io, target, await io.secret(target.webhookSecretRef), { 'content-type': 'application/json', 'x-lumina-delivery': delivery }, body);
  }
  const body = JSON.stringify(notificationBody(n));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-lumina-delivery': delivery };
  // Signed like our generic webhook (core/webhooks): `t=<unix s>,v1=<HMAC-SHA256 of "<t>.<body>">`.
  if (target.secretRef) headers['x-lumina-signature'] = signGeneric(body, await io.secret(target.secretRef), io.nowSeconds());
  return postOk(io, target, target.url, headers, body);
}

/** Every target; all are tried, and one error naming each failed target is thrown at the end. */
export async function sendToTargets(io: TargetIo, targets: readonly NotifyTarget[], n: Notification): Promise<void> {
  const failed: string[] = [];
  for (const t of targets) {
    try {
      await sendToTarget(io, t, n);
    } catch (e) {
      failed.push(`${describeTarget(t)}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  if (failed.length) throw new NotifyTargetError(`notification not delivered to ${failed.length} of ${targets.length} target(s): ${failed.join('; ')}`);
}
