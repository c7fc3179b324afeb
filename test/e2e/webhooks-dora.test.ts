import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGeneric } from '../../core/webhooks/verify.js';
import { startRuntime, type Runtime } from '../../local/runtime.js';
import { githubExample, SECRET } from '../fixtures/webhooks/requests.js';
import { getJson, until } from '../support/wait.js';

/**
 * CI webhooks → lumina.ci events → the DORA recorder → GET /api/dora, over real HTTP against the whole local
 * runtime; and our own rollouts: a faulty push rolled back by the analysis counts as a failed deployment.
 */

const run = promisify(execFile);
let rt: Runtime;

beforeAll(async () => {
  rt = await startRuntime({
    port: 0,
    proxyPort: 0,
    inMemory: true,
    config: new URL('../fixtures/config/local-fast.config.json', import.meta.url).pathname,
    trafficRps: 60,
    webhookSecrets: { github: [SECRET], generic: [SECRET] },
    log: () => undefined,
  });
});
afterAll(async () => {
  await rt?.close();
});

/** A GitHub delivery as GitHub sends it: the raw JSON text, signed over those exact bytes. */
async function deliverGitHub(event: string, body: string, delivery: string, secret = SECRET) {
  const res = await fetch(`${rt.url}/webhooks/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': await sign(secret, body) },
    body,
  });
  return { status: res.status, body: await res.json() };
}

const dora = (query: string) => getJson(`${rt.url}/api/dora?${query}`);

describe('GitHub webhook → DORA over real HTTP', () => {
  const delivery = randomUUID();
  // A real example payload from @octokit/webhooks-examples: a successful production deployment of Codertocat/Hello-World.
  const body = JSON.stringify(githubExample('deployment_status', (p) => p.deployment_status.state === 'success'));

  it('a signed deployment_status is accepted (202) and stored once, published', async () => {
    const r = await deliverGitHub('deployment_status', body, delivery);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ accepted: true, events: [{ detailType: 'Deployment Finished', detail: { service: 'Hello-World', status: 'success' } }] });
    const stored = await rt.webhookStore.get(`github:${delivery}`);
    expect(stored).toMatchObject({ provider: 'github', published: true, events: 1 });
    expect(stored!.payload.toString('utf8')).toBe(body);
    expect(stored!.headers['x-hub-signature-256']).toBeUndefined();
  });

  it('the redelivery (same X-GitHub-Delivery) is a duplicate: 200, nothing published again', async () => {
    const r = await deliverGitHub('deployment_status', body, delivery);
    expect(r).toEqual({ status: 200, body: { duplicate: true } });
  });

  it('a bad signature is 401 and stores nothing', async () => {
    const other = randomUUID();
    const r = await deliverGitHub('deployment_status', body, other, 'wrong-secret');
    expect(r).toMatchObject({ status: 401, body: { error: { code: 'signature_invalid', details: { header: 'x-hub-signature-256' } } } });
    expect(await rt.webhookStore.get(`github:${other}`)).toBeUndefined();
  });

  it('GET /api/dora shows the deployment once, with its counts and levels', async () => {
    const q = 'service=Hello-World&from=2019-05-13&to=2019-05-19&bucket=week';
    const r = await until('the recorder to store the deployment', async () => {
      const m = await dora(q);
      return m.total.counts.deployments > 0 ? m : undefined;
    }, 10_000, 100);
    expect(r.scope).toEqual({ services: ['Hello-World'], environment: 'production' });
    expect(r.total.counts).toMatchObject({ deployments: 1, successful: 1, changeFailures: 0 });
    expect(r.total.deploymentFrequency).toMatchObject({ successful: 1 });
    expect(r.total.changeFailRate).toBe(0);
    expect(r.total.levels).toHaveProperty('changeFailRate', 'elite');
    expect(r.buckets.map((b: { key: string }) => b.key)).toEqual(['2019-05-13']);
  });

  it('a generic webhook with a non-UTF-8 byte travels base64 through the gateway: verified on the exact bytes, then 400 malformed_body', async () => {
    const raw = Buffer.concat([Buffer.from('{"type":"ping","id":"x'), Buffer.from([0xff]), Buffer.from('"}')]);
    const t = Math.floor(Date.now() / 1000);
    const res = await fetch(`${rt.url}/webhooks/generic`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-lumina-signature': signGeneric(raw, SECRET, t) }, body: raw });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('malformed_body');
  });

  it('validation errors of GET /api/dora name the parameter', async () => {
    const res = await fetch(`${rt.url}/api/dora?bucket=year&from=2026-13-01`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('InvalidQuery');
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['bucket', 'from']);
  });
});

describe('our own rollouts → DORA', () => {
  it('a faulty push rolled back by the analysis is a failed deployment: change fail rate 100 %', async () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    await run(process.execPath, ['--import', 'tsx', 'cli/main.ts', '--endpoint', rt.url, 'push', 'demo', '--json', '--tag', sha, '--fault-rate', '0.6'], {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    const m = await until('the rolled-back rollout in the DORA metrics', async () => {
      const r = await dora('service=demo&environment=local&bucket=day');
      return r.total.counts.deployments > 0 ? r : undefined;
    }, 20_000, 200);
    const { rollouts } = await getJson(`${rt.url}/api/rollouts?service=demo&limit=1`);
    expect(rollouts[0]).toMatchObject({ phase: 'RolledBack', outcome: 'rolledBack' });
    expect(m.window.days).toBe(30);
    expect(m.total.counts).toMatchObject({ deployments: 1, successful: 0, changeFailures: 1 });
    expect(m.total.changeFailRate).toBe(1);
    expect(m.total.levels.changeFailRate).toBe('low');
  });
});
