import { mkdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result as AutocannonResult } from 'autocannon';
import { type ProfileSummary, summarizeCpuProfile } from './cpuprofile.js';
import { BODY, HEADERS, LABEL, PATH, checkResponse, cpuSecondsOf, startServer, type Server } from './flags-http-servers.js';
import { fmt, heading, ratio, sleep, table } from './util.js';

/**
 * Flag evaluation over HTTP on the local runtime, loaded over loopback from another process.
 *
 * - Servers run as child processes (bench/flags-server.ts under `node --import tsx`): the local runtime
 *   (startRuntime, in-memory, no services, no synthetic traffic, flags published with rt.flags.publish) and,
 *   as the baseline, a bare node:http server answering a constant JSON of the same size class.
 * - The load generator is autocannon, in this (the benchmark) process: POST
 *   /ofrep/v1/evaluate/flags/<targeted flag> with a fixed JSON context that runs all three conditions.
 *   (a) max throughput: 64 connections, 10 s; (b) fixed rate: overallRate 5 000 req/s, 64 connections, 10 s;
 *   (c) informational: 2 000 sequential requests on one connection (latency without queueing). Each server
 *   gets a 3 s warm-up first; the bare server goes through the same runs, so every figure has its baseline.
 * - Latency percentiles are exact (every 2xx response time, sub-millisecond); autocannon's own histogram
 *   (integer ms; at a fixed rate corrected for coordinated omission) is shown next to them. The p99 target
 *   must hold on both.
 * - CPU: server-child CPU time (from /proc) and load-generator CPU time per request, so a client-bound run
 *   is visible (client and server share the machine's CPUs).
 * - When a target is missed (or LUMINA_BENCH_PROFILE=always; =never disables it), one more max-throughput
 *   run is made against a fresh runtime child with the V8 CPU profiler (the one behind `node --cpu-prof`,
 *   driven through node:inspector so it covers only the load window), and the profile is summarised: top
 *   self-time functions, time per area, inclusive time of our files and functions. The figures above come
 *   from the unprofiled runs.
 */

const DURATION_S = 10;
const WARMUP_S = 3;
const CONNECTIONS = 64;
const FIXED_RATE = 5_000;
const TARGET_MAX_RPS = 20_000;
const TARGET_P99_MS = 5;
const MAX_SAMPLES = 2_000_000;
const SEQUENTIAL = 2_000;
const SEQUENTIAL_WARMUP = 200;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export interface LoadFigures {
  server: string;
  kind: 'max' | 'fixed-rate';
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

async function runLoad(server: Server, kind: 'max' | 'fixed-rate', durationS: number): Promise<LoadFigures> {
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
async function unloadedLatency(server: Server): Promise<Unloaded> {
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

async function warmUp(server: Server) {
  await runLoad(server, 'max', WARMUP_S);
}

export interface HttpResult {
  baseline: { name: string };
  targets: { maxRps: number; p99MsAtFixedRate: number; fixedRate: number };
  request: { method: 'POST'; path: string; body: string; connections: number; durationS: number };
  startupMs: Record<string, number>;
  bareMax: LoadFigures;
  runtimeMax: LoadFigures;
  runtimeFixed: LoadFigures;
  bareFixed: LoadFigures;
  /** Informational: one connection, sequential requests (latency without queueing). */
  bareUnloaded: Unloaded;
  runtimeUnloaded: Unloaded;
  throughputRatio: number;
  verdicts: { maxThroughput: string; p99AtFixedRate: string };
  profile: (ProfileSummary & { note: string }) | { skipped: string } | { error: string };
}

function profileMode(): 'auto' | 'always' | 'never' {
  const v = (process.env.LUMINA_BENCH_PROFILE ?? 'auto').toLowerCase();
  return v === 'always' || v === 'never' ? v : 'auto';
}

export async function runFlagsHttp(log: (s: string) => void): Promise<HttpResult> {
  log(
    heading(
      'flags-http — flag evaluation over HTTP on the local runtime, loopback load from another process',
      `POST ${PATH} (JSON context, all 3 conditions run), autocannon ${CONNECTIONS} connections, ${DURATION_S} s per run after a ${WARMUP_S} s warm-up; baseline "bare node http"`,
    ),
  );
  log(`servers: child processes (node --import tsx bench/flags-server.ts); load generator: autocannon in this process (pid ${process.pid})`);
  const startupMs: Record<string, number> = {};

  // Baseline: bare node http, the same runs.
  let bareMax: LoadFigures;
  let bareFixed: LoadFigures;
  let bareUnloaded: Unloaded;
  {
    const bare = await startServer('bare');
    try {
      startupMs.bare = bare.startupMs;
      await checkResponse(bare);
      log(`bare node http up (pid ${bare.pid}) in ${fmt(bare.startupMs / 1000, 1)} s; warm-up, ${DURATION_S} s at max, ${DURATION_S} s at ${FIXED_RATE.toLocaleString('en-US')} req/s, ${SEQUENTIAL} sequential…`);
      await warmUp(bare);
      bareMax = await runLoad(bare, 'max', DURATION_S);
      await sleep(500);
      bareFixed = await runLoad(bare, 'fixed-rate', DURATION_S);
      bareUnloaded = await unloadedLatency(bare);
    } finally {
      await bare.stop();
    }
  }

  // Our stack: max throughput, then a fixed rate.
  let runtimeMax: LoadFigures;
  let runtimeFixed: LoadFigures;
  let runtimeUnloaded: Unloaded;
  let sample = '';
  {
    const rt = await startServer('runtime');
    try {
      startupMs.runtime = rt.startupMs;
      sample = await checkResponse(rt);
      log(`local runtime up (pid ${rt.pid}) in ${fmt(rt.startupMs / 1000, 1)} s; answer: ${sample}`);
      log(`warm-up, ${DURATION_S} s at max, ${DURATION_S} s at ${FIXED_RATE.toLocaleString('en-US')} req/s, ${SEQUENTIAL} sequential…`);
      await warmUp(rt);
      runtimeMax = await runLoad(rt, 'max', DURATION_S);
      await sleep(500);
      runtimeFixed = await runLoad(rt, 'fixed-rate', DURATION_S);
      runtimeUnloaded = await unloadedLatency(rt);
    } finally {
      await rt.stop();
    }
  }

  const throughputRatio = runtimeMax.reqPerSec / bareMax.reqPerSec;
  const maxVerdict = runtimeMax.reqPerSec >= TARGET_MAX_RPS && runtimeMax.errors === 0 && runtimeMax.non2xx === 0 ? 'PASS' : 'MISSED';
  const p99Verdict =
    runtimeFixed.latencyMs.p99 < TARGET_P99_MS && runtimeFixed.autocannonLatencyMs.p99 < TARGET_P99_MS && runtimeFixed.errors === 0 && runtimeFixed.non2xx === 0 && runtimeFixed.achievedRps >= 0.95 * FIXED_RATE
      ? 'PASS'
      : 'MISSED';

  const cpu = (f: LoadFigures) => `${fmt(f.serverCpuUsPerReq, 1)} µs (${fmt(f.serverCpuPct, 0)} %)`;
  const ccpu = (f: LoadFigures) => `${fmt(f.clientCpuUsPerReq, 1)} µs (${fmt(f.clientCpuPct, 0)} %)`;
  const ceiling = (f: LoadFigures) => (f.serverCpuUsPerReq ? `${fmt(1e6 / f.serverCpuUsPerReq, 0)} req/s` : '—');
  const errs = (f: LoadFigures) => `${f.errors} / ${f.timeouts} / ${f.non2xx}`;

  log(`\n(a) max throughput — ${CONNECTIONS} connections, ${DURATION_S} s`);
  log(
    table(
      ['server', 'req/s', '× bare', 'p50 ms', 'p99 ms', 'max ms', '2xx', 'errors / timeouts / non-2xx', 'server CPU per req (% of a core)', 'client CPU per req', 'server-CPU ceiling, 1 core', 'target', 'result'],
      [
        [`${bareMax.server} (baseline)`, fmt(bareMax.reqPerSec, 0), '1.00×', fmt(bareMax.latencyMs.p50, 2), fmt(bareMax.latencyMs.p99, 2), fmt(bareMax.latencyMs.max, 1), String(bareMax.responses2xx), errs(bareMax), cpu(bareMax), ccpu(bareMax), ceiling(bareMax), '—', '—'],
        [
          runtimeMax.server,
          fmt(runtimeMax.reqPerSec, 0),
          ratio(runtimeMax.reqPerSec, bareMax.reqPerSec),
          fmt(runtimeMax.latencyMs.p50, 2),
          fmt(runtimeMax.latencyMs.p99, 2),
          fmt(runtimeMax.latencyMs.max, 1),
          String(runtimeMax.responses2xx),
          errs(runtimeMax),
          cpu(runtimeMax),
          ccpu(runtimeMax),
          ceiling(runtimeMax),
          `≥ ${TARGET_MAX_RPS.toLocaleString('en-US')} req/s`,
          maxVerdict,
        ],
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
  );
  log(
    'server-CPU ceiling = 1 000 000 / server CPU µs per request: the rate one dedicated core could serve if the load generator cost nothing ' +
      '(client and server share this machine\'s CPUs).',
  );
  log(
    `our stack serves ${fmt(100 * throughputRatio, 1)} % of the bare server's rate; per request it costs ${ratio(runtimeMax.serverCpuUsPerReq ?? Number.NaN, bareMax.serverCpuUsPerReq ?? Number.NaN)} the bare server's CPU` +
      ` (${fmt(runtimeMax.serverCpuUsPerReq, 1)} vs ${fmt(bareMax.serverCpuUsPerReq, 1)} µs).`,
  );

  log(`\n(b) fixed rate — overallRate ${FIXED_RATE.toLocaleString('en-US')} req/s, ${CONNECTIONS} connections, ${DURATION_S} s`);
  log(
    table(
      ['server', 'rate asked', 'achieved req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'autocannon p99 ms (CO-corrected, integer ms)', 'errors / timeouts / non-2xx', 'server CPU per req', 'target', 'result'],
      [
        [
          `${bareFixed.server} (baseline)`,
          FIXED_RATE.toLocaleString('en-US'),
          fmt(bareFixed.achievedRps, 0),
          fmt(bareFixed.latencyMs.p50, 2),
          fmt(bareFixed.latencyMs.p90, 2),
          fmt(bareFixed.latencyMs.p99, 2),
          fmt(bareFixed.latencyMs.max, 1),
          fmt(bareFixed.autocannonLatencyMs.p99, 0),
          errs(bareFixed),
          cpu(bareFixed),
          '—',
          bareFixed.latencyMs.p99 < TARGET_P99_MS && bareFixed.autocannonLatencyMs.p99 < TARGET_P99_MS ? '(would pass)' : '(would miss)',
        ],
        [
          runtimeFixed.server,
          FIXED_RATE.toLocaleString('en-US'),
          fmt(runtimeFixed.achievedRps, 0),
          fmt(runtimeFixed.latencyMs.p50, 2),
          fmt(runtimeFixed.latencyMs.p90, 2),
          fmt(runtimeFixed.latencyMs.p99, 2),
          fmt(runtimeFixed.latencyMs.max, 1),
          fmt(runtimeFixed.autocannonLatencyMs.p99, 0),
          errs(runtimeFixed),
          cpu(runtimeFixed),
          `p99 < ${TARGET_P99_MS} ms`,
          p99Verdict,
        ],
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
  );
  log(
    `autocannon's overallRate is a per-connection budget per second (${fmt(FIXED_RATE / CONNECTIONS, 1)} requests for each of the ${CONNECTIONS} connections), ` +
      'sent back to back when each second starts: the server sees bursts with up to 64 requests in flight, not evenly spaced arrivals. ' +
      'The bare server\'s row shows what that pattern costs on this machine without our stack.',
  );

  log(`\n(c) unloaded latency — 1 connection, ${SEQUENTIAL} sequential requests after ${SEQUENTIAL_WARMUP} (informational: no queueing, no concurrency)`);
  log(
    table(
      ['server', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'p50 × bare'],
      [
        [`${LABEL.bare} (baseline)`, fmt(bareUnloaded.p50, 3), fmt(bareUnloaded.p90, 3), fmt(bareUnloaded.p99, 3), fmt(bareUnloaded.max, 2), '1.00×'],
        [LABEL.runtime, fmt(runtimeUnloaded.p50, 3), fmt(runtimeUnloaded.p90, 3), fmt(runtimeUnloaded.p99, 3), fmt(runtimeUnloaded.max, 2), ratio(runtimeUnloaded.p50, bareUnloaded.p50)],
      ],
    ),
  );
  log(`\nmax throughput ≥ ${TARGET_MAX_RPS.toLocaleString('en-US')} req/s: ${maxVerdict}${maxVerdict === 'PASS' ? '' : '  ← MISSED'} (${fmt(runtimeMax.reqPerSec, 0)} req/s)`);
  const saturated = runtimeFixed.achievedRps < 0.95 * FIXED_RATE;
  log(
    `p99 < ${TARGET_P99_MS} ms at ${FIXED_RATE.toLocaleString('en-US')} req/s: ${p99Verdict}${p99Verdict === 'PASS' ? '' : '  ← MISSED'} ` +
      `(p99 ${fmt(runtimeFixed.latencyMs.p99, 2)} ms, achieved ${fmt(runtimeFixed.achievedRps, 0)} of ${FIXED_RATE.toLocaleString('en-US')} req/s${saturated ? ': the server is saturated, the latency is queueing' : ''})`,
  );

  // Where the time goes: a separate, profiled max-throughput run (does not change the figures above).
  let profile: HttpResult['profile'];
  const mode = profileMode();
  const missed = maxVerdict !== 'PASS' || p99Verdict !== 'PASS';
  if (mode === 'never' || (mode === 'auto' && !missed)) {
    profile = { skipped: mode === 'never' ? 'LUMINA_BENCH_PROFILE=never' : 'all targets met (LUMINA_BENCH_PROFILE=always to profile anyway)' };
  } else {
    try {
      profile = await profileRun(log);
    } catch (e) {
      profile = { error: (e as Error).message };
      log(`\nprofiling run failed: ${(e as Error).message}`);
    }
  }

  return {
    baseline: { name: 'bare node http' },
    targets: { maxRps: TARGET_MAX_RPS, p99MsAtFixedRate: TARGET_P99_MS, fixedRate: FIXED_RATE },
    request: { method: 'POST', path: PATH, body: BODY, connections: CONNECTIONS, durationS: DURATION_S },
    startupMs,
    bareMax,
    runtimeMax,
    runtimeFixed,
    bareFixed,
    bareUnloaded,
    runtimeUnloaded,
    throughputRatio,
    verdicts: { maxThroughput: maxVerdict, p99AtFixedRate: p99Verdict },
    profile,
  };
}

async function profileRun(log: (s: string) => void): Promise<ProfileSummary & { note: string }> {
  mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
  const file = join(repoRoot, 'bench', 'results', `flags-http-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
  log(
    heading(
      'flags-http — where the time goes',
      `a separate ${DURATION_S} s max-throughput run against a fresh runtime child, V8 CPU profiler (node:inspector, 500 µs sampling) on only during the load`,
    ),
  );
  const rt = await startServer('runtime');
  let profiled: LoadFigures;
  try {
    await checkResponse(rt);
    await warmUp(rt);
    await rt.command('profile-start 500');
    profiled = await runLoad(rt, 'max', DURATION_S);
    await rt.command(`profile-stop ${file}`, 60_000);
  } finally {
    await rt.stop();
  }
  const s = summarizeCpuProfile(file, repoRoot, 20);
  const note = `profiled run: ${fmt(profiled.reqPerSec, 0)} req/s (profiler on), server CPU ${fmt(profiled.serverCpuUsPerReq, 1)} µs/req; ${s.samples} samples over ${fmt(s.durationS, 1)} s, idle ${fmt(s.idlePct, 1)} %; profile: ${file} (open in Chrome DevTools / speedscope)`;
  log(note);
  // Busy samples ≈ the child's CPU time, so a share of busy × CPU µs per request ≈ µs per request.
  const usPerReq = profiled.serverCpuUsPerReq;
  const shareRows = (xs: { name: string; where: string; pctAll: number; pctBusy: number }[], withWhere: boolean) =>
    xs.map((x) => [x.name, ...(withWhere ? [x.where] : []), `${fmt(x.pctBusy, 1)} %`, usPerReq === null ? '—' : fmt((x.pctBusy / 100) * usPerReq, 1)]);
  const cols = ['% of busy', '≈ µs/req'];
  log('\ntop self time (functions)');
  log(table(['function', 'where', ...cols], shareRows(s.topSelf, true), ['l', 'l', 'r', 'r']));
  log('\nself time by area');
  log(table(['area', ...cols], shareRows(s.byArea.filter((a) => a.name !== '(idle)').slice(0, 20), false), ['l', 'r', 'r']));
  log('\ninclusive time of our files (on the stack)');
  log(table(['file', ...cols], shareRows(s.oursInclusiveFiles.slice(0, 15), false), ['l', 'r', 'r']));
  log('\ninclusive time of our functions (on the stack)');
  log(table(['function', 'where', ...cols], shareRows(s.oursInclusiveFunctions, true), ['l', 'l', 'r', 'r']));
  return { ...s, note };
}
