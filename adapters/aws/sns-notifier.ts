import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '../../core/delivery/ports.js';

/** SNS subjects are at most 100 characters. */
export const MAX_SUBJECT_LENGTH = 100;

/**
 * A subject SNS accepts: printable ASCII without line breaks or control characters (email subscriptions need ASCII;
 * accents are folded, other characters become `?`), whitespace collapsed, at most 100 characters (`...` when cut).
 */
export function snsSubject(subject: string): string {
  const ascii = subject
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return ascii.length <= MAX_SUBJECT_LENGTH ? ascii : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}

/** Publishes each notification to one SNS topic; attributes become String message attributes (for filter policies). */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async notify(n: Notification): Promise<void> {
    const subject = snsSubject(n.subject);
    const attributes: Record<string, MessageAttributeValue> = {};
    // SNS rejects empty attribute values: an empty attribute is left out rather than failing the notification.
    for (const [name, value] of Object.entries(n.attributes)) if (value !== '') attributes[name] = { DataType: 'String', StringValue: value };
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Message: n.message || subject || n.rolloutId,
        ...(subject ? { Subject: subject } : {}),
        ...(Object.keys(attributes).length ? { MessageAttributes: attributes } : {}),
      }),
    );
  }
}
