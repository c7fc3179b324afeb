import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, until } from '../support/wait.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const dataDir = mkdtempSync(join(tmpdir(), 'lumina-crash-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm start` as a real process (so SIGKILL is a real crash), on free ports and a temp data dir. */
async function boot(port: number, proxyPort: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: {
      ...process.env,
      LUMINA_PORT: String(port),
      LUMINA_PROXY_PORT: String(proxyPort),
      LUMINA_DATA_DIR: dataDir,
      LUMINA_CONFIG: 'test/fixtures/config/local-fast.config.json',
      NODE_NO_WARNINGS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await until('runtime to be ready', async () => (out.includes('ready in') ? true : child.exitCode !== null ? Promise.reject(new Error(out)) : undefined), 30_000);
  return { child, log: () => out };
}

describe('crash recovery: the runtime killed with SIGKILL mid-rollout resumes it on restart', () => {
  it('leaves no traffic split with nothing driving it: the rollout resumes, completes, and says so in its audit log', async () => {
    const [port, proxyPort] = [await freePort(), await freePort()];
    const api = `http://127.0.0.1:${port}`;
    const first = await boot(port, proxyPort);

    const img = await (await fetch(`${api}/local/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository: 'demo', tag: 'v2' }) })).json();
    const eb = new EventBridgeClient({ endpoint: api, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await eb.send(new PutEventsCommand({ Entries: [{ Source: 'aws.ecr', DetailType: 'ECR Image Action', Detail: JSON.stringify({ 'action-type': 'PUSH', result: 'SUCCESS', 'repository-name': 'demo', 'image-digest': img.digest, 'image-tag': 'v2' }) }] }));
    eb.destroy();

    const before = await until<any>('the canary to reach 25 %', async () => {
      const { rollouts } = await getJson(`${api}/api/rollouts?service=demo`);
      return rollouts[0]?.weights.canary >= 25 && !rollouts[0].outcome ? rollouts[0] : undefined;
    }, 30_000, 50);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await boot(port, proxyPort);
    expect(second.log()).toContain(`[recovery] rollout ${before.rolloutId} was in flight`);
    const done = await until<any>('the resumed rollout to end', async () => {
      const r = await getJson(`${api}/api/rollouts/${before.rolloutId}`);
      return r.outcome ? r : undefined;
    }, 60_000, 200);

    expect(done.phase).toBe('Healthy');
    const actions = done.audit.map((a: { action: string }) => a.action);
    expect(actions).toContain('rollout.resumed');
    expect(actions.filter((a: string) => a === 'rollout.created')).toHaveLength(1);
    const weights = done.audit.filter((a: { action: string }) => a.action === 'weight.set').map((a: { data: { to: number } }) => a.data.to);
    expect(weights).toEqual([10, 25, 50, 75, 100]); // no stage applied twice, none skipped
    expect((await getJson(`http://127.0.0.1:${proxyPort}/`)).version).toBe('v2');
    const services = (await getJson(`${api}/api/services`)).services;
    expect(services[0]).toMatchObject({ activeRolloutId: null });
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }, 120_000);
});
