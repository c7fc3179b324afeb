import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTopic } from '../../local/notifier.js';

const dir = mkdtempSync(join(tmpdir(), 'lumina-topic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const notification = {
  subject: '[lumina] demo: rollout rolledBack',
  message: 'Outcome: rolledBack',
  rolloutId: 'demo-1',
  service: 'demo',
  outcome: 'rolledBack',
  attributes: { service: 'demo', outcome: 'rolledBack' },
};

describe('LocalTopic: the local SNS topic', () => {
  it('keeps, logs and appends every notification, and POSTs the SNS Notification JSON to the webhook', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: any }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const lines: string[] = [];
    const file = join(dir, 'notifications.jsonl');
    const topic = new LocalTopic({ file, webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, log: (l) => lines.push(l) });

    await topic.notify(notification);
    server.close();

    expect(received).toHaveLength(1);
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(received[0]!.body).toMatchObject({
      Type: 'Notification',
      Subject: notification.subject,
      Message: notification.message,
      MessageAttributes: { service: { Type: 'String', Value: 'demo' }, outcome: { Type: 'String', Value: 'rolledBack' } },
    });
    expect(topic.sent[0]!.webhook?.status).toBe(204);
    expect(lines.join('\n')).toContain('[sns] [lumina] demo: rollout rolledBack');
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).rolloutId)).toEqual(['demo-1']);
  });

  it('a webhook that is down does not fail the notification: it is stored with the delivery error', async () => {
    const topic = new LocalTopic({ webhookUrl: 'http://127.0.0.1:9/unreachable' });
    await expect(topic.notify(notification)).resolves.toBeUndefined();
    expect(topic.sent[0]!.webhook).toMatchObject({ status: null, error: expect.any(String) });
  });
});
