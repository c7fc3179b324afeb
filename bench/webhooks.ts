import { Worker } from 'node:worker_threads';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher.js';
import { recordEvent } from '../core/dora/recorder.js';
import { ingestWebhook } from '../core/webhooks/ingest.js';
import { receiveWebhook } from '../core/webhooks/receive.js';
import { signGeneric } from '../core/webhooks/verify.js';
import { parseRecorderEvent } from '../functions/dora/handler-factory.js';
import type { BusEvent } from '../local/bus.js';
import { startRuntime, type Runtime } from '../local/runtime.js';
import { fmt, heading, ratio, table } from './util.js';

/**
 * Webhook ingestion end to end on the local runtime, over real HTTP: POST /webhooks/generic (signed generic
 * `change` deliveries) → gateway → webhooks handler (signature, parse, validate) → conditional put of the
 * delivery item with its gzip payload in dynalite → PutEvents on the local bus (in process) → mark published → 202.
 *
 * - Load: CONCURRENCY keep-alive clients in a worker thread (bench/webhooks-client.ts) for DURATION_S, so the
 *   runtime keeps the main thread; every 10th request redelivers an id already accepted (must be answered
 *   200 duplicate and stored once).
 * - Baseline (same run, same client and concurrency): GET /health through the same gateway and middy stack.
 * - Check after the run: every accepted id is stored exactly once and published (Scan of WEBHOOK# items),
 *   and reached the bus exactly once (a counting rule) — 0 lost, 0 doubled.
 * - Where the time goes (informational, in process, no HTTP): ingestWebhook alone; receiveWebhook (ingest +
 *   the two DynamoDB writes + the publish) at the same concurrency.
 * - The DORA recorder is detached during the run (it records one event at a time, far below the ingest rate;
 *   its backlog would only measure itself); its rate on the captured events is reported on its own
 *   (informational, RECORDER_S at most).
 */

const SECRET = 'bench-secret';
const CONCURRENCY = Number(process.env.BENCH_WEBHOOKS_CONCURRENCY ?? 16);
const DURATION_S = 8;
const BASELINE_S = 3;
const RECORDER_S = 5;
const INPROCESS_S = 2;
const TARGET_RPS = 500;

export interface WebhooksBenchResult {
  baseline: { name: string; rps: number };
  target: { deliveriesPerSecond: number };
  run: { seconds: number; concurrency: number; requests: number; accepted: number; duplicates: number; errors: number; deliveriesPerSecond: number; p50Ms: number; p99Ms: number };
  check: { stored: number; unpublished: number; lost: number; doubledInStore: number; busEvents: number; doubledOnBus: number };
  recorder: { records: number; seconds: number; recordsPerSecond: number };
  inProcess: { ingestPerSecond: number; receivePerSecond: number };
  verdict: string;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! : Number.NaN;
};

interface LoadResult {
  seconds: number;
  requests: number;
  latencies: number[];
  statuses: Record<string, number>;
  accepted: string[];
  badRedeliveries: number;
}

/** Runs the load generator (bench/webhooks-client.ts) in a worker thread and waits for its figures. */
function load(url: string, mode: 'health' | 'webhooks', seconds: number, prefix = 'bench'): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // The worker registers tsx itself (a worker does not inherit the CLI's loader), then loads the client.
    const client = new URL('./webhooks-client.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(client)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: { url, mode, seconds, concurrency: CONCURRENCY, secret: SECRET, prefix } });
    worker.once('message', (m: LoadResult) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => (code ? reject(new Error(`load worker exited with ${code}`)) : undefined));
  });
}

const signed = (id: string) => {
  const body = JSON.stringify({ type: 'change', id, repository: 'acme/bench-api', commitSha: 'ab'.repeat(20), committedAt: '2026-11-20T10:00:00Z', branch: 'main' });
  return { provider: 'generic' as const, headers: { 'content-type': 'application/json', 'x-lumina-signature': signGeneric(body, SECRET, Math.floor(Date.now() / 1000)) }, rawBody: body, secrets: [SECRET], now: new Date() };
};

/** Calls per second of `f` over `seconds`, `concurrency` at a time. */
async function rate(seconds: number, concurrency: number, f: (i: number) => unknown): Promise<number> {
  let n = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < deadline) await f(n++); }));
  return n / ((performance.now() - t0) / 1000);
}

export async function runWebhooks(log: (s: string) => void = console.log): Promise<WebhooksBenchResult> {
  log(heading('webhooks — signed deliveries → dedupe item + payload in dynalite → lumina.ci on the bus', `${CONCURRENCY} keep-alive clients, ${DURATION_S} s; baseline GET /health, same client, ${BASELINE_S} s; target ≥ ${TARGET_RPS} deliveries/s, 0 lost, 0 doubled`));
  const rt: Runtime = await startRuntime({ port: 0, proxyPort: 0, inMemory: true, trafficRps: 0, config: { services: {} }, webhookSecrets: { generic: [SECRET] }, log: () => undefined });
  try {
    rt.bus.removeRule('dora-recorder');
    const onBus = new Map<string, number>();
    const captured: BusEvent[] = [];
    rt.bus.addRule({
      name: 'bench-count',
      pattern: { source: ['lumina.ci'] },
      target: async (e) => {
        const id = String(e.detail.deliveryId);
        onBus.set(id, (onBus.get(id) ?? 0) + 1);
        captured.push(e);
      },
    });

    await load(rt.url, 'health', 1); // warm-up
    const base = await load(rt.url, 'health', BASELINE_S);
    const baselineRps = base.requests / base.seconds;
    await load(rt.url, 'webhooks', 1, 'warmup');
    const run = await load(rt.url, 'webhooks', DURATION_S);
    const accepted = run.accepted;
    await rt.bus.drain();

    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await rt.dynamo.doc.send(new ScanCommand({ TableName: rt.dynamo.table, ...(start ? { ExclusiveStartKey: start } : {}) }));
      items.push(...(page.Items ?? []).filter((i) => String(i.PK).startsWith('WEBHOOK#')));
      start = page.LastEvaluatedKey;
    } while (start);
    const mine = items.filter((i) => String(i.dedupeKey).startsWith('generic:bench-'));
    const storedCount = new Map<string, number>();
    for (const i of mine) storedCount.set(String(i.dedupeKey), (storedCount.get(String(i.dedupeKey)) ?? 0) + 1);
    const check = {
      stored: mine.length,
      unpublished: items.filter((i) => i.published !== true).length,
      lost: accepted.filter((id) => !storedCount.has(`generic:${id}`) || !onBus.has(id)).length,
      doubledInStore: [...storedCount.values()].filter((n) => n > 1).length,
      busEvents: captured.length,
      doubledOnBus: [...onBus.values()].filter((n) => n > 1).length,
    };
    const duplicates = run.statuses['200'] ?? 0;
    const errors = Object.entries(run.statuses).filter(([s]) => s !== '200' && s !== '202').reduce((n, [, c]) => n + c, 0) + run.badRedeliveries;
    const rps = accepted.length / run.seconds;
    const p50 = percentile(run.latencies, 0.5);
    const p99 = percentile(run.latencies, 0.99);

    // Informational, in process: where the time of a delivery goes.
    const ingestPerSecond = await rate(INPROCESS_S / 2, 1, (i) => ingestWebhook(signed(`ingest-${i}`)));
    const inProcessBus = new EventBridgePublisher({ send: async (c) => rt.bus.putEvents(c.input.Entries ?? []) }, rt.bus.busName);
    const receivePerSecond = await rate(INPROCESS_S, CONCURRENCY, (i) => receiveWebhook(signed(`inproc-${i}`), { store: rt.webhookStore, bus: inProcessBus }));

    // Informational: the DORA recorder on the captured events, one at a time as deployed, for RECORDER_S at most.
    const t0 = performance.now();
    let recorded = 0;
    for (const e of captured) {
      if (performance.now() - t0 > RECORDER_S * 1000) break;
      const parsed = parseRecorderEvent(e);
      if ('kind' in parsed) await recordEvent({ dora: rt.dora, rollouts: rt.repo }, parsed);
      recorded++;
    }
    const recorderS = (performance.now() - t0) / 1000;

    const ok = rps >= TARGET_RPS && check.lost === 0 && check.doubledInStore === 0 && check.doubledOnBus === 0 && check.unpublished === 0 && errors === 0;
    log(
      table(
        ['figure', 'value', 'vs baseline'],
        [
          ['GET /health (baseline)', `${fmt(baselineRps, 0)} req/s`, '1.00×'],
          ['webhook deliveries accepted', `${fmt(rps, 0)} /s (${accepted.length} in ${fmt(run.seconds, 1)} s)`, ratio(rps, baselineRps)],
          ['all webhook requests (incl. redeliveries)', `${fmt(run.requests / run.seconds, 0)} req/s`, ratio(run.requests / run.seconds, baselineRps)],
          ['latency p50 / p99', `${fmt(p50, 2)} / ${fmt(p99, 2)} ms`, ''],
          ['redeliveries answered duplicate', String(duplicates), ''],
          ['errors (non-2xx, or a redelivery not seen as duplicate)', String(errors), ''],
          ['stored items / unpublished', `${check.stored} / ${check.unpublished}`, ''],
          ['lost / doubled in store / doubled on bus', `${check.lost} / ${check.doubledInStore} / ${check.doubledOnBus}`, ''],
          ['in process: ingestWebhook alone (signature, parse, validate)', `${fmt(ingestPerSecond, 0)} /s`, ratio(ingestPerSecond, baselineRps)],
          ['in process: receiveWebhook (ingest + 2 DynamoDB writes + publish)', `${fmt(receivePerSecond, 0)} /s`, ratio(receivePerSecond, baselineRps)],
          ['DORA recorder (informational, one at a time)', `${fmt(recorded / recorderS, 0)} records/s (${recorded} in ${fmt(recorderS, 1)} s)`, ''],
        ],
        ['l', 'r', 'r'],
      ),
    );
    log(`\ntarget ≥ ${TARGET_RPS} deliveries/s with 0 lost, 0 doubled: ${ok ? 'PASS' : 'MISSED'}`);
    return {
      baseline: { name: 'GET /health through the same gateway, same client', rps: baselineRps },
      target: { deliveriesPerSecond: TARGET_RPS },
      run: { seconds: run.seconds, concurrency: CONCURRENCY, requests: run.requests, accepted: accepted.length, duplicates, errors, deliveriesPerSecond: rps, p50Ms: p50, p99Ms: p99 },
      check,
      recorder: { records: recorded, seconds: recorderS, recordsPerSecond: recorded / recorderS },
      inProcess: { ingestPerSecond, receivePerSecond },
      verdict: ok ? 'PASS' : 'MISSED',
    };
  } finally {
    await rt.close();
  }
}
