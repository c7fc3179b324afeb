import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { doraKeys } from '../adapters/dynamo/dora-keys.js';
import { DynamoDoraStore } from '../adapters/dynamo/dora-store.js';
import { foldRecords, rollupsOf } from '../core/dora/aggregate.js';
import { addContribution, assignRecovery, contributionsOf, emptyRollup, mergeRollups, rollupId, type Rollup } from '../core/dora/contributions.js';
import type { DeploymentState, EntityState } from '../core/dora/entities.js';
import { computeMetrics } from '../core/dora/metrics.js';
import { parseDoraRecord, type DoraRecord } from '../core/dora/records.js';
import { startDynamo } from '../local/dynamo.js';
import { yearOfRecords } from '../test/fixtures/dora/year.js';
import { fmt, heading, max, median, min, ratio, table, verdict } from './util.js';

/**
 * DORA query for one service over one year (2025, week buckets) with 100 000 deployments, against dynalite.
 *
 * - Data: test/fixtures/dora/year.ts (seeded). The last RECORDED deployments (and their commits and incidents)
 *   go through the real record path (`DynamoDoraStore.record`, one at a time); the other ~99 % are seeded as the
 *   daily rollup items the record path would leave (same counters and histograms, an `ids` set with one id per
 *   contribution), written with BatchWrite — recording 100 000 deployments one by one would take far longer
 *   than the measurement.
 * - Agreement: the query's figures must equal the pure core's over the same records (the two parts aggregated
 *   separately and summed, as no commit or incident crosses them).
 * - ours: `store.query(...)` = one Query on the service's rollup partition (365 items) + computeMetrics.
 * - baseline "raw scan": the same records stored one item per record, all read back and aggregated by the pure core.
 * - informational: the pure core from records already in memory, and computeMetrics alone on the 365 rollups.
 */

const DEPLOYMENTS = 100_000;
const RECORDED = 1_000;
const SERVICE = 'bench-api';
const TARGET_MS = 200;
const QUERY = { service: SERVICE, from: '2025-01-01', to: '2025-12-31', bucket: 'week' as const };

export interface DoraBenchRow {
  figure: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  rounds: number;
  speedupVsBaseline: number;
}

export interface DoraBenchResult {
  baseline: { name: string };
  target: { queryMs: number };
  dataset: { deployments: number; recordedThroughStore: number; records: number; rollupItems: number; meanIdsPerRollup: number; meanHistogramBucketsPerRollup: number };
  recordPath: { records: number; seconds: number; recordsPerSecond: number };
  agreement: boolean;
  rows: DoraBenchRow[];
  verdict: string;
}

async function batchWrite(doc: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]) {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const worker = async () => {
    for (let b = batches.pop(); b; b = batches.pop()) {
      let req: Record<string, unknown>[] | undefined = b.map((Item) => ({ PutRequest: { Item } }));
      while (req?.length) {
        const res = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: req as never } }));
        req = res.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The rollup items the record path leaves for these records: sums per day, one id per contribution. */
function seedItems(records: DoraRecord[]): { items: Record<string, unknown>[]; ids: number; buckets: number; days: string[] } {
  const states = [...foldRecords(records).values()];
  const all: EntityState[] = [...assignRecovery(states.filter((s): s is DeploymentState => s.kind === 'deployment')), ...states.filter((s) => s.kind !== 'deployment')];
  const byDay = new Map<string, { r: Rollup; ids: Set<string> }>();
  let n = 0;
  for (const s of all) {
    for (const c of contributionsOf(s)) {
      const k = rollupId(c);
      const cur = byDay.get(k) ?? { r: emptyRollup(c), ids: new Set<string>() };
      cur.r = addContribution(cur.r, c);
      cur.ids.add((n++).toString(36).padStart(12, '0'));
      byDay.set(k, cur);
    }
  }
  let buckets = 0;
  const items = [...byDay.values()].map(({ r, ids }) => {
    buckets += Object.keys(r.leadTime).length + Object.keys(r.recovery).length;
    return {
      ...doraKeys.day(r.service, r.environment, r.day),
      type: 'dora-rollup',
      service: r.service,
      environment: r.environment,
      day: r.day,
      c: r.counts,
      lt: r.leadTime,
      rc: r.recovery,
      ids,
    };
  });
  return { items, ids: n, buckets, days: [...byDay.values()].map(({ r }) => r.day) };
}

/** The DIR item marking every seeded day as written once (what the record path's writes would leave). */
const dirItem = (days: string[], mark: number) => ({
  ...doraKeys.dir(SERVICE, 'production', '2025'),
  type: 'dora-dir',
  service: SERVICE,
  environment: 'production',
  GSI2PK: doraKeys.scopeIndex('2025'),
  GSI2SK: doraKeys.scopeIndexSk(SERVICE, 'production'),
  ...Object.fromEntries(days.map((d) => [doraKeys.markAttr(d), mark])),
});

/** Median-ready samples: `before` runs untimed ahead of each timed `fn` (after one warm-up round). */
async function timed(rounds: number, fn: () => Promise<unknown> | unknown, before: (round: number) => Promise<unknown> | unknown = () => undefined): Promise<number[]> {
  await before(-1);
  await fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await before(i);
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export async function runDora(log: (s: string) => void): Promise<DoraBenchResult> {
  log(
    heading(
      `dora — DORA metrics of one service over one year (${DEPLOYMENTS.toLocaleString('en-US')} deployments), dynalite`,
      `ours: query over daily rollups via month summaries; baseline: raw records scanned and aggregated; target ≤ ${TARGET_MS} ms`,
    ),
  );
  const [seededIn = [], recordedIn = []] = yearOfRecords({ deployments: DEPLOYMENTS, service: SERVICE, partOf: (i) => (i < DEPLOYMENTS - RECORDED ? 0 : 1) });
  const seeded = seededIn.map(parseDoraRecord);
  const recorded = recordedIn.map(parseDoraRecord);
  const everything = [...seeded, ...recorded];
  const dynamo = await startDynamo({ table: 'lumina-bench-dora' });
  try {
    const store = new DynamoDoraStore(dynamo.doc, dynamo.table);
    let t0 = performance.now();
    const seed = seedItems(seeded);
    await batchWrite(dynamo.doc, dynamo.table, [...seed.items, dirItem(seed.days, 1)]);
    log(`seeded ${seed.items.length} rollup items for ${seeded.length.toLocaleString('en-US')} records in ${fmt((performance.now() - t0) / 1000, 1)} s`);

    t0 = performance.now();
    for (const r of recorded) await store.record(r);
    const recordS = (performance.now() - t0) / 1000;
    log(`recorded ${recorded.length} records (${RECORDED} deployments) through store.record in ${fmt(recordS, 1)} s — ${fmt(recorded.length / recordS, 0)} records/s`);

    t0 = performance.now();
    const raw = everything.map((r, i) => ({ PK: `RAW#${SERVICE}`, SK: `${r.kind === 'incident' ? r.openedAt : r.kind === 'change' ? r.committedAt : r.finishedAt}#${i}`, record: JSON.stringify(r) }));
    await batchWrite(dynamo.doc, dynamo.table, raw);
    log(`wrote ${raw.length.toLocaleString('en-US')} raw record items for the baseline in ${fmt((performance.now() - t0) / 1000, 1)} s`);

    const expected = computeMetrics(mergeRollups([...rollupsOf(seeded), ...rollupsOf(recorded)]), QUERY);
    const { scope: _scope, ...got } = await store.query(QUERY); // cold: reads every day, seals 12 months
    const agreement = JSON.stringify(got) === JSON.stringify(expected);
    const { scope: _s2, ...again } = await store.query(QUERY); // warm: summaries only
    const warmAgreement = JSON.stringify(again) === JSON.stringify(expected) && store.rollups.lastRead.dayItemsRead === 0;

    const rawScan = async () => {
      const records: DoraRecord[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await dynamo.doc.send(new QueryCommand({ TableName: dynamo.table, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `RAW#${SERVICE}` }, ExclusiveStartKey: start }));
        for (const it of res.Items ?? []) records.push(JSON.parse(it.record as string) as DoraRecord);
        start = res.LastEvaluatedKey;
      } while (start);
      return computeMetrics(rollupsOf(records), QUERY);
    };
    const rollups = await store.rollups.forService(SERVICE, 'production', QUERY.from, QUERY.to);
    let extra = 0;
    const newDeployment = () =>
      store.record({ kind: 'deployment', service: SERVICE, environment: 'production', deploymentId: `extra-${extra++}`, status: 'success', finishedAt: '2025-12-31T23:59:00Z', commitShas: [] });
    const samples = {
      ours: await timed(9, () => store.query(QUERY)),
      afterWrite: await timed(9, () => store.query(QUERY), newDeployment),
      cold: await timed(3, () => store.query(QUERY), (i) => batchWrite(dynamo.doc, dynamo.table, [dirItem(seed.days, i + 10)])),
      raw: await timed(3, rawScan),
      pure: await timed(3, () => computeMetrics(rollupsOf(everything), QUERY)),
      compute: await timed(50, () => computeMetrics(rollups, QUERY)),
    };
    const baseMs = median(samples.raw);
    const row = (figure: string, xs: number[]): DoraBenchRow => ({ figure, medianMs: median(xs), minMs: min(xs), maxMs: max(xs), rounds: xs.length, speedupVsBaseline: baseMs / median(xs) });
    const rows = [
      row('ours: store.query, summaries current (target)', samples.ours),
      row('ours: store.query after 1 new deployment', samples.afterWrite),
      row('ours: store.query cold (365 days re-read)', samples.cold),
      row('baseline: raw records scanned + pure core', samples.raw),
      row('info: pure core on in-memory records', samples.pure),
      row('info: computeMetrics on the 365 rollups', samples.compute),
    ];
    const v = verdict(rows[0]!.medianMs, TARGET_MS);
    log('');
    log(
      table(
        ['figure', 'median ms', 'min–max ms', 'rounds', 'time × baseline', 'speed-up vs baseline'],
        rows.map((r) => [r.figure, fmt(r.medianMs, 1), `${fmt(r.minMs, 1)}–${fmt(r.maxMs, 1)}`, String(r.rounds), ratio(r.medianMs, baseMs, 4), `${fmt(r.speedupVsBaseline, 1)}×`]),
        ['l', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
    log(
      `\nper DAY item ≈ ${fmt(seed.ids / seed.items.length, 0)} contribution ids and ${fmt(seed.buckets / seed.items.length, 0)} histogram buckets; a current query reads 1 DIR + 12 MONTH items. ` +
        `Year: ${got.total.counts.deployments.toLocaleString('en-US')} deployments, ${got.total.counts.leadTimes.toLocaleString('en-US')} lead-time samples, CFR ${fmt(100 * (got.total.changeFailRate ?? 0), 2)} %, levels ${JSON.stringify(got.total.levels)}`,
    );
    log(`agreement with the pure core: cold ${agreement ? 'identical' : 'DIFFERENT  ← MISMATCH'}, warm ${warmAgreement ? 'identical (0 day items read)' : 'DIFFERENT  ← MISMATCH'}`);
    log(`query ≤ ${TARGET_MS} ms: ${v === 'PASS' ? 'PASS' : 'MISSED'} (${fmt(rows[0]!.medianMs, 1)} ms, ${fmt(rows[0]!.speedupVsBaseline, 1)}× faster than the raw scan)`);
    return {
      baseline: { name: 'raw records scanned + pure core' },
      target: { queryMs: TARGET_MS },
      dataset: {
        deployments: DEPLOYMENTS,
        recordedThroughStore: RECORDED,
        records: everything.length,
        rollupItems: rollups.length,
        meanIdsPerRollup: seed.ids / seed.items.length,
        meanHistogramBucketsPerRollup: seed.buckets / seed.items.length,
      },
      recordPath: { records: recorded.length, seconds: recordS, recordsPerSecond: recorded.length / recordS },
      agreement: agreement && warmAgreement,
      rows,
      verdict: v === 'PASS' ? 'PASS' : 'MISSED',
    };
  } finally {
    await dynamo.close();
  }
}
