import { FlagdCore } from '@openfeature/flagd-core';
import { compileFlagd } from '../core/flags/flagd/compile.js';
import type { FlagSet } from '../core/flags/model.js';
import { compileSeed } from '../core/flags/seed/compile.js';
import { evaluateFlag } from '../core/flags/service.js';
import { type BenchContext, FLAGD_DOC, FRACTIONAL_FLAG, makeContexts, SEED_DOC, STATIC_FLAG, TARGETED_FLAG } from './flags-fixture.js';
import { fmt, heading, max, median, min, table } from './util.js';

/**
 * In-process flag evaluation, per call: our flagd compiler (core/flags/flagd) against the reference
 * in-process evaluator @openfeature/flagd-core 4.0.1 on the same flagd document (bench/flags-fixture.ts)
 * and the same 1000 contexts, cycled in the same order.
 *
 * - ours: `evaluateFlag(set, key, ctx, nowS)` with the clock as a function — what the HTTP handler does
 *   per request (flag lookup by key + evaluate); the clock is read only when a rule uses the time
 *   (flagd-core reads Date.now() itself for targeted flags).
 * - flagd-core: `resolveBooleanEvaluation` / `resolveStringEvaluation(key, default, ctx, logger)`.
 * - Each (engine, flag) pair runs in its own freshly compiled loop (own inline caches), after a warm-up
 *   of every engine on every flag (the shared code paths have seen all flag kinds, as in a service).
 *   5 rounds of ≥ 200 000 calls each, engines alternating within a round; figure = median ns/call.
 * - Agreement: value and variant on each of the 1000 contexts (reasons differ by design for fractional:
 *   we report SPLIT where flagd-core reports TARGETING_MATCH).
 * - Informational: ours with nowSeconds computed once ("w/o clock read": the evaluator proper) and the cost
 *   of the clock read itself, so a verdict decided by Date.now() is visible as such.
 */

const CONTEXTS = 1000;
const ROUNDS = 5;
const MIN_CALLS = 200_000;
/** Calls per round grow (up to MAX_CALLS) until a round lasts ≥ ~100 ms, so fast paths are not timer noise. */
const TARGET_ROUND_MS = 100;
const MAX_CALLS = 4_000_000;
const WARMUP_CALLS = 100_000;
const SPEEDUP_TARGET = 2;

type Engine = 'ours' | 'flagd-core' | 'ours (seed format)' | 'ours, time passed in' | 'clock read';
type Outcome = { value?: unknown; variant?: string | undefined; reason?: string };
type Call = (ctx: BenchContext) => Outcome;
type Loop = (call: Call, ctxs: readonly BenchContext[], n: number) => number;

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * A loop compiled from its own source text (a tag makes it unique, so V8 neither caches nor shares it):
 * its call site sees exactly one callee. `acc` consumes every result so nothing is optimised away.
 */
function makeLoop(tag: string): Loop {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(
    'call',
    'ctxs',
    'n',
    `"use strict"; /* ${tag} */
    let acc = 0;
    let j = 0;
    const m = ctxs.length;
    for (let i = 0; i < n; i++) {
      const r = call(ctxs[j]);
      acc += r.reason.length;
      if (++j === m) j = 0;
    }
    return acc;`,
  ) as Loop;
}

interface Subject {
  engine: Engine;
  call: Call;
  loop: Loop;
  ns: number[];
  calls: number;
}

export interface EvalRow {
  flag: string;
  kind: string;
  oursEngine: Engine;
  oursNs: number;
  flagdCoreNs: number;
  speedup: number;
  /** Ours with `nowSeconds` computed once (no clock read per call): the evaluator proper. */
  oursNoClockNs: number;
  speedupNoClock: number;
  oursRoundsNs: number[];
  flagdCoreRoundsNs: number[];
  callsPerRound: { ours: number; flagdCore: number };
  mismatches: number;
  reasonDifferences: number;
  outcomes: Record<string, number>;
  informational: boolean;
  verdict: string;
}

export interface EvalResult {
  baseline: { name: string };
  target: { speedup: number };
  contexts: number;
  rounds: number;
  minCallsPerRound: number;
  /** ns per `Math.floor(Date.now() / 1000)` on this machine (included in every "ours" figure). */
  clockReadNs: number;
  rows: EvalRow[];
}

let sink = 0;

const subjectOf = (engine: Engine, call: Call, tag: string): Subject => ({ engine, call, loop: makeLoop(tag), ns: [], calls: MIN_CALLS });

function timeRound(s: Subject, ctxs: readonly BenchContext[]): number {
  const t0 = process.hrtime.bigint();
  sink += s.loop(s.call, ctxs, s.calls);
  const ns = Number(process.hrtime.bigint() - t0);
  return ns / s.calls;
}

/** Grows the per-round call count so a round lasts about TARGET_ROUND_MS (never below MIN_CALLS). */
function calibrate(s: Subject, ctxs: readonly BenchContext[]) {
  const nsPerCall = timeRound({ ...s, calls: MIN_CALLS }, ctxs);
  const wanted = Math.ceil((TARGET_ROUND_MS * 1e6) / Math.max(nsPerCall, 1) / 100_000) * 100_000;
  s.calls = Math.min(MAX_CALLS, Math.max(MIN_CALLS, wanted));
}

const key = (o: Outcome) => `${JSON.stringify(o.value)}\u0000${o.variant ?? ''}`;

export async function runFlagsEval(log: (s: string) => void): Promise<EvalResult> {
  log(
    heading(
      'flags-eval — in-process flag evaluation per call: ours vs @openfeature/flagd-core 4.0.1 (baseline)',
      `same flagd document, ${CONTEXTS} varied contexts cycled; ${ROUNDS} rounds × ≥ ${MIN_CALLS.toLocaleString('en-US')} calls, median; target ≥ ${SPEEDUP_TARGET}× faster`,
    ),
  );
  const ctxs = makeContexts(CONTEXTS);
  const text = JSON.stringify(FLAGD_DOC);
  const core = new FlagdCore(undefined, silent);
  core.setConfigurations(text);
  const ours: FlagSet = compileFlagd(JSON.parse(text));
  const seed: FlagSet = compileSeed(structuredClone(SEED_DOC));
  const nowS = () => Math.floor(Date.now() / 1000);

  const oursCall = (set: FlagSet, flagKey: string): Call => (c) => evaluateFlag(set, flagKey, c, nowS);
  const fixedNow = nowS();
  const oursNoClock = (set: FlagSet, flagKey: string): Call => (c) => evaluateFlag(set, flagKey, c, fixedNow);
  const clockOutcome: Outcome = { reason: 'CLOCK' };
  let clockSink = 0;
  const clock = subjectOf('clock read', () => ((clockSink += nowS()), clockOutcome), 'clock read');
  const coreBool = (flagKey: string): Call => (c) => core.resolveBooleanEvaluation(flagKey, false, c, silent);
  const coreString = (flagKey: string): Call => (c) => core.resolveStringEvaluation(flagKey, '', c, silent);

  const cases: { flag: string; kind: string; informational: boolean; ours: Subject; ref: Subject; noClock: Subject }[] = [];
  const add = (flag: string, kind: string, oursEngine: Engine, set: FlagSet, rc: Call, informational = false) =>
    cases.push({
      flag,
      kind,
      informational,
      ours: subjectOf(oursEngine, oursCall(set, flag), `${oursEngine} ${flag} ${kind}`),
      ref: subjectOf('flagd-core', rc, `flagd-core ${flag} ${kind}`),
      noClock: subjectOf('ours, time passed in', oursNoClock(set, flag), `no clock ${oursEngine} ${flag} ${kind}`),
    });
  add(STATIC_FLAG, 'static (no targeting)', 'ours', ours, coreBool(STATIC_FLAG));
  add(TARGETED_FLAG, 'rule-targeted (if: in, ==, starts_with)', 'ours', ours, coreBool(TARGETED_FLAG));
  add(FRACTIONAL_FLAG, 'fractional (4 variants by targetingKey)', 'ours', ours, coreString(FRACTIONAL_FLAG));
  add(TARGETED_FLAG, 'seed format, same rule (compileSeed)', 'ours (seed format)', seed, coreBool(TARGETED_FLAG), true);
  const all = (c: (typeof cases)[number]) => [c.ours, c.ref, c.noClock];

  // Agreement on the 1000 contexts (value + variant), before any timing.
  const agreement = cases.map((c) => {
    let mismatches = 0;
    let reasonDifferences = 0;
    const outcomes: Record<string, number> = {};
    const examples: string[] = [];
    for (const ctx of ctxs) {
      const a = c.ours.call(ctx);
      const b = c.ref.call(ctx);
      if (key(a) !== key(b)) {
        mismatches++;
        if (examples.length < 3) examples.push(`${JSON.stringify(ctx)}: ours ${JSON.stringify({ value: a.value, variant: a.variant })}, flagd-core ${JSON.stringify({ value: b.value, variant: b.variant })}`);
      }
      const ra = a.reason === 'SPLIT' ? 'TARGETING_MATCH' : a.reason;
      if (ra !== b.reason) reasonDifferences++;
      const v = String(a.variant ?? '(none)');
      outcomes[v] = (outcomes[v] ?? 0) + 1;
    }
    return { mismatches, reasonDifferences, outcomes, examples };
  });

  // Warm-up: every engine on every flag, so shared code has seen all flag kinds before any timing.
  for (let pass = 0; pass < 2; pass++) {
    for (const c of cases) for (const s of all(c)) sink += s.loop(s.call, ctxs, WARMUP_CALLS);
    sink += clock.loop(clock.call, ctxs, WARMUP_CALLS);
  }
  for (const c of cases) for (const s of all(c)) calibrate(s, ctxs);
  calibrate(clock, ctxs);

  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      const order = round % 2 === 0 ? [c.ours, c.ref, c.noClock] : [c.noClock, c.ref, c.ours];
      for (const s of order) s.ns.push(timeRound(s, ctxs));
    }
    clock.ns.push(timeRound(clock, ctxs));
  }
  const clockReadNs = median(clock.ns);
  sink += clockSink;

  const rows: EvalRow[] = cases.map((c, i) => {
    const oursNs = median(c.ours.ns);
    const refNs = median(c.ref.ns);
    const speedup = refNs / oursNs;
    const oursNoClockNs = median(c.noClock.ns);
    const a = agreement[i]!;
    return {
      flag: c.flag,
      kind: c.kind,
      oursEngine: c.ours.engine,
      oursNs,
      flagdCoreNs: refNs,
      speedup,
      oursNoClockNs,
      speedupNoClock: refNs / oursNoClockNs,
      oursRoundsNs: c.ours.ns,
      flagdCoreRoundsNs: c.ref.ns,
      callsPerRound: { ours: c.ours.calls, flagdCore: c.ref.calls },
      mismatches: a.mismatches,
      reasonDifferences: a.reasonDifferences,
      outcomes: a.outcomes,
      informational: c.informational,
      verdict: c.informational ? 'info' : Number.isFinite(speedup) && speedup >= SPEEDUP_TARGET ? 'PASS' : 'MISSED',
    };
  });

  log('');
  log(
    table(
      ['flag', 'kind', 'ours ns/call', 'flagd-core ns/call (baseline)', 'speed-up', 'target', 'result', `mismatches /${CONTEXTS}`, 'ours w/o clock read', 'speed-up w/o clock'],
      rows.map((r) => [
        r.flag,
        r.informational ? `${r.kind} — informational` : r.kind,
        fmt(r.oursNs, 1),
        fmt(r.flagdCoreNs, 1),
        `${fmt(r.speedup, 2)}×`,
        r.informational ? '—' : `≥ ${SPEEDUP_TARGET}×`,
        r.verdict,
        String(r.mismatches),
        fmt(r.oursNoClockNs, 1),
        `${fmt(r.speedupNoClock, 2)}×`,
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'r'],
    ),
  );
  log(
    `\n"ours" = evaluateFlag(set, key, ctx, nowS) per call with the clock passed as a function, as the HTTP handler does (read only when a rule uses the time; a read costs ${fmt(clockReadNs, 1)} ns here). ` +
      `"w/o clock read": a fixed number instead — informational.`,
  );
  log('\nrounds (ns/call, min–max of 5) and calls per round');
  log(
    table(
      ['flag', 'kind', 'ours min–max', 'flagd-core min–max', 'calls/round ours', 'calls/round flagd-core', `variants served (ours, ${CONTEXTS} contexts)`],
      rows.map((r) => [
        r.flag,
        r.oursEngine === 'ours (seed format)' ? 'seed format' : r.kind.split(' (')[0]!,
        `${fmt(min(r.oursRoundsNs), 1)}–${fmt(max(r.oursRoundsNs), 1)}`,
        `${fmt(min(r.flagdCoreRoundsNs), 1)}–${fmt(max(r.flagdCoreRoundsNs), 1)}`,
        r.callsPerRound.ours.toLocaleString('en-US'),
        r.callsPerRound.flagdCore.toLocaleString('en-US'),
        Object.entries(r.outcomes)
          .sort(([x], [y]) => (x < y ? -1 : 1))
          .map(([v, n]) => `${v} ${n}`)
          .join(', '),
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  const totalMismatches = rows.reduce((s, r) => s + r.mismatches, 0);
  log(`\nvalue/variant mismatches vs flagd-core: ${totalMismatches} (of ${rows.length} × ${CONTEXTS} evaluations)${totalMismatches ? '  ← MISMATCH' : ''}`);
  for (const [i, a] of agreement.entries()) for (const e of a.examples) log(`  ${rows[i]!.flag} (${rows[i]!.oursEngine}): ${e}`);
  const reasonNotes = rows.filter((r) => r.reasonDifferences > 0).map((r) => `${r.flag} (${r.oursEngine}) ${r.reasonDifferences}`);
  log(
    `reasons differing after mapping our SPLIT to flagd-core's TARGETING_MATCH: ${reasonNotes.length ? reasonNotes.join('; ') : 'none'}` +
      (reasonNotes.length ? ' (the seed format reports DEFAULT when no rule matched, flagd TARGETING_MATCH for the if-branch "off")' : ''),
  );
  const scored = rows.filter((r) => !r.informational);
  const missed = scored.filter((r) => r.verdict !== 'PASS');
  log(
    `\nspeed-up ≥ ${SPEEDUP_TARGET}× on each flagd flag: ${missed.length ? `MISSED (${missed.map((r) => `${r.flag} ${fmt(r.speedup, 2)}×`).join(', ')})` : 'PASS'} — ` +
      `${scored.map((r) => `${r.flag} ${fmt(r.speedup, 2)}×`).join(', ')}`,
  );
  if (sink === 42) log(''); // keeps `sink` observable

  return { baseline: { name: '@openfeature/flagd-core 4.0.1' }, target: { speedup: SPEEDUP_TARGET }, contexts: CONTEXTS, rounds: ROUNDS, minCallsPerRound: MIN_CALLS, clockReadNs, rows };
}
