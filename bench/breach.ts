import type { Runtime } from '../local/runtime.js';
import type { WeightedProxy } from '../local/proxy.js';
import { closeDemo, findRollout, loadDemoConfig, pushImage, startDemo, TRAFFIC_RPS, waitForEnd } from './demo.js';
import { fmt, heading, max, median, min, pollUntil, ratio, sleep, table, verdict, wallMs } from './util.js';

/**
 * Breach-to-safety time: from the first 5xx a faulty canary serves to the proxy sending 100 % to stable.
 * - first 5xx: a wrapper around the proxy's canary observation store (`record` is called with the status just
 *   before the proxy writes the answer to the client, so it is the moment the faulty answer is served). If the
 *   proxy's internals ever change, it falls back to polling `observe('canary', …)` every 20 ms (coarser).
 * - 100 % on stable: `proxy.weights().canary === 0` after it had been > 0, polled every 10 ms.
 */

const RUNS = 5;
const FAULT_RATE = 0.5;
const WEIGHT_POLL_MS = 10;
const OBSERVE_POLL_MS = 20;
const RUN_TIMEOUT_MS = 60_000;

type RecordFn = (at: number, status: number, latencyMs: number | undefined) => void;

/** Wraps the canary store's `record` (a private field of WeightedProxy). Returns an un-hook, or undefined if absent. */
function hookCanaryAnswers(proxy: WeightedProxy, onAnswer: (status: number, at: number) => void): (() => void) | undefined {
  const store = (proxy as unknown as { stores?: { canary?: { record?: RecordFn } } }).stores?.canary;
  const original = store?.record;
  if (!store || typeof original !== 'function') return undefined;
  store.record = function (this: unknown, at, status, latencyMs) {
    onAnswer(status, wallMs());
    return original.call(this, at, status, latencyMs);
  };
  return () => {
    delete (store as { record?: RecordFn }).record; // back to the prototype method
  };
}

export interface BreachRun {
  run: number;
  tag: string;
  rolloutId: string;
  outcome: string | undefined;
  failure: string | undefined;
  detection: 'hook' | 'poll';
  canaryWeightOnAt: number;
  first5xxAt: number;
  stableOnlyAt: number;
  analysisFailedAt: number | null;
  /** Seconds: the benchmark figure. */
  breachToStableS: number;
  weightOnToFirst5xxS: number;
  first5xxToAnalysisFailedS: number | null;
  analysisFailedToStableS: number | null;
  canaryAnswersBeforeStable: number;
  canary5xxBeforeStable: number;
}

export interface BreachResult {
  baseline: { name: 'analysis interval'; seconds: number };
  target: { name: 'analysis interval + 2 s'; seconds: number };
  trafficRps: number;
  faultRate: number;
  startupS: number;
  runs: BreachRun[];
  errors: string[];
  summary: { minS: number; medianS: number; maxS: number; medianToTarget: number; medianToInterval: number; verdict: string } | null;
}

async function oneRun(rt: Runtime, proxy: WeightedProxy, run: number, tag: string): Promise<BreachRun> {
  let first5xxAt: number | undefined;
  let answers = 0;
  let errors5xx = 0;
  let armed = true;
  let detection: 'hook' | 'poll' = 'hook';
  const unhook = hookCanaryAnswers(proxy, (status, at) => {
    if (!armed) return;
    answers++;
    if (status >= 500) {
      errors5xx++;
      first5xxAt ??= at;
    }
  });
  if (!unhook) detection = 'poll';
  try {
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    await pushImage(rt, tag, FAULT_RATE);
    let weightOnAt: number | undefined;
    let stableOnlyAt: number | undefined;
    // One bounded loop: 10 ms weight polling (+ 20 ms observe polling when the hook is unavailable).
    let lastObserve = 0;
    while (stableOnlyAt === undefined) {
      if (Date.now() > deadline) throw new Error(`run ${run}: traffic did not return to 100 % stable within ${RUN_TIMEOUT_MS / 1000} s`);
      const now = wallMs();
      const w = proxy.weights().canary;
      if (w > 0) weightOnAt ??= now;
      else if (weightOnAt !== undefined) stableOnlyAt = now;
      if (!unhook && first5xxAt === undefined && weightOnAt !== undefined && now - lastObserve >= OBSERVE_POLL_MS) {
        lastObserve = now;
        if (proxy.observe('canary', 10_000).errors5xx > 0) first5xxAt = now;
      }
      if (stableOnlyAt === undefined) await sleep(WEIGHT_POLL_MS);
    }
    armed = false;
    const rollout = await waitForEnd(rt, (await findRollout(rt, tag)).rolloutId);
    if (first5xxAt === undefined) throw new Error(`run ${run}: the canary served no 5xx before traffic went back to stable (outcome ${rollout.status.outcome})`);
    const failedEntry = rollout.audit.find((a) => a.action === 'analysis.failed');
    const analysisFailedAt = failedEntry ? Date.parse(failedEntry.at) : null;
    return {
      run,
      tag,
      rolloutId: rollout.rolloutId,
      outcome: rollout.status.outcome,
      failure: rollout.status.failure?.reason,
      detection,
      canaryWeightOnAt: weightOnAt!,
      first5xxAt,
      stableOnlyAt,
      analysisFailedAt,
      breachToStableS: (stableOnlyAt - first5xxAt) / 1000,
      weightOnToFirst5xxS: (first5xxAt - weightOnAt!) / 1000,
      first5xxToAnalysisFailedS: analysisFailedAt === null ? null : (analysisFailedAt - first5xxAt) / 1000,
      analysisFailedToStableS: analysisFailedAt === null ? null : (stableOnlyAt - analysisFailedAt) / 1000,
      canaryAnswersBeforeStable: answers,
      canary5xxBeforeStable: errors5xx,
    };
  } finally {
    armed = false;
    unhook?.();
  }
}

export async function runBreach(log: (s: string) => void): Promise<BreachResult> {
  const config = loadDemoConfig();
  const interval = config.intervalSeconds;
  const target = interval + 2;
  log(
    heading(
      'breach — first faulty answer served by the canary → 100 % on stable',
      `demo config: ${config.stageSeconds} s stages analysed every ${interval} s; ${TRAFFIC_RPS} req/s synthetic load; fault rate ${FAULT_RATE}; ${RUNS} runs`,
    ),
  );
  const { rt, proxy, startupMs } = await startDemo(config);
  const runs: BreachRun[] = [];
  const errors: string[] = [];
  const stamp = Date.now().toString(36);
  try {
    log(`runtime up in ${(startupMs / 1000).toFixed(1)} s (${rt.url}, proxy ${rt.proxies.get('demo')!.url})`);
    for (let i = 1; i <= RUNS; i++) {
      const tag = `breach-${stamp}-${i}`;
      try {
        const r = await oneRun(rt, proxy, i, tag);
        runs.push(r);
        log(`  run ${i}/${RUNS}: ${fmt(r.breachToStableS, 3)} s (${r.outcome ?? 'no outcome'})`);
      } catch (e) {
        errors.push((e as Error).message);
        log(`  run ${i}/${RUNS}: ERROR ${(e as Error).message}`);
        // Make sure the next run starts from a quiet service.
        await pollUntil('the demo service to be free', async () => ((await rt.repo.getService('demo'))?.activeRolloutId ? undefined : true), 200, 60_000).catch(() => undefined);
      }
    }
  } finally {
    await closeDemo(rt);
  }

  const xs = runs.map((r) => r.breachToStableS);
  log('');
  log(
    table(
      ['run', 'tag', 'weight>0 → 1st 5xx s', '1st 5xx → analysis.failed s', 'analysis.failed → 0 % s', 'BREACH → 100 % stable s', '× interval', '× target', 'canary 5xx / answers', 'outcome'],
      runs.map((r) => [
        String(r.run),
        r.tag,
        fmt(r.weightOnToFirst5xxS, 3),
        fmt(r.first5xxToAnalysisFailedS, 3),
        fmt(r.analysisFailedToStableS, 3),
        fmt(r.breachToStableS, 3),
        ratio(r.breachToStableS, interval),
        ratio(r.breachToStableS, target),
        `${r.canary5xxBeforeStable} / ${r.canaryAnswersBeforeStable}`,
        r.outcome ?? '—',
      ]),
      ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  if (runs[0]) log(`failure recorded (run 1): ${runs[0].failure ?? '—'}   [first-5xx detection: ${runs[0].detection}]`);
  let summary: BreachResult['summary'] = null;
  if (xs.length) {
    const med = median(xs);
    summary = { minS: min(xs), medianS: med, maxS: max(xs), medianToTarget: med / target, medianToInterval: med / interval, verdict: verdict(med, target) };
    log('');
    log(
      table(
        ['figure', 'seconds', `× baseline "analysis interval" (${interval} s)`, `× target "interval + 2 s" (${target} s)`],
        [
          ['min', fmt(summary.minS, 3), ratio(summary.minS, interval), ratio(summary.minS, target)],
          ['median', fmt(med, 3), ratio(med, interval), ratio(med, target)],
          ['max', fmt(summary.maxS, 3), ratio(summary.maxS, interval), ratio(summary.maxS, target)],
        ],
      ),
    );
    log(`\nmedian ${fmt(med, 3)} s vs target ≤ ${target} s: ${summary.verdict}${summary.verdict === 'PASS' ? '' : '  ← MISSED'}  (${runs.length}/${RUNS} runs measured)`);
  } else log('\nno run could be measured  ← MISSED');
  for (const e of errors) log(`  ERROR ${e}`);
  return {
    baseline: { name: 'analysis interval', seconds: interval },
    target: { name: 'analysis interval + 2 s', seconds: target },
    trafficRps: TRAFFIC_RPS,
    faultRate: FAULT_RATE,
    startupS: startupMs / 1000,
    runs,
    errors,
    summary,
  };
}
