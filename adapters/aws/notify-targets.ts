import type { SNSClient } from '@aws-sdk/client-sns';
import type { SecretRef } from '../../core/config/secrets.js';
import type { Notification } from '../../core/delivery/ports.js';
import type { TargetIo } from '../../core/delivery/notify-targets.js';
import { SnsNotifier } from './sns-notifier.js';

/** What resolves a secret reference; Powertools Parameters' SSMProvider / SecretsProvider in the Lambda. */
export interface SecretGetters {
  ssm(path: string): Promise<string | undefined>;
  secretsManager(nameOrArn: string): Promise<string | undefined>;
}

/**
 * An environment's notification targets in AWS: SNS topics through the same publisher as the main
 * topic (subject and attribute rules included), secrets through Parameters (cached for 5 minutes),
 * webhooks with a 5 s timeout.
 */
export class AwsTargetIo implements TargetIo {
  constructor(
    private readonly sns: SNSClient,
    private readonly secrets: SecretGetters,
    private readonly now: () => number = Date.now,
  ) {}

  async secret(ref: SecretRef): Promise<string> {
    const value = 'ssm' in ref ? await this.secrets.ssm(ref.ssm) : await this.secrets.secretsManager(ref.secretsManager);
    if (!value) throw new Error(`secret ${'ssm' in ref ? `ssm:${ref.ssm}` : `secretsManager:${ref.secretsManager}`} is empty or missing`);
    return value;
  }

  async publishSns(topicArn: string, subject: string, message: string, attributes: Record<string, string>): Promise<void> {
    const n: Notification = { subject, message, attributes, rolloutId: attributes.rolloutId ?? '', service: attributes.service ?? '', outcome: attributes.outcome ?? '' };
    await new SnsNotifier(this.sns, topicArn).notify(n);
  }

  async post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number }> {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return { status: res.status };
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
