import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRolloutRepository } from '../../adapters/dynamo/repository.js';
import { ServiceConfigSchema } from '../../core/config/services.js';
import { initialStatus } from '../../core/delivery/engine.js';
import { ConcurrentUpdateError } from '../../core/delivery/ports.js';
import type { Rollout } from '../../core/delivery/rollout.js';
import { canarySpec } from '../../core/delivery/strategies.js';
import { startDynamo, type LocalDynamo } from '../../local/dynamo.js';

let dynamo: LocalDynamo;
let repo: DynamoRolloutRepository;
beforeAll(async () => {
  dynamo = await startDynamo();
  repo = new DynamoRolloutRepository(dynamo.doc, dynamo.table);
  await repo.putServiceConfig({ name: 'api', ...ServiceConfigSchema.parse({ repository: 'team/api', router: { kind: 'local' } }) }, 'v1');
});
afterAll(() => dynamo.close());

const rev = (d: string) => ({ repository: 'team/api', digest: `sha256:${d.repeat(64).slice(0, 64)}`, image: `team/api@sha256:${d}` });
const rollout = (id: string, createdAt: string): Rollout => ({
  rolloutId: id,
  service: 'api',
  environment: 'production',
  revision: rev('a'),
  stableRevision: null,
  spec: canarySpec(),
  status: initialStatus(),
  trigger: { kind: 'ecr-push', id: `evt-${id}`, actor: 'test' },
  createdAt,
  updatedAt: createdAt,
  version: 0,
});
const at = '2026-11-22T10:00:00.000Z';
const entry = (action: string) => ({ at, actor: 'test', action, reason: action });

describe('DynamoRolloutRepository against dynalite: every invariant is a single-item conditional write', () => {
  it('finds a service by its repository and keeps config apart from runtime state', async () => {
    expect((await repo.findServiceByRepository('team/api'))?.name).toBe('api');
    expect(await repo.findServiceByRepository('team/none')).toBeNull();
    expect(await repo.seedStableRevision('api', rev('1'))).toBe(true);
    expect(await repo.seedStableRevision('api', rev('2'))).toBe(false);
    await repo.putServiceConfig({ name: 'api', ...ServiceConfigSchema.parse({ repository: 'team/api', router: { kind: 'local' }, environment: 'prod-eu' }) }, 'v2');
    const svc = await repo.getService('api');
    expect(svc).toMatchObject({ configVersion: 'v2', stableRevision: rev('1'), config: { environment: 'prod-eu' } });
    expect((await repo.listServices()).map((s) => s.name)).toEqual(['api']);
  });

  it('creates a rollout once: a second create with the same id reports the duplicate and changes nothing', async () => {
    expect(await repo.createRollout(rollout('r1', at), [entry('rollout.created')])).toBe(true);
    expect(await repo.createRollout({ ...rollout('r1', at), environment: 'other' }, [entry('again')])).toBe(false);
    const stored = await repo.getRollout('r1');
    expect(stored).toMatchObject({ environment: 'production', version: 0 });
    expect(stored!.audit.map((a) => a.action)).toEqual(['rollout.created']);
  });

  it('writes status and audit together on the expected version, and refuses a stale writer', async () => {
    const r = (await repo.getRollout('r1'))!;
    const saved = await repo.updateStatus('r1', r.version, { ...r.status, lockHeld: true }, [entry('lock.acquired')]);
    expect(saved.version).toBe(1);
    await expect(repo.updateStatus('r1', r.version, { ...r.status, canaryWeight: 50 }, [entry('stale')])).rejects.toThrow(ConcurrentUpdateError);
    const after = (await repo.getRollout('r1'))!;
    expect(after.status).toMatchObject({ lockHeld: true, canaryWeight: 0 });
    expect(after.audit.map((a) => a.action)).toEqual(['rollout.created', 'lock.acquired']);
  });

  it('lock: exclusive, re-entrant for its holder, released only by its holder', async () => {
    expect(await repo.acquireLock('api', 'r1')).toEqual({ acquired: true, holder: 'r1' });
    expect(await repo.acquireLock('api', 'r1')).toEqual({ acquired: true, holder: 'r1' });
    expect(await repo.acquireLock('api', 'r2')).toEqual({ acquired: false, holder: 'r1' });
    await repo.releaseLock('api', 'r2', rev('9'));
    expect(await repo.getService('api')).toMatchObject({ activeRolloutId: 'r1', stableRevision: rev('1') });
    await repo.releaseLock('api', 'r1', rev('3'));
    expect(await repo.getService('api')).toMatchObject({ activeRolloutId: null, stableRevision: rev('3') });
    const contenders = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => repo.acquireLock('api', id)));
    expect(contenders.filter((c) => c.acquired)).toHaveLength(1);
  });

  it('lists rollouts of a service newest first, and in-flight ones through the sparse index until completed', async () => {
    await repo.createRollout(rollout('r0', '2026-11-22T09:00:00.000Z'), []);
    await repo.createRollout(rollout('r2', '2026-11-22T11:00:00.000Z'), []);
    expect((await repo.listRollouts({ service: 'api' })).map((r) => r.rolloutId)).toEqual(['r2', 'r1', 'r0']);
    const r2 = (await repo.getRollout('r2'))!;
    await repo.updateStatus('r2', r2.version, { ...r2.status, outcome: 'succeeded', completedAt: at }, [entry('rollout.finalized')]);
    expect((await repo.listActiveRollouts()).map((r) => r.rolloutId).sort()).toEqual(['r0', 'r1']);
  });

  it('stores measurements under a deterministic key: a retried task overwrites instead of duplicating', async () => {
    const m = { stepIndex: 1, stage: 10, from: at, to: at, requests: 5, verdict: 'pass' as const, results: [] };
    await repo.putMeasurement('r1', 1, m);
    await repo.putMeasurement('r1', 1, { ...m, requests: 7 });
    await repo.putMeasurement('r1', 2, { ...m, verdict: 'fail' });
    const list = await repo.listMeasurements('r1');
    expect(list.map((x) => [x.requests, x.verdict])).toEqual([
      [7, 'pass'],
      [5, 'fail'],
    ]);
  });
});
