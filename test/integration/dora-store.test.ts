import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDoraStore } from '../../adapters/dynamo/dora-store.js';
import { metricsOfRecords, rollupsOf } from '../../core/dora/aggregate.js';
import { InvalidDoraRecordError, parseDoraRecord, type DoraRecordInput } from '../../core/dora/records.js';
import { startDynamo, type LocalDynamo } from '../../local/dynamo.js';
import { mulberry32 } from '../support/prng.js';
import { records } from '../fixtures/dora/arbitraries.js';
import { SCENARIO, TEAMS } from '../fixtures/dora/scenario.js';

const march = { from: '2025-03-01', to: '2025-03-16', bucket: 'week' as const };
const SCOPES = [['api', 'production'], ['api', 'staging'], ['web', 'production']] as const;

function shuffle<T>(xs: T[], seed: number): T[] {
  const rnd = mulberry32(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Every rollup the store holds for the scenario's scopes, as the pure core would compute them. */
async function storedRollups(store: DynamoDoraStore) {
  const all = await Promise.all(SCOPES.map(([s, e]) => store.rollups.forService(s, e, '2025-01-01', '2025-12-31')));
  return all.flat().sort((a, b) => (JSON.stringify([a.service, a.environment, a.day]) < JSON.stringify([b.service, b.environment, b.day]) ? -1 : 1));
}
const expectedRollups = (records: DoraRecordInput[]) => rollupsOf(records.map(parseDoraRecord));

let dynamo: LocalDynamo;
let n = 0;
/** A fresh table per test on the same dynalite. */
async function freshStore(doc?: DynamoDBDocumentClient) {
  const { ensureTable } = await import('../../local/dynamo.js');
  const table = `dora-${++n}`;
  await ensureTable(dynamo.client, table);
  return { table, store: new DynamoDoraStore(doc ?? dynamo.doc, table, TEAMS) };
}

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(() => dynamo.close());

describe('DynamoDoraStore against dynalite', () => {
  it('records the scenario and answers a windowed, bucketed query exactly as the pure core does', async () => {
    const { store } = await freshStore();
    for (const r of SCENARIO) await store.record(r);
    const got = await store.query({ service: 'api', ...march });
    const { scope, ...metrics } = got;
    expect(scope).toEqual({ services: ['api'], environment: 'production' });
    expect(metrics).toEqual(metricsOfRecords(SCENARIO, march, { services: ['api'], environment: 'production' }));
    expect(got.total.counts).toMatchObject({ deployments: 11, changeFailures: 4, leadTimes: 9, recoveries: 4 });
    expect(await storedRollups(store)).toEqual(expectedRollups(SCENARIO));
  });

  it('a redelivered or replayed record changes nothing', async () => {
    const { store } = await freshStore();
    for (const r of SCENARIO) await store.record(r);
    const before = await storedRollups(store);
    for (const r of SCENARIO) await store.record(r);
    for (const r of SCENARIO.slice(3, 9)) await store.record(r);
    expect(await storedRollups(store)).toEqual(before);
  });

  it('records arriving out of order (resolution before the deployment, deployment before its change) converge', async () => {
    for (const seed of [1, 2, 3]) {
      const { store } = await freshStore();
      for (const r of shuffle(SCENARIO, seed)) await store.record(r);
      expect(await storedRollups(store)).toEqual(expectedRollups(SCENARIO));
    }
  });

  it('a status change (success, then rolled back) retracts what the success contributed', async () => {
    const { store } = await freshStore();
    const d = (status: 'success' | 'rolled_back', finishedAt: string): DoraRecordInput => ({ kind: 'deployment', service: 'api', environment: 'production', deploymentId: 'x', status, finishedAt, commitShas: ['a'], commitTimes: { a: '2025-03-01T00:00:00Z' } });
    const records = [d('success', '2025-03-01T01:00:00Z'), d('rolled_back', '2025-03-02T01:00:00Z'), d('success', '2025-03-01T01:00:00Z')];
    for (const r of records) await store.record(r);
    const got = await store.query({ service: 'api', from: '2025-03-01', to: '2025-03-02' });
    expect(got.total.counts).toMatchObject({ deployments: 1, successful: 0, rolledBack: 1, leadTimes: 0 });
    expect((await store.rollups.forService('api', 'production', '2025-03-01', '2025-03-02')).map((r) => [r.day, r.counts])).toEqual([
      ['2025-03-02', { deployments: 1, failed: 1, rolledBack: 1, changeFailures: 1 }],
    ]);
  });

  it('a crash between any two writes of a record converges once the record is delivered again', async () => {
    // d1 arrives last, so it moves c1's lead-time sample from d3's day to its own (a retraction); d5 re-links
    // d4's recovery; i1 links an incident to d8 and changes d8's contribution.
    const order = [...SCENARIO.filter((r) => !('deploymentId' in r && r.deploymentId === 'd1')), SCENARIO[0]!];
    const victims = order.flatMap((r, i) => (('deploymentId' in r && ['d1', 'd5'].includes(r.deploymentId)) || ('incidentId' in r && r.incidentId === 'i1') ? [i] : []));
    expect(victims).toHaveLength(3);
    let crashPoints = 0;
    for (const i of victims) {
      for (let failAt = 1; ; failAt++) {
        let sends = 0;
        const flaky = { send: (cmd: never) => (++sends === failAt ? Promise.reject(new Error('simulated crash')) : dynamo.doc.send(cmd)) } as unknown as DynamoDBDocumentClient;
        const { table, store } = await freshStore();
        for (const r of order.slice(0, i)) await store.record(r);
        await new DynamoDoraStore(flaky, table, TEAMS).record(order[i]).catch(() => undefined);
        if (sends < failAt) break; // the record made fewer calls than failAt: every crash point was tried
        crashPoints++;
        await storedRollups(store); // a query between the crash and the redelivery seals month summaries
        for (const r of order.slice(i)) await store.record(r); // redelivery of the victim, then the rest
        expect(await storedRollups(store), `${JSON.stringify(order[i])} crashed at call ${failAt}`).toEqual(expectedRollups(SCENARIO));
      }
    }
    expect(crashPoints).toBeGreaterThanOrEqual(30);
  }, 120_000);

  it('month summaries sealed by a query are trusted until a later write marks their day, and only that day is re-read', async () => {
    const { store } = await freshStore();
    for (const r of SCENARIO.slice(0, 10)) await store.record(r);
    await store.query({ service: 'api', ...march });
    expect(store.rollups.lastRead.dayItemsRead).toBe(5); // 3rd to 7th
    await store.query({ service: 'api', ...march });
    expect(store.rollups.lastRead).toEqual({ dayItemsRead: 0, monthsResealed: 0 });
    for (const r of SCENARIO.slice(10)) await store.record(r);
    const { scope: _scope, ...got } = await store.query({ service: 'api', ...march });
    expect(store.rollups.lastRead).toEqual({ dayItemsRead: 4, monthsResealed: 1 }); // 9th, 10th, 12th, 16th
    expect(got).toEqual(metricsOfRecords(SCENARIO, march, { services: ['api'], environment: 'production' }));
  });

  it('queries a team (service → team mapping) and every service of an environment', async () => {
    const { store } = await freshStore();
    for (const r of SCENARIO) await store.record(r);
    const frontend = await store.query({ team: 'frontend', ...march });
    expect(frontend.scope.services).toEqual(['web']);
    expect(frontend.total.counts).toMatchObject({ deployments: 1, failed: 1 });
    const all = await store.query(march);
    expect(all.scope.services).toBe('all');
    expect(all.total.counts.deployments).toBe(12);
    expect((await store.query({ ...march, environment: 'staging' })).total.counts.deployments).toBe(1);
    expect((await store.query({ team: 'nobody', ...march })).total.counts.deployments).toBe(0);
  });

  it('refuses an invalid record with a named error, writing nothing', async () => {
    const { store } = await freshStore();
    await expect(store.record({ kind: 'deployment', service: 'api' })).rejects.toThrow(InvalidDoraRecordError);
    expect((await store.query({ ...march })).total.counts.deployments).toBe(0);
  });
});

describe('DynamoDoraStore agrees with the pure core on random histories (fast-check)', () => {
  it('records in generated order, then replayed shuffled, leave exactly the pure rollups', async () => {
    await fc.assert(
      fc.asyncProperty(records, fc.integer(), async (rs, seed) => {
        const { store } = await freshStore();
        for (const r of rs) await store.record(r);
        for (const r of shuffle(rs, seed).slice(0, 5)) await store.record(r);
        const got = (await Promise.all(['api', 'web'].flatMap((s) => ['production', 'staging'].map((e) => store.rollups.forService(s, e, '2025-01-01', '2025-02-28'))))).flat();
        const key = (r: { service: string; environment: string; day: string }) => JSON.stringify([r.service, r.environment, r.day]);
        expect(got.sort((a, b) => (key(a) < key(b) ? -1 : 1))).toEqual(rollupsOf(rs).filter((r) => Object.keys(r.counts).length));
      }),
      { numRuns: 50 },
    );
  }, 120_000);
});
