import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Notification, Notifier } from '../core/delivery/ports.js';

export interface StoredNotification extends Notification {
  messageId: string;
  at: string;
  webhook?: { url: string; status: number | null; error?: string };
}

/**
 * The local SNS topic: every notification is kept (memory + JSON lines under the data dir), logged,
 * and optionally POSTed to a webhook URL (LUMINA_NOTIFY_WEBHOOK) with the SNS Notification JSON shape.
 */
export class LocalTopic implements Notifier {
  readonly sent: StoredNotification[] = [];
  private seq = 0;

  constructor(
    private readonly opts: { file?: string; webhookUrl?: string; log?: (line: string) => void; topicArn?: string } = {},
  ) {}

  async notify(n: Notification): Promise<void> {
    const stored: StoredNotification = { ...n, messageId: `local-${Date.now()}-${++this.seq}`, at: new Date().toISOString() };
    if (this.opts.webhookUrl) stored.webhook = await this.post(this.opts.webhookUrl, stored);
    this.sent.push(stored);
    if (this.opts.file) {
      mkdirSync(dirname(this.opts.file), { recursive: true });
      appendFileSync(this.opts.file, `${JSON.stringify(stored)}\n`);
    }
    this.opts.log?.(`[sns] ${n.subject}\n${n.message.replace(/^/gm, '      ')}`);
  }

  private async post(url: string, n: StoredNotification): Promise<StoredNotification['webhook']> {
    const body = {
      Type: 'Notification',
      MessageId: n.messageId,
      TopicArn: this.opts.topicArn ?? 'arn:aws:sns:us-east-1:000000000000:lumina-local',
      Subject: n.subject,
      Message: n.message,
      Timestamp: n.at,
      MessageAttributes: Object.fromEntries(Object.entries(n.attributes).map(([k, v]) => [k, { Type: 'String', Value: v }])),
    };
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
      return { url, status: res.status };
    } catch (e) {
      // A webhook being down must not fail the rollout's notify task: the notification is stored regardless.
      return { url, status: null, error: (e as Error).message };
    }
  }
}
