import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { snsSubject, SnsNotifier } from '../../adapters/aws/sns-notifier.js';
import type { Notification } from '../../core/delivery/ports.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:lumina-notifications';
const notification = (over: Partial<Notification> = {}): Notification => ({
  subject: '[lumina] demo: rollout rolledBack',
  message: 'Service: demo (production)\nOutcome: rolledBack',
  rolloutId: 'demo-20261122T100000-1a2b3c4d',
  service: 'demo',
  outcome: 'rolledBack',
  attributes: { service: 'demo', environment: 'production', outcome: 'rolledBack' },
  ...over,
});

let sns: AwsClientStub<SNSClient>;
let notifier: SnsNotifier;
beforeEach(() => {
  const client = new SNSClient({ region: 'us-east-1' });
  sns = mockClient(client);
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  notifier = new SnsNotifier(client, TOPIC);
});

describe('SnsNotifier', () => {
  it('publishes subject, message and String message attributes to the topic', async () => {
    await notifier.notify(notification());
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
      {
        TopicArn: TOPIC,
        Subject: '[lumina] demo: rollout rolledBack',
        Message: 'Service: demo (production)\nOutcome: rolledBack',
        MessageAttributes: {
          service: { DataType: 'String', StringValue: 'demo' },
          environment: { DataType: 'String', StringValue: 'production' },
          outcome: { DataType: 'String', StringValue: 'rolledBack' },
        },
      },
    ]);
  });

  it('keeps the subject within 100 characters', async () => {
    await notifier.notify(notification({ subject: `[lumina] ${'x'.repeat(200)}` }));
    const subject = sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject!;
    expect(subject).toHaveLength(100);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('leaves out empty attribute values, which SNS rejects', async () => {
    await notifier.notify(notification({ attributes: { service: 'demo', environment: '' } }));
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes).toEqual({ service: { DataType: 'String', StringValue: 'demo' } });
  });

  it.each([
    ['line breaks and tabs', 'rollout\nfailed\tat 10 %', 'rollout failed at 10 %'],
    ['accents folded, other non-ASCII replaced', 'café → rolled back', 'cafe ? rolled back'],
    ['exactly 100 characters untouched', 'a'.repeat(100), 'a'.repeat(100)],
  ])('subject: %s', (_name, input, expected) => {
    expect(snsSubject(input)).toBe(expected);
  });
});
