import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../local/runtime.js';
import { verifyGeneric } from '../../core/webhooks/verify.js';
import { FAST_ANALYSIS as analysis, finished, push } from '../support/runtime.js';
import { until } from '../support/wait.js';

/** An environment's notification targets on the local runtime: a signed webhook to a real HTTP receiver. */

const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let receiver: http.Server;
let rt: Runtime;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/deploys`;
  process.env.LUMINA_SECRETS = JSON.stringify({ 'ssm:/lumina/deploy-hook': 'hook-key' });
  rt = await startRuntime({
    port: 0,
    proxyPort: 0,
    inMemory: true,
    trafficRps: 60,
    log: () => undefined,
    config: { services: { hooked: { repository: 'hooked', router: { kind: 'local' }, strategy: { kind: 'canary', stages: [100], stageSeconds: 1, analysis }, notify: [{ kind: 'webhook', url, secretRef: { ssm: '/lumina/deploy-hook' } }] } } },
  });
});
afterAll(async () => {
  delete process.env.LUMINA_SECRETS;
  await rt?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe('notification targets of an environment', () => {
  it('a finished rollout is POSTed to the webhook, signed with the referenced secret', async () => {
    const { digest } = await push(rt, 'hooked', '--tag', 'v2');
    const r = await finished(rt, 'hooked', digest);
    const hit = await until('webhook delivery', async () => received.find((x) => x.body.includes(r.rolloutId)), 10_000, 50);
    expect(JSON.parse(hit.body)).toMatchObject({ rolloutId: r.rolloutId, outcome: 'succeeded', service: 'hooked' });
    expect(hit.headers['x-lumina-delivery']).toBe(`${r.rolloutId}:succeeded`);
    expect(verifyGeneric(hit.body, hit.headers['x-lumina-signature'] as string, ['hook-key'], { now: new Date() }).status).toBe('ok');
    expect(verifyGeneric(hit.body, hit.headers['x-lumina-signature'] as string, ['other-key'], { now: new Date() }).status).toBe('invalid');
  });
});
