import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import type { NotifyTarget } from '../../core/config/schema.js';
import { describeTarget, sendToTargets, type TargetIo } from '../../core/delivery/notify-targets.js';
import type { Notification } from '../../core/delivery/ports.js';
import { verifyGeneric } from '../../core/webhooks/verify.js';
import { notifyTargetsAccess } from '../../stacks/policies.js';
import { renderJoin } from '../support/synth.js';

const n: Notification = { subject: '[lumina] api: rollout rolledBack', message: 'Reason: 5xx', rolloutId: 'api-1', service: 'api', outcome: 'rolledBack', attributes: { service: 'api', environment: 'prod', outcome: 'rolledBack' } };
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';

function fakeIo(status = 200) {
  const posts: { url: string; headers: Record<string, string>; body: string }[] = [];
  const sns: { topicArn: string; subject: string }[] = [];
  const io: TargetIo = {
    secret: async (ref) => ('ssm' in ref ? (ref.ssm === '/lumina/hook' ? 'hook-key' : '') : SLACK_URL),
    publishSns: async (topicArn, subject) => void sns.push({ topicArn, subject }),
    post: async (url, headers, body) => (posts.push({ url, headers, body }), { status: url.includes('broken') ? 503 : status }),
    nowSeconds: () => 1_790_000_000,
  };
  return { io, posts, sns };
}

const webhook: NotifyTarget = { kind: 'webhook', url: 'https://ops.example.com/deploys', secretRef: { ssm: '/lumina/hook' } };
const slack: NotifyTarget = { kind: 'slack', webhookSecretRef: { secretsManager: 'lumina/slack' } };
const topic: NotifyTarget = { kind: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:api-deploys' };

describe("an environment's notification targets", () => {
  it('signs webhook bodies like our generic webhook, with a delivery id receivers can dedupe on', async () => {
    const { io, posts } = fakeIo();
    await sendToTargets(io, [webhook], n);
    const [p] = posts;
    expect(p!.url).toBe('https://ops.example.com/deploys');
    expect(p!.headers['x-lumina-delivery']).toBe('api-1:rolledBack');
    expect(JSON.parse(p!.body)).toMatchObject({ rolloutId: 'api-1', outcome: 'rolledBack', attributes: { environment: 'prod' } });
    const verdict = verifyGeneric(p!.body, p!.headers['x-lumina-signature'], ['hook-key'], { now: new Date(1_790_000_000_000) });
    expect(verdict.status).toBe('ok');
  });

  it('posts to the Slack URL behind its reference and publishes to SNS topics', async () => {
    const { io, posts, sns } = fakeIo();
    await sendToTargets(io, [slack, topic], n);
    expect(posts[0]!.url).toBe(SLACK_URL);
    expect(JSON.parse(posts[0]!.body).text).toContain('*[lumina] api: rollout rolledBack*');
    expect(sns).toEqual([{ topicArn: topic.topicArn, subject: n.subject }]);
  });

  it('tries every target and names each failure, never a secret', async () => {
    const { io, sns } = fakeIo();
    const broken: NotifyTarget = { kind: 'webhook', url: 'https://broken.example.com/x' };
    const err = await sendToTargets(io, [broken, { kind: 'slack', webhookSecretRef: { ssm: '/missing' } }, topic], n).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('not delivered to 1 of 3 target(s): webhook https://broken.example.com: NotifyTargetError: webhook https://broken.example.com answered 503');
    expect(sns).toHaveLength(1); // the topic after the failures was still tried
    expect(describeTarget(slack)).not.toContain('hooks.slack.com');
  });
});

describe('IAM for notification targets: exactly the topics and secrets the config names', () => {
  it('grants Publish on env topics and reads on referenced parameters and secrets only', () => {
    const stack = new Stack(new App(), 'T', { env: { account: '123456789012', region: 'eu-west-1' } });
    const statements = notifyTargetsAccess(stack, [{ notify: [webhook, slack, topic] }, {}])
      .map((s) => stack.resolve(s.toStatementJson()))
      .map((s) => ({ ...s, Resource: renderJoin(s.Resource) }));
    expect(statements).toEqual([
      expect.objectContaining({ Action: 'sns:Publish', Resource: topic.topicArn }),
      expect.objectContaining({ Action: 'ssm:GetParameter', Resource: expect.stringContaining(':parameter/lumina/hook') }),
      expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: expect.stringContaining(':secret:lumina/slack-??????') }),
    ]);
    expect(notifyTargetsAccess(stack, [{}])).toEqual([]);
  });
});
