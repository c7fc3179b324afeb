import { parentPort, workerData } from 'node:worker_threads';
import { signGeneric } from '../core/webhooks/verify.js';

/**
 * The load generator of bench/webhooks.ts, in a worker thread so the runtime under test keeps the main thread
 * (and its core) to itself. `mode: 'health'` GETs /health (the baseline); `mode: 'webhooks'` POSTs signed generic
 * `change` deliveries, every 10th one a redelivery of an id already accepted (it must be answered duplicate).
 */
interface Job {
  url: string;
  mode: 'health' | 'webhooks';
  seconds: number;
  concurrency: number;
  secret: string;
  prefix: string;
}
const job = workerData as Job;

function delivery(id: string) {
  const body = JSON.stringify({
    type: 'change',
    id,
    repository: 'acme/bench-api',
    commitSha: Buffer.from(id).toString('hex').padEnd(40, '0').slice(0, 40),
    committedAt: '2026-11-20T10:00:00Z',
    branch: 'main',
  });
  return { body, signature: signGeneric(body, job.secret, Math.floor(Date.now() / 1000)) };
}

const latencies: number[] = [];
const statuses: Record<string, number> = {};
const accepted: string[] = [];
let badRedeliveries = 0;
let next = 0;
const deadline = performance.now() + job.seconds * 1000;
const t0 = performance.now();

async function one(i: number): Promise<number> {
  if (job.mode === 'health') {
    const r = await fetch(`${job.url}/health`);
    await r.arrayBuffer();
    return r.status;
  }
  const redeliver = i % 10 === 9 && accepted.length > 0;
  const id = redeliver ? accepted[i % accepted.length]! : `${job.prefix}-${i}`;
  const d = delivery(id);
  const res = await fetch(`${job.url}/webhooks/generic`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-lumina-signature': d.signature }, body: d.body });
  const body = (await res.json()) as { accepted?: boolean; duplicate?: boolean };
  if (res.status === 202 && body.accepted && !redeliver) accepted.push(id);
  if (redeliver && !(res.status === 200 && body.duplicate)) badRedeliveries++;
  return res.status;
}

await Promise.all(
  Array.from({ length: job.concurrency }, async () => {
    while (performance.now() < deadline) {
      const i = next++;
      const s = performance.now();
      const status = await one(i).catch(() => 0);
      latencies.push(performance.now() - s);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
parentPort!.postMessage({ seconds: (performance.now() - t0) / 1000, requests: next, latencies, statuses, accepted, badRedeliveries });
