import { describe, expect, it } from 'vitest';
import { FAST_ANALYSIS as analysis, push, useRuntime } from '../support/runtime.js';
import { getJson, until } from '../support/wait.js';

/**
 * Progressive delivery on the local runtime: one push to `shop` rolls out on dev (canary), and its
 * promotion starts the same revision on production — which waits at its approval gate until approved,
 * then runs blue/green. Each environment is its own target (`shop.dev`, `shop.production`): own proxy,
 * lock, stable revision and rollouts.
 */

const runtime = useRuntime({
  config: {
    services: {
      shop: {
        repository: 'shop',
        router: { kind: 'local' },
        environments: [
          { name: 'dev', strategy: { kind: 'canary', stages: [50, 100], stageSeconds: 1, analysis } },
          {
            name: 'production',
            approval: { required: true, timeoutSeconds: 600, onTimeout: 'reject' },
            strategy: { kind: 'blueGreen', bakeSeconds: 2, scaleDownDelaySeconds: 0, analysis },
          },
        ],
      },
    },
  },
});

const latest = async (target: string) => (await getJson(`${runtime().url}/api/rollouts?service=${encodeURIComponent(target)}&limit=1`)).rollouts[0];
const inPhase = (target: string, phase: string) =>
  until(`${target} in ${phase}`, async () => {
    const r = await latest(target);
    return r?.phase === phase ? r : undefined;
  }, 60_000, 200);

describe('progressive delivery dev → production with an approval gate', () => {
  it('a push lands on dev only; its promotion starts production, which waits for approval, then promotes', async () => {
    const services = (await getJson(`${runtime().url}/api/services`)).services.map((s: { name: string }) => s.name).sort();
    expect(services).toEqual(['shop.dev', 'shop.production']);

    await push(runtime(), 'shop', '--tag', 'v2');
    const dev = await inPhase('shop.dev', 'Healthy');
    expect(dev.image).toMatch(/:v2@/);

    const waiting = await inPhase('shop.production', 'Paused');
    expect(waiting.message).toContain('waiting for approval at gate "approve-production"');
    expect(waiting.image).toBe(dev.image);
    const full = await getJson(`${runtime().url}/api/rollouts/${waiting.rolloutId}`);
    expect(full.trigger).toMatchObject({ kind: 'progression', id: dev.rolloutId, actor: 'system:progression' });
    expect(full.spec.strategy).toBe('blueGreen');
    expect(runtime().proxies.get('shop.production')!.proxy.weights()).toEqual({ stable: 100, canary: 0 }); // nothing moved before approval

    const res = await fetch(`${runtime().url}/api/rollouts/${waiting.rolloutId}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-lumina-actor': 'release-manager' }, body: '{"reason":"CAB-7"}' });
    expect(res.status).toBe(200);
    const prod = await inPhase('shop.production', 'Healthy');
    expect(prod.rolloutId).toBe(waiting.rolloutId);
    expect((await getJson(`${runtime().proxies.get('shop.production')!.url}/`)).version).toBe('v2');
  });

  it('a revision that fails on dev never reaches production', async () => {
    const before = (await getJson(`${runtime().url}/api/rollouts?service=shop.production&limit=20`)).rollouts.length;
    await push(runtime(), 'shop', '--tag', 'v3', '--fault-rate', '0.9');
    const dev = await until('dev v3 ends', async () => {
      const r = await latest('shop.dev');
      return r?.image.includes(':v3@') && ['RolledBack', 'Healthy'].includes(r.phase) ? r : undefined;
    }, 60_000, 200);
    expect(dev.phase).toBe('RolledBack');
    await new Promise((r) => setTimeout(r, 500));
    expect((await getJson(`${runtime().url}/api/rollouts?service=shop.production&limit=20`)).rollouts).toHaveLength(before); // a failed dev rollout goes no further
  });
});
