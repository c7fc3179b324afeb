import http from 'node:http';
import autocannon, { type Result as AutocannonResult } from 'autocannon';
import { BODY, HEADERS, LABEL, PATH, cpuSecondsOf, type Server } from './flags-http-servers.js';
import { pacedLoad } from './paced-load.js';

/** The load runs of the flags-http benchmark (bench/flags-http.ts): max throughput, fixed rate (paced and autocannon's), unloaded. */

export const DURATION_S = 10;
export const WARMUP_S = 3;
export const CONNECTIONS = 64;
export const FIXED_RATE = 5_000;
const MAX_SAMPLES = 2_000_000;
export const SEQUENTIAL = 2_000;
export const SEQUENTIAL_WARMUP = 200;

export interface LoadFigures {
  server: string;
  kind: 'max' | 'fixed-rate' | 'paced';
  overallRate: number | null;
  durationS: number;
  /** autocannon's mean of per-second samples. */
  reqPerSec: number;
  /** 2xx responses / run duration. */
  achievedRps: number;
  responses2xx: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number; samples: number };
  autocannonLatencyMs: { p50: number; p99: number; max: number };
  serverCpuUsPerReq: number | null;
  serverCpuPct: number | null;
  clientCpuUsPerReq: number;
  clientCpuPct: number;
}

const pct = (sorted: Float64Array, q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : Number.NaN);

export async function runLoad(server: Server, kind: 'max' | 'fixed-rate', durationS: number): Promise<LoadFigures> {
  const rate = FIXED_RATE;
  const samples = new Float64Array(MAX_SAMPLES);
  let n = 0;
  const inst = autocannon({
    url: `${server.url}${PATH}`,
    method: 'POST',
    headers: HEADERS,
    body: BODY,
    connections: CONNECTIONS,
    duration: durationS,
    timeout: 10,
    ...(kind === 'fixed-rate' ? { overallRate: rate } : {}),
  });
  inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300 && n < MAX_SAMPLES) samples[n++] = ms;
  });
  const guard = setTimeout(() => inst.stop(), (durationS + 30) * 1000); // bounded even if the server hangs
  const serverCpu0 = cpuSecondsOf(server.pid);
  const clientCpu0 = process.cpuUsage();
  const t0 = performance.now();
  let r: AutocannonResult;
  try {
    r = await inst;
  } finally {
    clearTimeout(guard);
  }
  const wallS = (performance.now() - t0) / 1000;
  const serverCpu1 = cpuSecondsOf(server.pid);
  const clientCpu = process.cpuUsage(clientCpu0);
  const sorted = samples.subarray(0, n).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const completed = Math.max(1, r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx']);
  const serverCpuS = serverCpu0 !== undefined && serverCpu1 !== undefined ? serverCpu1 - serverCpu0 : undefined;
  const clientCpuS = (clientCpu.user + clientCpu.system) / 1e6;
  return {
    server: LABEL[server.mode],
    kind,
    overallRate: kind === 'fixed-rate' ? rate : null,
    durationS: r.duration,
    reqPerSec: r.requests.average,
    achievedRps: r['2xx'] / r.duration,
    responses2xx: r['2xx'],
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, Number(v.count)])),
    latencyMs: { p50: pct(sorted, 0.5), p90: pct(sorted, 0.9), p99: pct(sorted, 0.99), p999: pct(sorted, 0.999), max: n ? sorted[n - 1]! : Number.NaN, mean: n ? sum / n : Number.NaN, samples: n },
    autocannonLatencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    serverCpuUsPerReq: serverCpuS === undefined ? null : (serverCpuS * 1e6) / completed,
    serverCpuPct: serverCpuS === undefined ? null : (100 * serverCpuS) / wallS,
    clientCpuUsPerReq: (clientCpuS * 1e6) / completed,
    clientCpuPct: (100 * clientCpuS) / wallS,
  };
}

export interface Unloaded {
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Sequential requests on one keep-alive connection: the latency of one request with nothing queued. Bounded. */
/** The fixed rate as an open-loop, evenly paced schedule; same figures as runLoad where they apply. */
export async function runPaced(server: Server): Promise<LoadFigures> {
  const serverCpu0 = cpuSecondsOf(server.pid);
  const clientCpu0 = process.cpuUsage();
  const r = await pacedLoad({ url: `${server.url}${PATH}`, method: 'POST', headers: HEADERS, body: BODY, rate: FIXED_RATE, durationS: DURATION_S, connections: CONNECTIONS });
  const serverCpu1 = cpuSecondsOf(server.pid);
  const clientCpu = process.cpuUsage(clientCpu0);
  const xs = r.latenciesMs;
  const n = xs.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += xs[i]!;
  const completed = Math.max(1, r.completed2xx + r.non2xx);
  const serverCpuS = serverCpu0 !== undefined && serverCpu1 !== undefined ? serverCpu1 - serverCpu0 : undefined;
  const clientCpuS = (clientCpu.user + clientCpu.system) / 1e6;
  return {
    server: LABEL[server.mode],
    kind: 'paced',
    overallRate: FIXED_RATE,
    durationS: r.durationS,
    reqPerSec: r.achievedRps,
    achievedRps: r.achievedRps,
    responses2xx: r.completed2xx,
    errors: r.errors,
    timeouts: 0,
    non2xx: r.non2xx,
    statusCodes: { '2xx': r.completed2xx },
    latencyMs: { p50: pct(xs, 0.5), p90: pct(xs, 0.9), p99: pct(xs, 0.99), p999: pct(xs, 0.999), max: n ? xs[n - 1]! : Number.NaN, mean: n ? sum / n : Number.NaN, samples: n },
    autocannonLatencyMs: { p50: Number.NaN, p99: Number.NaN, max: Number.NaN },
    serverCpuUsPerReq: serverCpuS === undefined ? null : (serverCpuS * 1e6) / completed,
    serverCpuPct: serverCpuS === undefined ? null : (100 * serverCpuS) / r.durationS,
    clientCpuUsPerReq: (clientCpuS * 1e6) / completed,
    clientCpuPct: (100 * clientCpuS) / r.durationS,
  };
}

export async function unloadedLatency(server: Server): Promise<Unloaded> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(`${server.url}${PATH}`);
  const headers = { ...HEADERS, 'content-length': String(Buffer.byteLength(BODY)) };
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request(url, { method: 'POST', agent, headers, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(BODY);
    });
  const deadline = Date.now() + 60_000;
  const xs = new Float64Array(SEQUENTIAL);
  try {
    for (let i = 0; i < SEQUENTIAL_WARMUP && Date.now() < deadline; i++) await one();
    let n = 0;
    for (; n < SEQUENTIAL && Date.now() < deadline; n++) xs[n] = await one();
    const sorted = xs.subarray(0, n).sort();
    return { requests: n, p50: pct(sorted, 0.5), p90: pct(sorted, 0.9), p99: pct(sorted, 0.99), max: n ? sorted[n - 1]! : Number.NaN };
  } finally {
    agent.destroy();
  }
}

export async function warmUp(server: Server) {
  await runLoad(server, 'max', WARMUP_S);
}
