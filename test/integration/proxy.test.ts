import http from 'node:http';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../local/demo-service.js';
import { ObservationStore, WeightedProxy } from '../../local/proxy.js';
import { TrafficGenerator } from '../../local/traffic.js';
import { mulberry32 } from '../support/prng.js';

const seeded = mulberry32;

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

interface Answer {
  status: number;
  role: string | undefined;
  revision: string | undefined;
  body: string;
}

function get(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            role: res.headers['x-lumina-role'] as string | undefined,
            revision: res.headers['x-lumina-revision'] as string | undefined,
            body,
          }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** n requests, `concurrency` at a time. */
async function many(url: string, n: number, concurrency = 16): Promise<Answer[]> {
  const out: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        out.push(await get(url));
      }
    }),
  );
  return out;
}

const count = (answers: Answer[], role: string) => answers.filter((a) => a.role === role).length;
const MINUTE = 60_000;

let healthy: DemoServer;
let faulty: DemoServer;
let slow: DemoServer;
const stableUrl = () => `http://127.0.0.1:${healthy.port}`;
const canaryUrl = () => `http://127.0.0.1:${faulty.port}`;

beforeAll(async () => {
  [healthy, faulty, slow] = await Promise.all([
    startDemoServer({ version: 'v1' }),
    startDemoServer({ version: 'v2', faultRate: 1 }),
    startDemoServer({ version: 'v3', latencyMs: 30, rng: seeded(7) }),
  ]);
});
afterAll(async () => {
  agent.destroy();
  await Promise.all([healthy.close(), faulty.close(), slow.close()]);
});

let proxy: WeightedProxy;
let base: string;
beforeEach(async () => {
  proxy = new WeightedProxy({ service: 'demo', rng: seeded(42) });
  base = `http://127.0.0.1:${await proxy.listen()}`;
  proxy.setTarget('stable', { url: stableUrl(), revision: 'v1' });
  proxy.setTarget('canary', { url: canaryUrl(), revision: 'v2' });
});
afterEach(async () => {
  await proxy.close();
});

describe('WeightedProxy over real HTTP', () => {
  it('observe() with no traffic reports "no data" as nulls', () => {
    for (const role of ['stable', 'canary'] as const) {
      const o = proxy.observe(role, MINUTE);
      expect(o).toMatchObject({ requests: 0, errors5xx: 0, errorRatePct: null, avgLatencyMs: null, p99LatencyMs: null });
      expect(Date.parse(o.to) - Date.parse(o.from)).toBe(MINUTE);
    }
  });

  it('weight 0 sends everything to stable, with role and revision headers', async () => {
    proxy.setCanaryWeight(0);
    const answers = await many(`${base}/`, 100);
    expect(count(answers, 'stable')).toBe(100);
    expect(answers.every((a) => a.status === 200 && a.revision === 'v1')).toBe(true);
    expect(JSON.parse(answers[0]!.body)).toMatchObject({ service: 'demo', version: 'v1', pid: process.pid });
    expect(proxy.observe('stable', MINUTE)).toMatchObject({ requests: 100, errors5xx: 0, errorRatePct: 0 });
    expect(proxy.observe('canary', MINUTE).requests).toBe(0);
  });

  it('weight 100 sends everything to the canary, and its 5xx are counted for the canary only', async () => {
    proxy.setCanaryWeight(100);
    expect(proxy.weights()).toEqual({ stable: 0, canary: 100 });
    const answers = await many(`${base}/`, 60);
    expect(count(answers, 'canary')).toBe(60);
    expect(answers.every((a) => a.status === 500 && a.revision === 'v2')).toBe(true);
    expect(proxy.observe('canary', MINUTE)).toMatchObject({ requests: 60, errors5xx: 60, errorRatePct: 100 });
    expect(proxy.observe('stable', MINUTE).requests).toBe(0);
  });

  it('weight 25 splits 2000 requests about 25/75 (seeded), and observations match what clients saw', async () => {
    proxy.setCanaryWeight(25);
    expect(proxy.weights()).toEqual({ stable: 75, canary: 25 });
    const answers = await many(`${base}/`, 2000, 32);
    const canary = count(answers, 'canary');
    const stable = count(answers, 'stable');
    expect(canary + stable).toBe(2000);
    // σ ≈ 19.4 for Binomial(2000, 0.25): ±60 is > 3σ, and the seed makes it reproducible anyway.
    expect(Math.abs(canary - 500)).toBeLessThanOrEqual(60);
    const c = proxy.observe('canary', MINUTE);
    const s = proxy.observe('stable', MINUTE);
    expect(c).toMatchObject({ requests: canary, errors5xx: canary, errorRatePct: 100 });
    expect(s).toMatchObject({ requests: stable, errors5xx: 0, errorRatePct: 0 });
    expect(answers.filter((a) => a.status === 500).length).toBe(canary);
    // Per-interval samples add up to the window total.
    const samples = proxy.samples('canary', MINUTE, 10_000);
    expect(samples).toHaveLength(6);
    expect(samples.reduce((n, x) => n + x.requests, 0)).toBe(canary);
  });

  it('reports sane latency: avg and p99 within the injected latency (30 ms ±20 %) plus overhead', async () => {
    proxy.setTarget('canary', { url: `http://127.0.0.1:${slow.port}`, revision: 'v3' });
    proxy.setCanaryWeight(100);
    await many(`${base}/`, 100, 25);
    const o = proxy.observe('canary', MINUTE);
    expect(o.requests).toBe(100);
    expect(o.avgLatencyMs!).toBeGreaterThanOrEqual(24);
    expect(o.avgLatencyMs!).toBeLessThan(80);
    expect(o.p99LatencyMs!).toBeGreaterThanOrEqual(o.avgLatencyMs!);
    expect(o.p99LatencyMs!).toBeGreaterThanOrEqual(34);
    expect(o.p99LatencyMs!).toBeLessThan(250);
    const fast = proxy.observe('stable', MINUTE);
    expect(fast.requests).toBe(0);
  });

  it('never routes to an empty slot: no canary target means all traffic to stable, whatever the weight', async () => {
    proxy.setCanaryWeight(100);
    proxy.setTarget('canary', undefined);
    const answers = await many(`${base}/`, 40);
    expect(count(answers, 'stable')).toBe(40);
    expect(proxy.weights()).toEqual({ stable: 0, canary: 100 });
    proxy.setTarget('stable', undefined);
    const none = await get(`${base}/`);
    expect(none.status).toBe(503);
    expect(none.role).toBeUndefined();
  });

  it('answers 502 when the upstream is down and counts it as a 5xx for that role (no latency)', async () => {
    const gone = await startDemoServer({ version: 'gone' });
    const deadUrl = `http://127.0.0.1:${gone.port}`;
    await gone.close();
    proxy.setTarget('canary', { url: deadUrl, revision: 'v9' });
    proxy.setCanaryWeight(100);
    const answers = await many(`${base}/`, 20, 4);
    expect(answers.every((a) => a.status === 502 && a.role === 'canary' && a.revision === 'v9')).toBe(true);
    expect(proxy.observe('canary', MINUTE)).toMatchObject({ requests: 20, errors5xx: 20, errorRatePct: 100, avgLatencyMs: null, p99LatencyMs: null });
  });

  it('resetObservations clears one role only', async () => {
    proxy.setCanaryWeight(50);
    await many(`${base}/`, 100);
    proxy.resetObservations('canary');
    expect(proxy.observe('canary', MINUTE).requests).toBe(0);
    expect(proxy.observe('stable', MINUTE).requests).toBeGreaterThan(0);
  });

  it('rejects out-of-range weights', () => {
    expect(() => proxy.setCanaryWeight(101)).toThrow(RangeError);
    expect(() => proxy.setCanaryWeight(-1)).toThrow(RangeError);
    expect(() => proxy.setCanaryWeight(Number.NaN)).toThrow(RangeError);
  });

  it('TrafficGenerator drives a steady rate through the proxy', async () => {
    proxy.setCanaryWeight(0);
    const gen = new TrafficGenerator({ url: `${base}/`, rps: 100, maxDurationMs: 300 });
    gen.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(gen.running).toBe(false);
    const c = gen.counters();
    expect(c.sent).toBeGreaterThanOrEqual(20);
    expect(c.sent).toBeLessThanOrEqual(40);
    // A request in flight at the 300 ms stop is abandoned by the client (the proxy may still have counted it).
    expect(c.completed + c.abandoned).toBe(c.sent);
    expect(c.abandoned).toBeLessThanOrEqual(2);
    expect(c).toMatchObject({ ok: c.completed, failed: 0, dropped: 0, inFlight: 0 });
    expect(c.byRole.stable).toBe(c.completed);
    const observed = proxy.observe('stable', MINUTE).requests;
    expect(observed).toBeGreaterThanOrEqual(c.completed);
    expect(observed).toBeLessThanOrEqual(c.sent);
    expect(() => new TrafficGenerator({ url: 'http://example.com/' })).toThrow(/loopback/);
  });
});

describe('ObservationStore (time-bucketed, injected clock)', () => {
  const t0 = Date.parse('2025-01-01T00:00:00.000Z');

  it('computes exact nearest-rank p99 and average over the window', () => {
    const store = new ObservationStore();
    for (let i = 1; i <= 200; i++) store.record(t0 + (i % 10) * 1000, i % 20 === 0 ? 503 : 200, i);
    const o = store.summarize(t0, t0 + 10_000);
    expect(o).toMatchObject({ requests: 200, errors5xx: 10, errorRatePct: 5, avgLatencyMs: 100.5, p99LatencyMs: 198 });
  });

  it('windows are aligned to 1-second buckets and retention is 15 minutes', () => {
    const store = new ObservationStore();
    store.record(t0, 200, 5);
    store.record(t0 + 1500, 200, 7);
    expect(store.summarize(t0 + 1000, t0 + 2000)).toMatchObject({ requests: 1, avgLatencyMs: 7 });
    expect(store.summarize(t0 - 60_000, t0 + 1000)).toMatchObject({ requests: 1, avgLatencyMs: 5 });
    // 16 minutes later the ring slot was neither overwritten nor is it in range: gone.
    expect(store.summarize(t0, t0 + 16 * 60_000).requests).toBe(0);
    // Overwriting the same ring slot 15 minutes later replaces the old second.
    store.record(t0 + 15 * 60_000, 500, undefined);
    expect(store.summarize(t0 + 14 * 60_000, t0 + 16 * 60_000)).toMatchObject({ requests: 1, errors5xx: 1, avgLatencyMs: null, p99LatencyMs: null });
  });

  it('approximates p99 from a weighted reservoir above the per-bucket cap', () => {
    const store = new ObservationStore(seeded(3));
    for (let i = 0; i < 10_000; i++) store.record(t0 + 100, 200, i % 1000);
    const o = store.summarize(t0, t0 + 1000);
    expect(o.requests).toBe(10_000);
    expect(o.avgLatencyMs).toBeCloseTo(499.5, 6);
    expect(Math.abs(o.p99LatencyMs! - 990)).toBeLessThan(15);
  });
});
