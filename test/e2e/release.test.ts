import { describe, expect, it } from 'vitest';
import { FAST_ANALYSIS as analysis, cli, useRuntime } from '../support/runtime.js';
import { getJson, until } from '../support/wait.js';

/**
 * A release of several services through the local runtime: `dependsOn` decides the order (a level
 * starts once every rollout of the level before promoted), independent services roll out together, and
 * a failure stops the release before its dependents start.
 */

const canary = { kind: 'canary', stages: [50, 100], stageSeconds: 1, analysis };
const runtime = useRuntime({
  config: {
    services: {
      db: { repository: 'db', router: { kind: 'local' }, strategy: canary },
      worker: { repository: 'worker', router: { kind: 'local' }, dependsOn: ['db'], strategy: canary },
      api: { repository: 'api', router: { kind: 'local' }, dependsOn: ['db'], strategy: canary },
      web: { repository: 'web', router: { kind: 'local' }, dependsOn: ['api', 'worker'], strategy: canary },
    },
  },
});

const json = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${runtime().url}${path}`, { method, headers: { 'content-type': 'application/json', 'x-lumina-actor': 'release-bot' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: await res.json() };
};
const image = async (repository: string, tag: string, faultRate = 0) => (await json('POST', '/local/images', { repository, tag, faultRate, latencyMs: 0 })).body.digest as string;
const ended = (releaseId: string) =>
  until(`release ${releaseId} to end`, async () => {
    const { release } = await getJson(`${runtime().url}/api/releases/${releaseId}`);
    return release.status === 'running' ? undefined : release;
  }, 90_000, 250);
const rollout = (id: string) => getJson(`${runtime().url}/api/rollouts/${id}`);

describe('releases in dependency order', () => {
  it('rolls db first, then api and worker together, then web; each level after the previous promoted', async () => {
    const components = await Promise.all(['db', 'worker', 'api', 'web'].map(async (service) => ({ service, tag: 'v2', digest: await image(service, 'v2') })));
    const started = await json('POST', '/api/releases', { components, reason: 'sprint 42' });
    expect(started.status).toBe(202);
    expect(started.body.release.levels).toEqual([['db'], ['api', 'worker'], ['web']]);

    const release = await ended(started.body.release.releaseId);
    expect(release.status).toBe('succeeded');
    const r = Object.fromEntries(await Promise.all(Object.entries<{ rolloutId: string }>(release.components).map(async ([s, c]) => [s, await rollout(c.rolloutId)])));
    for (const s of ['db', 'api', 'worker', 'web']) expect(r[s].phase).toBe('Healthy');
    expect(r.api.trigger).toMatchObject({ kind: 'release', id: release.releaseId, actor: 'user:release-bot' });
    const done = (s: string) => r[s].status.completedAt as string;
    expect(r.api.createdAt >= done('db') && r.worker.createdAt >= done('db')).toBe(true);
    expect(r.web.createdAt >= done('api') && r.web.createdAt >= done('worker')).toBe(true);
    // api and worker overlapped: each started before the other finished.
    expect(r.api.createdAt < done('worker') && r.worker.createdAt < done('api')).toBe(true);
  });

  it('stops when a component fails: its dependents never start, the release says why', async () => {
    const components = [
      { service: 'db', digest: await image('db', 'v3', 0.9) },
      { service: 'api', digest: await image('api', 'v3') },
    ];
    const started = await json('POST', '/api/releases', { components });
    const release = await ended(started.body.release.releaseId);
    expect(release.status).toBe('failed');
    expect(release.failure).toContain('db did not roll out');
    expect(release.components.api).toMatchObject({ state: 'pending' });
    expect(release.components.api.rolloutId).toBeUndefined();
    expect((await rollout(release.components.db.rolloutId)).phase).toBe('RolledBack');
  });

  it('rejects bad requests precisely and names unknown services', async () => {
    expect((await json('POST', '/api/releases', { components: [] })).body.error).toMatchObject({ code: 'InvalidRequest', message: expect.stringContaining('components') });
    expect((await json('POST', '/api/releases', { components: [{ service: 'db', digest: 'sha256:x' }] })).body.error.message).toContain('components.0.digest: must be sha256:<64 hex>');
    const unknown = await json('POST', '/api/releases', { components: [{ service: 'nope', digest: `sha256:${'a'.repeat(64)}` }] });
    expect(unknown.status).toBe(409);
    expect(unknown.body.error.message).toBe('no service named nope');
    expect((await json('GET', '/api/releases/release-missing')).status).toBe(404);
  });

  it('the CLI starts a release from tags on the local runtime and shows it', async () => {
    const out = await cli(runtime(), 'release', 'db=v4', 'worker=v4', '--json');
    expect(out.code).toBe(0);
    const { releaseId, levels } = JSON.parse(out.stdout);
    expect(levels).toEqual([['db'], ['worker']]);
    await ended(releaseId);
    const shown = await cli(runtime(), 'release', '--status', releaseId);
    expect(shown.stdout).toContain(`release ${releaseId}: succeeded`);
  });
});
