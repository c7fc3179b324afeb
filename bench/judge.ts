import { judge, parseJudgeConfig, type JudgeConfigInput, type JudgeSamples, type Judgement } from '../core/judge/index.js';
import { criticalCount, exactCdf } from '../core/judge/mann-whitney.js';
import { bernoulli, latencies, mulberry32, normals } from '../test/fixtures/judge/generate.js';
import { fmt, heading, max, median, min, ratio, table } from './util.js';

/**
 * Baseline-vs-canary judge (core/judge), per judgement of one interval: 20 metrics × 2 sides × 500 samples
 * (8 log-normal latencies, 3 of them 30 % slower on the canary; 4 mostly-zero 0/1 error series — heavy ties;
 * 4 throughputs; 4 CPU series), generated from a fixed seed.
 *
 * - ours: `judge(config, samples)` — config parse, cleaning, sorting, Mann-Whitney, Hodges–Lehmann with CI, scoring
 *   and the explanations; exactly what the analysis step will call.
 * - baseline (named): "naive" — the textbook way to the same statistics per metric: U by comparing all m·n pairs,
 *   and the Hodges–Lehmann estimate and CI limits read from all m·n differences materialised and sorted.
 * - floor (informational): "sort only" — dropping non-finite values and sorting the 40 arrays, which any
 *   rank-based judge must do; ours/floor says how much the statistics add on top.
 * - Agreement: the naive U, estimate and CI limits must equal ours on every metric (same order statistics).
 * - Rounds: ROUNDS rounds, subjects alternating order; each round repeats a subject until ≥ ROUND_MS elapsed;
 *   figure = median ms per judgement over the rounds.
 * - Informational: an exact-path interval (20 metrics × 2 × 40 samples, exact U distribution, cached) and the
 *   one-off cost of building one exact distribution (49 × 50) on first use.
 */

const METRICS = 20;
const SAMPLES = 500;
const ROUNDS = 7;
const ROUND_MS = 250;
const TARGET_MS = 50;

export interface JudgeBenchRow {
  subject: string;
  msPerJudgement: number;
  roundsMs: number[];
  callsPerRound: number;
  /** This row's time ÷ ours (> 1: ours is faster); null for ours itself. */
  oursSpeedup: number | null;
  informational: boolean;
}

export interface JudgeBenchResult {
  baseline: { name: string };
  target: { msPerJudgement: number };
  shape: { metrics: number; samplesPerSide: number };
  rows: JudgeBenchRow[];
  msPerJudgement: number;
  speedupOverNaive: number;
  overFloor: number;
  exactPathMsPerJudgement: number;
  coldExactDistributionMs: number;
  mismatches: number;
  score: number;
  classification: string;
  verdict: 'PASS' | 'MISSED';
}

function scenario(samplesPerSide: number, seed: number): { config: JudgeConfigInput; samples: JudgeSamples } {
  const rand = mulberry32(seed);
  const metrics: NonNullable<JudgeConfigInput['metrics']> = [];
  const samples: Record<string, { canary: number[]; baseline: number[] }> = {};
  for (let i = 0; i < METRICS; i++) {
    const name = `metric${i}`;
    if (i < 8) {
      metrics.push({ name, label: `latency ${i}`, group: 'latency', allowedIncreasePct: 20, critical: i === 0 });
      samples[name] = { canary: latencies(rand, samplesPerSide, i < 3 ? 130 : 100), baseline: latencies(rand, samplesPerSide, 100) };
    } else if (i < 12) {
      metrics.push({ name, label: `errors ${i}`, group: 'errors', allowedIncreasePct: 0, noData: 'count' });
      samples[name] = { canary: bernoulli(rand, samplesPerSide, 0.02), baseline: bernoulli(rand, samplesPerSide, 0.02) };
    } else if (i < 16) {
      metrics.push({ name, label: `throughput ${i}`, group: 'traffic', direction: 'decrease' });
      samples[name] = { canary: normals(rand, samplesPerSide, 500, 40), baseline: normals(rand, samplesPerSide, 500, 40) };
    } else {
      metrics.push({ name, label: `cpu ${i}`, group: 'resources', direction: 'either', allowedIncreasePct: 25, allowedDecreasePct: 50 });
      samples[name] = { canary: normals(rand, samplesPerSide, 40, 8), baseline: normals(rand, samplesPerSide, 40, 8) };
    }
  }
  const groups = [
    { name: 'latency', weight: 40 },
    { name: 'errors', weight: 40 },
    { name: 'traffic', weight: 10 },
    { name: 'resources', weight: 10 },
  ];
  return { config: { metrics, groups, thresholds: { pass: 90, marginal: 60 } }, samples };
}

const finiteSorted = (xs: readonly (number | null)[]) => Float64Array.from(xs.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))).sort();

interface NaiveMetric {
  u: number;
  estimate: number;
  lower: number | null;
  upper: number | null;
}

/** The same statistics the textbook way: O(mn) pair comparisons for U, O(mn log mn) sort of all differences for HL. */
function naiveJudge(config: JudgeConfigInput, samples: JudgeSamples): NaiveMetric[] {
  const cfg = parseJudgeConfig(config);
  return cfg.metrics.map((metric) => {
    const x = finiteSorted(samples[metric.name]?.canary ?? []);
    const y = finiteSorted(samples[metric.name]?.baseline ?? []);
    let u = 0;
    for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) u += x[i]! > y[j]! ? 1 : x[i] === y[j] ? 0.5 : 0;
    const d = new Float64Array(x.length * y.length);
    let p = 0;
    for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) d[p++] = x[i]! - y[j]!;
    d.sort();
    const mn = d.length;
    const estimate = mn % 2 ? d[(mn - 1) / 2]! : d[mn / 2 - 1]! / 2 + d[mn / 2]! / 2;
    const { k } = criticalCount(x.length, y.length, metric.confidence);
    return { u, estimate, lower: k ? d[k - 1]! : null, upper: k ? d[mn - k]! : null };
  });
}

function sortOnly(samples: JudgeSamples): number {
  let acc = 0;
  for (const s of Object.values(samples)) {
    acc += finiteSorted(s?.canary ?? [])[0]!;
    acc += finiteSorted(s?.baseline ?? [])[0]!;
  }
  return acc;
}

let sink = 0;

interface Subject {
  name: string;
  informational: boolean;
  call: () => unknown;
  calls: number;
  ms: number[];
}

function timeRound(s: Subject): number {
  const t0 = performance.now();
  for (let i = 0; i < s.calls; i++) sink += s.call() === null ? 1 : 0;
  return (performance.now() - t0) / s.calls;
}

function calibrate(s: Subject) {
  const t0 = performance.now();
  s.call();
  const once = Math.max(performance.now() - t0, 0.001);
  s.calls = Math.max(1, Math.ceil(ROUND_MS / once));
}

export async function runJudge(log: (s: string) => void = console.log): Promise<JudgeBenchResult> {
  log(
    heading(
      `judge — baseline-vs-canary judgement of one interval: ${METRICS} metrics × 2 sides × ${SAMPLES} samples`,
      `ours (core/judge) vs a naive O(mn) implementation of the same statistics (baseline); ${ROUNDS} rounds ≥ ${ROUND_MS} ms, median; target ≤ ${TARGET_MS} ms per judgement`,
    ),
  );
  // one-off: an exact distribution not built yet in this process (49 × 50 is not used anywhere else here)
  const c0 = performance.now();
  sink += exactCdf(49, 50)[0]!;
  const coldExactDistributionMs = performance.now() - c0;

  const { config, samples } = scenario(SAMPLES, 42);
  const small = scenario(40, 43);

  // Agreement before timing: the naive statistics must equal ours on every metric.
  const ours: Judgement = judge(config, samples);
  const naive = naiveJudge(config, samples);
  let mismatches = 0;
  const examples: string[] = [];
  ours.metrics.forEach((m, i) => {
    const n = naive[i]!;
    const same = m.test?.u === n.u && m.shift?.estimate === n.estimate && m.shift?.lower === n.lower && m.shift?.upper === n.upper;
    if (!same) {
      mismatches++;
      if (examples.length < 3) examples.push(`${m.metric}: ours ${JSON.stringify({ u: m.test?.u, ...m.shift })}, naive ${JSON.stringify(n)}`);
    }
  });

  const subjects: Subject[] = [
    { name: 'ours: judge()', informational: false, call: () => judge(config, samples), calls: 1, ms: [] },
    { name: 'naive O(mn) statistics (baseline)', informational: false, call: () => naiveJudge(config, samples), calls: 1, ms: [] },
    { name: 'sort only (floor)', informational: true, call: () => sortOnly(samples), calls: 1, ms: [] },
    { name: `ours, exact path (${METRICS} × 2 × 40)`, informational: true, call: () => judge(small.config, small.samples), calls: 1, ms: [] },
  ];
  for (let pass = 0; pass < 3; pass++) for (const s of subjects) s.call(); // warm-up
  for (const s of subjects) calibrate(s);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    for (const s of order) s.ms.push(timeRound(s));
  }

  const oursMs = median(subjects[0]!.ms);
  const rows: JudgeBenchRow[] = subjects.map((s, i) => ({
    subject: s.name,
    msPerJudgement: median(s.ms),
    roundsMs: s.ms,
    callsPerRound: s.calls,
    oursSpeedup: i === 0 ? null : median(s.ms) / oursMs,
    informational: s.informational,
  }));
  const naiveMs = rows[1]!.msPerJudgement;
  const floorMs = rows[2]!.msPerJudgement;
  const verdict = oursMs <= TARGET_MS ? 'PASS' : 'MISSED';

  log('');
  log(
    table(
      ['subject', 'ms/judgement (median)', 'min–max over rounds', 'calls/round', 'time ÷ ours'],
      rows.map((r, i) => [
        r.subject,
        fmt(r.msPerJudgement, 2),
        `${fmt(min(r.roundsMs), 2)}–${fmt(max(r.roundsMs), 2)}`,
        String(r.callsPerRound),
        ratio(r.msPerJudgement, oursMs),
      ]),
      ['l', 'r', 'r', 'r', 'l'],
    ),
  );
  log(
    `\nours ${fmt(oursMs, 2)} ms per judgement: ${ratio(naiveMs, oursMs)} faster than the naive baseline, ${ratio(oursMs, floorMs)} the cost of sorting alone; ` +
      `target ≤ ${TARGET_MS} ms: ${verdict}`,
  );
  log(`exact path (≤ 50 per side, U distribution cached): ${fmt(rows[3]!.msPerJudgement, 2)} ms per judgement; building one exact distribution (49 × 50) cold: ${fmt(coldExactDistributionMs, 2)} ms, once per sample-size pair`);
  log(`agreement with the naive statistics (U, estimate, CI limits on ${METRICS} metrics): ${mismatches ? `${mismatches} MISMATCH(ES)` : 'identical'}`);
  for (const e of examples) log(`  ${e}`);
  log(`judgement of the scenario: score ${ours.score} (${ours.classification}) — ${ours.explanation}`);
  if (sink === 42) log(''); // keeps `sink` observable

  return {
    baseline: { name: 'naive O(mn) statistics: all-pairs U + sorted pairwise differences' },
    target: { msPerJudgement: TARGET_MS },
    shape: { metrics: METRICS, samplesPerSide: SAMPLES },
    rows,
    msPerJudgement: oursMs,
    speedupOverNaive: naiveMs / oursMs,
    overFloor: oursMs / floorMs,
    exactPathMsPerJudgement: rows[3]!.msPerJudgement,
    coldExactDistributionMs,
    mismatches,
    score: ours.score,
    classification: ours.classification,
    verdict,
  };
}

/** Same function under the name the brief asked for; bench/run.ts registers `runJudge` like the other benchmarks. */
