import { readFileSync } from 'node:fs';
import type { SecretRef } from '../core/config/secrets.js';
import type { TargetIo } from '../core/delivery/notify-targets.js';

/**
 * Notification targets on one machine. Secrets by reference, as in AWS: LUMINA_SECRETS (JSON) or
 * `<data dir>/secrets.json`, keyed `ssm:/path` or `secretsManager:name` → value; read at each send, so a
 * rotation needs no restart. Webhook and Slack targets are really POSTed (http allowed for localhost
 * only, as the config schema says); an SNS topic cannot be reached here, so its messages are kept in
 * `snsSent` (shown by GET /local/notifications) and logged.
 */
export class LocalTargetIo implements TargetIo {
  readonly snsSent: { topicArn: string; subject: string; message: string; attributes: Record<string, string> }[] = [];

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void,
    private readonly inline: string | undefined = process.env.LUMINA_SECRETS,
  ) {}

  async secret(ref: SecretRef): Promise<string> {
    const key = 'ssm' in ref ? `ssm:${ref.ssm}` : `secretsManager:${ref.secretsManager}`;
    let all: Record<string, unknown> = {};
    try {
      all = JSON.parse(this.inline?.trim() ? this.inline : readFileSync(this.file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`secrets file ${this.file} is not valid JSON`);
    }
    const value = all[key];
    if (typeof value !== 'string' || !value) throw new Error(`no local secret ${key} (set it in ${this.file} or LUMINA_SECRETS)`);
    return value;
  }

  async publishSns(topicArn: string, subject: string, message: string, attributes: Record<string, string>): Promise<void> {
    this.snsSent.push({ topicArn, subject, message, attributes });
    this.log(`[notify] SNS ${topicArn}: ${subject}`);
  }

  async post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number }> {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return { status: res.status };
  }

  nowSeconds(): number {
    return Math.floor(Date.now() / 1000);
  }
}
