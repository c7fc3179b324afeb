import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProfileSummary, summarizeCpuProfile } from './cpuprofile.js';
import { CONNECTIONS, DURATION_S, FIXED_RATE, SEQUENTIAL, SEQUENTIAL_WARMUP, WARMUP_S, runLoad, runPaced, unloadedLatency, warmUp, type LoadFigures, type Unloaded } from './flags-http-load.js';
import { BODY, LABEL, PATH, checkResponse, startServer } from './flags-http-servers.js';
import { fmt, heading, ratio, sleep, table } from './util.js';

/**
 * Flag evaluation over HTTP on the local runtime, loaded over loopback from another process.
 *
 * - Servers run as child processes (bench/flags-server.ts under `node --import tsx`): the local runtime
 *   (startRuntime, in-memory, no services, no synthetic traffic, flags published with rt.flags.publish) and,
 *   as the baseline, a bare node:http server answering a constant JSON of the same size class.
 * - The load generator is autocannon, in this (the benchmark) process: POST
 *   /ofrep/v1/evaluate/flags/<targeted flag> with a fixed JSON context that runs all three conditions.
 *   (a) max throughput: 64 connections, 10 s; (b) fixed rate: 5 000 req/s evenly paced, open loop, latency
 *   from each request's due time (bench/paced-load.ts), up to 64 connections, 10 s — the p99 target is judged
 *   here; (b′) informational: autocannon's overallRate 5 000, which arrives as a burst each second;
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


const TARGET_MAX_RPS = 20_000;
const TARGET_P99_MS = 5;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface HttpResult {
  baseline: { name: string };
  targets: { maxRps: number; p99MsAtFixedRate: number; fixedRate: number };
  request: { method: 'POST'; path: string; body: string; connections: number; durationS: number };
  startupMs: Record<string, number>;
  bareMax: LoadFigures;
  runtimeMax: LoadFigures;
  /** autocannon overallRate: bursts (informational). */
  runtimeFixed: LoadFigures;
  bareFixed: LoadFigures;
  /** Evenly paced open-loop fixed rate: the p99 target. */
  runtimePaced: LoadFigures;
  barePaced: LoadFigures;
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
  let barePaced: LoadFigures;
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
      await sleep(500);
      barePaced = await runPaced(bare);
      bareUnloaded = await unloadedLatency(bare);
    } finally {
      await bare.stop();
    }
  }

  // Our stack: max throughput, then a fixed rate.
  let runtimeMax: LoadFigures;
  let runtimeFixed: LoadFigures;
  let runtimePaced: LoadFigures;
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
      await sleep(500);
      runtimePaced = await runPaced(rt);
      runtimeUnloaded = await unloadedLatency(rt);
    } finally {
      await rt.stop();
    }
  }

  const throughputRatio = runtimeMax.reqPerSec / bareMax.reqPerSec;
  const maxVerdict = runtimeMax.reqPerSec >= TARGET_MAX_RPS && runtimeMax.errors === 0 && runtimeMax.non2xx === 0 ? 'PASS' : 'MISSED';
  const p99Verdict =
    runtimePaced.latencyMs.p99 < TARGET_P99_MS && runtimePaced.errors === 0 && runtimePaced.non2xx === 0 && runtimePaced.achievedRps >= 0.95 * FIXED_RATE ? 'PASS' : 'MISSED';

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

  log(`\n(b) fixed rate — ${FIXED_RATE.toLocaleString('en-US')} req/s evenly paced (open loop, latency from each request's due time), up to ${CONNECTIONS} connections, ${DURATION_S} s`);
  const pacedRow = (f: LoadFigures, label: string, target: string, result: string) => [
    label,
    fmt(f.achievedRps, 0),
    fmt(f.latencyMs.p50, 2),
    fmt(f.latencyMs.p90, 2),
    fmt(f.latencyMs.p99, 2),
    fmt(f.latencyMs.p999, 2),
    fmt(f.latencyMs.max, 1),
    `${f.errors} / ${f.non2xx}`,
    cpu(f),
    ccpu(f),
    target,
    result,
  ];
  log(
    table(
      ['server', 'achieved req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors / non-2xx', 'server CPU per req', 'client CPU per req', 'target', 'result'],
      [
        pacedRow(barePaced, `${barePaced.server} (baseline)`, '—', barePaced.latencyMs.p99 < TARGET_P99_MS ? '(would pass)' : '(would miss)'),
        pacedRow(runtimePaced, runtimePaced.server, `p99 < ${TARGET_P99_MS} ms`, p99Verdict),
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
  );
  log(`runtime p99 ${ratio(runtimePaced.latencyMs.p99, barePaced.latencyMs.p99)} the bare server's at the same paced rate.`);

  log(`\n(b′) informational: autocannon overallRate ${FIXED_RATE.toLocaleString('en-US')} req/s, ${CONNECTIONS} connections, ${DURATION_S} s`);
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
          '(informational)',
          runtimeFixed.latencyMs.p99 < TARGET_P99_MS && runtimeFixed.autocannonLatencyMs.p99 < TARGET_P99_MS ? '(p99 < 5 ms)' : '(p99 ≥ 5 ms)',
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
  const saturated = runtimePaced.achievedRps < 0.95 * FIXED_RATE;
  log(
    `p99 < ${TARGET_P99_MS} ms at ${FIXED_RATE.toLocaleString('en-US')} req/s: ${p99Verdict}${p99Verdict === 'PASS' ? '' : '  ← MISSED'} ` +
      `(paced: p99 ${fmt(runtimePaced.latencyMs.p99, 2)} ms, achieved ${fmt(runtimePaced.achievedRps, 0)} of ${FIXED_RATE.toLocaleString('en-US')} req/s${saturated ? ': the server is saturated, the latency is queueing' : ''})`,
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
    runtimePaced,
    barePaced,
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
