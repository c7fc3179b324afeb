import { describe, expect, it } from 'vitest';
import { finished as ended, push as pushTo, useRuntime } from '../support/runtime.js';
import { getJson } from '../support/wait.js';

const runtime = useRuntime({ config: new URL('../fixtures/config/local-fast.config.json', import.meta.url).pathname });
/** `npm run push -- …` as a user runs it: the CLI registers the image and sends the ECR event over PutEvents. */
const push = (...args: string[]) => pushTo(runtime(), 'demo', ...args);
const finished = (digest: string) => ended(runtime(), 'demo', digest);

const versionBehindProxy = async () => (await getJson(`${runtime().proxies.get('demo')!.url}/`)).version as string;

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
    expect(runtime().proxies.get('demo')!.proxy.target('canary')).toBeUndefined();
    expect(runtime().topic.sent.at(-1)).toMatchObject({ outcome: 'succeeded', rolloutId: r.rolloutId });
  });

  it('a faulty image fails the analysis: traffic back to 100 % stable, canary torn down, notification sent, failure recorded', async () => {
    const { digest } = await push('--tag', 'v3', '--fault-rate', '0.6');
    const r = await finished(digest);

    expect(r.phase).toBe('RolledBack');
    expect(r.failure).toMatchObject({ metric: 'http5xxRate', threshold: 5, stage: 10 });
    expect(r.failure.value).toBeGreaterThan(5);
    expect(r.weights).toEqual({ stable: 100, canary: 0 });
    expect(runtime().proxies.get('demo')!.proxy.weights()).toEqual({ stable: 100, canary: 0 });
    expect(runtime().proxies.get('demo')!.proxy.target('canary')).toBeUndefined();
    const failing = r.measurements.find((m: { verdict: string }) => m.verdict === 'fail');
    expect(failing.results.find((x: { metric: string }) => x.metric === 'http5xxRate')).toMatchObject({ verdict: 'fail', threshold: 5 });
    expect(runtime().topic.sent.at(-1)).toMatchObject({ outcome: 'rolledBack', rolloutId: r.rolloutId });
    expect(runtime().topic.sent.at(-1)!.message).toContain('Metric: http5xxRate');
    for (let i = 0; i < 5; i++) expect(await versionBehindProxy()).toBe('v2');
    expect((await getJson(`${runtime().url}/api/services`)).services[0]).toMatchObject({ activeRolloutId: null });
  });

  it('a push for an unknown repository is ignored: no rollout, no dead letter', async () => {
    const before = (await getJson(`${runtime().url}/api/rollouts?service=demo&limit=100`)).rollouts.length;
    const res = await fetch(runtime().url, {
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
    await runtime().bus.drain();
    expect((await getJson(`${runtime().url}/api/rollouts?service=demo&limit=100`)).rollouts.length).toBe(before);
    expect(runtime().bus.deadLetters()).toEqual([]);
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
    const res = await fetch(`${runtime().url}${path}`, init);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = await res.json();
    expect(body.error.code).toBe(code);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
    if (code === 'ServiceNotFound') expect(body.error.message).toContain('known services: demo');
  });
});
