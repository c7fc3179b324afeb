import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../local/runtime.js';
import { getJson, until } from '../support/wait.js';

const run = promisify(execFile);
const TERMINAL = ['Healthy', 'RolledBack', 'Aborted', 'Failed'];
let rt: Runtime;

beforeAll(async () => {
  rt = await startRuntime({ port: 0, proxyPort: 0, inMemory: true, config: new URL('../fixtures/config/local-fast.config.json', import.meta.url).pathname, trafficRps: 60, log: () => undefined });
});
afterAll(async () => {
  await rt?.close();
});

/** `npm run push -- …` as a user runs it: the CLI registers the image and sends the ECR event over PutEvents. */
async function push(...args: string[]) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'cli/main.ts', '--endpoint', rt.url, 'push', 'demo', '--json', ...args], { env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { eventId: string; digest: string };
}

async function finished(digest: string) {
  return until<any>(`rollout of ${digest} to end`, async () => {
    const { rollouts } = await getJson(`${rt.url}/api/rollouts?service=demo&limit=5`);
    const mine = rollouts.find((r: { image: string }) => r.image.endsWith(digest));
    if (!mine || !TERMINAL.includes(mine.phase)) return undefined;
    const full = await getJson(`${rt.url}/api/rollouts/${mine.rolloutId}`);
    // Terminal once finalized (lock released, outcome events out) and notified.
    return full.status.completedAt && rt.topic.sent.some((n) => n.rolloutId === mine.rolloutId) ? full : undefined;
  }, 60_000, 250);
}

const versionBehindProxy = async () => (await getJson(`${rt.proxies.get('demo')!.url}/`)).version as string;

describe('local runtime end to end: push → ECR event on the bus → rule → state machine → proxy', () => {
  it('a healthy image moves 10 → 25 → 50 → 75 → 100 % with analysis at every stage, then serves all traffic', async () => {
    expect(await versionBehindProxy()).toBe('v1');
    const { digest } = await push('--tag', 'v2');
    const r = await finished(digest);

    expect(r.phase).toBe('Healthy');
    expect(r.audit.filter((a: { action: string }) => a.action === 'weight.set').map((a: { data: { to: number } }) => a.data.to)).toEqual([10, 25, 50, 75, 100]);
    const passedStages = new Set(r.measurements.filter((m: { verdict: string }) => m.verdict === 'pass').map((m: { stage: number }) => m.stage));
    expect(passedStages).toEqual(new Set([10, 25, 50, 75, 100]));
    expect(r.trigger.kind).toBe('ecr-push');
    expect(await versionBehindProxy()).toBe('v2');
    expect(rt.proxies.get('demo')!.proxy.target('canary')).toBeUndefined();
    expect(rt.topic.sent.at(-1)).toMatchObject({ outcome: 'succeeded', rolloutId: r.rolloutId });
  });

  it('a faulty image fails the analysis: traffic back to 100 % stable, canary torn down, notification sent, failure recorded', async () => {
    const { digest } = await push('--tag', 'v3', '--fault-rate', '0.6');
    const r = await finished(digest);

    expect(r.phase).toBe('RolledBack');
    expect(r.failure).toMatchObject({ metric: 'http5xxRate', threshold: 5, stage: 10 });
    expect(r.failure.value).toBeGreaterThan(5);
    expect(r.weights).toEqual({ stable: 100, canary: 0 });
    expect(rt.proxies.get('demo')!.proxy.weights()).toEqual({ stable: 100, canary: 0 });
    expect(rt.proxies.get('demo')!.proxy.target('canary')).toBeUndefined();
    const failing = r.measurements.find((m: { verdict: string }) => m.verdict === 'fail');
    expect(failing.results.find((x: { metric: string }) => x.metric === 'http5xxRate')).toMatchObject({ verdict: 'fail', threshold: 5 });
    expect(rt.topic.sent.at(-1)).toMatchObject({ outcome: 'rolledBack', rolloutId: r.rolloutId });
    expect(rt.topic.sent.at(-1)!.message).toContain('Metric: http5xxRate');
    for (let i = 0; i < 5; i++) expect(await versionBehindProxy()).toBe('v2');
    expect((await getJson(`${rt.url}/api/services`)).services[0]).toMatchObject({ activeRolloutId: null });
  });

  it('a push for an unknown repository is ignored: no rollout, no dead letter', async () => {
    const before = (await getJson(`${rt.url}/api/rollouts?service=demo&limit=100`)).rollouts.length;
    const res = await fetch(rt.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: JSON.stringify({
        Entries: [
          {
            Source: 'aws.ecr',
            DetailType: 'ECR Image Action',
            Detail: JSON.stringify({ 'action-type': 'PUSH', result: 'SUCCESS', 'repository-name': 'nobody-home', 'image-digest': `sha256:${'e'.repeat(64)}`, 'image-tag': 'x' }),
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await rt.bus.drain();
    expect((await getJson(`${rt.url}/api/rollouts?service=demo&limit=100`)).rollouts.length).toBe(before);
    expect(rt.bus.deadLetters()).toEqual([]);
  });
});

describe('HTTP surface: precise JSON errors, no stack traces', () => {
  const cases: [string, RequestInit & { path: string }, number, string][] = [
    ['unknown route', { path: '/nope' }, 404, 'RouteNotFound'],
    ['wrong method', { path: '/api/rollouts', method: 'DELETE' }, 405, 'MethodNotAllowed'],
    ['missing service filter', { path: '/api/rollouts' }, 400, 'InvalidQuery'],
    ['unknown service lists the known ones', { path: '/api/rollouts?service=ghost' }, 404, 'ServiceNotFound'],
    ['unknown rollout', { path: '/api/rollouts/demo-19990101T000000-deadbeef' }, 404, 'RolloutNotFound'],
    ['malformed rollout id', { path: '/api/rollouts/%2e%2e%2fetc' }, 400, 'InvalidRolloutId'],
    ['image push with a bad tag', { path: '/local/images', method: 'POST', body: JSON.stringify({ repository: 'demo', tag: '../x' }), headers: { 'content-type': 'application/json' } }, 400, 'InvalidImage'],
    ['malformed JSON', { path: '/local/images', method: 'POST', body: '{"repository":', headers: { 'content-type': 'application/json' } }, 400, 'MalformedJson'],
    ['wrong content type', { path: '/local/images', method: 'POST', body: 'repository=demo', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'UnsupportedMediaType'],
    ['oversized body', { path: '/local/images', method: 'POST', body: 'x'.repeat(1024 * 1024 + 1), headers: { 'content-type': 'application/json' } }, 413, 'PayloadTooLarge'],
  ];
  it.each(cases)('%s → %i %s', async (_name, { path, ...init }, status, code) => {
    const res = await fetch(`${rt.url}${path}`, init);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = await res.json();
    expect(body.error.code).toBe(code);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
    if (code === 'ServiceNotFound') expect(body.error.message).toContain('known services: demo');
  });
});
