import { describe, expect, it } from 'vitest';
import { FAST_ANALYSIS as analysis, cli as lumina, useRuntime } from '../support/runtime.js';
import { getJson, until } from '../support/wait.js';

/**
 * Manual control over real HTTP and the real CLI, against the local runtime: a canary that waits for
 * a promote after each stage, a 409 for a command that does not apply, bad bodies, and a rollback to
 * the previous stable revision through a new rollout.
 */

const runtime = useRuntime({
  config: { services: { gated: { repository: 'gated', environment: 'local', router: { kind: 'local' }, strategy: { kind: 'canary', stages: [50, 100], stageSeconds: 2, autoPromote: false, analysis } } } },
});
const cli = (...args: string[]) => lumina(runtime(), ...args);

const post = async (path: string, body: string | undefined, type = 'application/json') => {
  const res = await fetch(`${runtime().url}${path}`, { method: 'POST', headers: { 'content-type': type, 'x-lumina-actor': 'ana' }, ...(body === undefined ? {} : { body }) });
  return { status: res.status, body: await res.json() };
};

const latest = async () => (await getJson(`${runtime().url}/api/rollouts?service=gated&limit=1`)).rollouts[0];
const phase = (want: string, after = '') =>
  until(`gated rollout in ${want}`, async () => {
    const r = await latest();
    return r && r.rolloutId !== after && r.phase === want ? r : undefined;
  }, 60_000, 200);

describe('rollout commands over HTTP and the CLI', () => {
  let rolloutId = '';

  it('a canary with autoPromote off pauses after its first stage; approve does not apply (409), promote does', async () => {
    const pushed = await cli('push', 'gated', '--tag', 'v2', '--json');
    expect(pushed.code).toBe(0);
    const paused = await phase('Paused');
    rolloutId = paused.rolloutId;
    expect(paused.weights).toEqual({ stable: 50, canary: 50 });

    const approve = await post(`/api/rollouts/${rolloutId}/approve`, '{}');
    expect(approve.status).toBe(409);
    expect(approve.body.error).toMatchObject({ code: 'CommandNotApplicable', message: expect.stringContaining('no approval gate is pending (step 3/5 is a pause step)') });

    const promoted = await cli('promote', 'gated', '--reason', 'dashboards look fine', '--as', 'ana');
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain('promote: step 3/5 promoted');

    const done = await phase('Healthy');
    const full = await getJson(`${runtime().url}/api/rollouts/${done.rolloutId}`);
    expect(full.audit.find((a: { action: string }) => a.action === 'step.promoted')).toMatchObject({ actor: 'user:ana', reason: 'step 3/5 (pause) promoted: dashboards look fine' });
  });

  it('a command on a finished rollout is a 409 with the reason; the CLI exits 1 with it', async () => {
    const r = await cli('pause', rolloutId);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the rollout has ended (succeeded); nothing to pause');
  });

  it.each([
    ['unknown command', `/frobnicate`, '{}', 'application/json', 404, 'UnknownCommand'],
    ['wrong content type', `/pause`, 'reason=x', 'application/x-www-form-urlencoded', 415, 'UnsupportedMediaType'],
    ['malformed JSON', `/pause`, '{"reason":', 'application/json', 400, 'MalformedJson'],
    ['unknown field', `/pause`, '{"reasn":"x"}', 'application/json', 400, 'InvalidRequest'],
    ['oversized body', `/pause`, JSON.stringify({ reason: 'x'.repeat(20_000) }), 'application/json', 413, 'PayloadTooLarge'],
  ])('%s → %i %s', async (_what, suffix, body, type, status, code) => {
    const r = await post(`/api/rollouts/${rolloutId}${suffix}`, body, type);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
  });

  it('rollback starts a new rollout back to the previous stable revision; asking twice is the same rollout', async () => {
    const first = await post(`/api/rollouts/${rolloutId}/rollback`, JSON.stringify({ reason: 'customer reports' }));
    expect(first.status).toBe(202);
    const again = await post(`/api/rollouts/${rolloutId}/rollback`, '{}');
    expect(again.body.rolloutId).toBe(first.body.rolloutId);
    const back = await until('rollback rollout healthy', async () => {
      const r = await getJson(`${runtime().url}/api/rollouts/${first.body.rolloutId}`);
      return r.phase === 'Healthy' && r.status.completedAt ? r : undefined;
    }, 60_000, 200);
    expect(back.trigger).toMatchObject({ kind: 'rollback', id: rolloutId, actor: 'user:ana' });
    expect(back.image).toMatch(/:v1@/);
    expect((await getJson(`${runtime().proxies.get('gated')!.url}/`)).version).toBe('v1');
  });

  it('asking to roll back the same rollout later returns the same rollback rollout, never a second one', async () => {
    const r = await post(`/api/rollouts/${rolloutId}/rollback`, '{}');
    // The rollback rollout exists already: the same id again (idempotent), not a second rollback.
    expect(r.status).toBe(202);
    const { rollouts } = await getJson(`${runtime().url}/api/rollouts?service=gated&limit=10`);
    expect(rollouts.filter((x: { rolloutId: string }) => x.rolloutId.includes('-rollback-'))).toHaveLength(1);
  });
});
