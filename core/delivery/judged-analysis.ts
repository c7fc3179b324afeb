import { judge, type Classification, type Judgement, type JudgeSamples, type Outcome, type Scoring, type Thresholds } from '../judge/index.js';
import type { Measurement, Verdict } from './analysis.js';
import { judgeModeOf, type AnalysisTemplate, type JudgeMode } from './spec.js';

/**
 * The baseline-versus-canary judge inside an analysis step (pure; the analyse task does the I/O).
 *
 * Samples: one per period (1 s locally, 60 s from CloudWatch) and per side, over the whole analysis step so far:
 * `http5xxRate` = 100 · 5xx / requests, `latencyAvg`, `latencyP99` (ms) of that period. A period without requests
 * (without answered requests, for the latencies) is no observation and is left out.
 *
 * Verdict of one judgement (verdictOf):
 * - a critical metric judged HIGH/LOW → fail, decisive (the analysis fails now, whatever failureLimit says);
 * - a critical metric without data (noData 'fail') → inconclusive while the step runs, a decisive fail at its end;
 * - no metric with enough data → inconclusive (never a pass), counted against inconclusiveLimit;
 * - score ≥ pass → pass;
 * - before the step's end, a lower score without any metric judged HIGH/LOW → inconclusive (only metrics still
 *   without data, noData 'count' or 'fail', keep it down: the window is still filling);
 * - at the step's end (`final`) anything below pass → fail, decisive: a step completes only on a passing judgement;
 * - before it, score ≤ marginal → fail (counted against failureLimit), marginal → inconclusive (as Argo Rollouts maps
 *   a marginal Kayenta score).
 * The judge does not apply at 100 % or without a stable revision (no baseline traffic): the checks decide there.
 */

/** What a source observed for one version in one period. */
export interface SeriesPoint {
  /** ISO start of the period. */
  at: string;
  requests: number;
  errors5xx: number;
  avgLatencyMs: number | null;
  p99LatencyMs: number | null;
}

/** Per-period observations of one version over a window, oldest first. */
export interface MetricSeries {
  from: string;
  to: string;
  stepSeconds: number;
  points: SeriesPoint[];
}

export type SeriesResult = { series: MetricSeries } | { error: string };

export interface JudgedMetric {
  metric: string;
  label: string;
  critical: boolean;
  outcome: Outcome;
  scoring: Scoring;
  /** The judge's sentence, ending with the verdict. */
  explanation: string;
  /** Canary over baseline, % of the baseline's effect measure; null without data or with a baseline of 0. */
  changePct: number | null;
  canary: { n: number; mean: number | null; median: number | null };
  baseline: { n: number; mean: number | null; median: number | null };
}

/** The judgement stored with a measurement: plain JSON (no undefined but `error`, no NaN). */
export interface JudgementRecord {
  mode: JudgeMode;
  /** The judge decides the verdict (modes `judge` and `both`, where it applies); false = recorded only. */
  counts: boolean;
  /** False at 100 % or without a stable revision: there is no baseline traffic to compare with. */
  applicable: boolean;
  /** Made at (or after) the end of the analysis step: below pass is then a fail. */
  final: boolean;
  verdict: Verdict | 'skipped';
  /** The analysis fails on this judgement alone (critical metric, or the step's final judgement). */
  decisive: boolean;
  /** One line: the critical metric's sentence, or the score line. */
  reason: string;
  score: number | null;
  classification: Classification | null;
  thresholds: Thresholds | null;
  insufficientData: boolean;
  criticalFailures: string[];
  explanation: string;
  window: { from: string; to: string; stepSeconds: number; canaryPeriods: number; baselinePeriods: number } | null;
  groups: { group: string; score: number | null; share: number }[];
  metrics: JudgedMetric[];
  error?: string;
}

const finite = (x: number | null): x is number => x !== null && Number.isFinite(x);

/** The judge's samples from the two series: one value per period with traffic. */
export function samplesFromSeries(canary: MetricSeries, baseline: MetricSeries): JudgeSamples {
  const of = (s: MetricSeries) => {
    const served = s.points.filter((p) => p.requests > 0);
    return {
      http5xxRate: served.map((p) => (100 * p.errors5xx) / p.requests),
      latencyAvg: s.points.map((p) => p.avgLatencyMs).filter(finite),
      latencyP99: s.points.map((p) => p.p99LatencyMs).filter(finite),
    };
  };
  const c = of(canary);
  const b = of(baseline);
  return {
    http5xxRate: { canary: c.http5xxRate, baseline: b.http5xxRate },
    latencyAvg: { canary: c.latencyAvg, baseline: b.latencyAvg },
    latencyP99: { canary: c.latencyP99, baseline: b.latencyP99 },
  };
}

export interface JudgeVerdict {
  verdict: 'pass' | 'fail' | 'inconclusive';
  decisive: boolean;
  reason: string;
}

/** The verdict of one judgement, interim or at the step's end (see the rules above). */
export function verdictOf(j: Judgement, final: boolean): JudgeVerdict {
  const critical = j.metrics.filter((m) => m.critical && m.scoring === 'failed');
  const evidence = critical.filter((m) => m.outcome !== 'nodata');
  if (evidence.length) return { verdict: 'fail', decisive: true, reason: evidence.map((m) => m.explanation).join('; ') };
  if (critical.length) return { verdict: final ? 'fail' : 'inconclusive', decisive: final, reason: critical.map((m) => m.explanation).join('; ') };
  if (j.insufficientData) return { verdict: 'inconclusive', decisive: false, reason: j.explanation };
  if (j.metrics.every((m) => m.outcome === 'nodata')) {
    return { verdict: 'inconclusive', decisive: false, reason: `no metric has enough data yet; ${j.metrics[0]?.explanation ?? j.explanation}` };
  }
  if (j.score >= j.thresholds.pass) return { verdict: 'pass', decisive: false, reason: j.explanation };
  // While the step runs, a score kept down only by metrics still without data (noData count/fail) is no regression.
  if (!final && !j.metrics.some((m) => m.outcome === 'high' || m.outcome === 'low')) return { verdict: 'inconclusive', decisive: false, reason: `${j.explanation}; waiting for data` };
  if (final) return { verdict: 'fail', decisive: true, reason: `${j.explanation}; the step ended below pass` };
  if (j.score <= j.thresholds.marginal) return { verdict: 'fail', decisive: false, reason: j.explanation };
  return { verdict: 'inconclusive', decisive: false, reason: j.explanation };
}

const summary = (s: { n: number; mean: number | null; median: number | null }) => ({ n: s.n, mean: s.mean, median: s.median });

function record(mode: JudgeMode, counts: boolean, final: boolean, j: Judgement, v: JudgeVerdict, canary: MetricSeries, baseline: MetricSeries): JudgementRecord {
  return {
    mode,
    counts,
    applicable: true,
    final,
    verdict: v.verdict,
    decisive: counts && v.decisive,
    reason: v.reason,
    score: j.score,
    classification: j.classification,
    thresholds: j.thresholds,
    insufficientData: j.insufficientData,
    criticalFailures: j.criticalFailures,
    explanation: j.explanation,
    window: { from: canary.from, to: canary.to, stepSeconds: canary.stepSeconds, canaryPeriods: canary.points.length, baselinePeriods: baseline.points.length },
    groups: j.groups.map((g) => ({ group: g.group, score: g.score, share: g.share })),
    metrics: j.metrics.map((m) => ({
      metric: m.metric,
      label: m.label,
      critical: m.critical,
      outcome: m.outcome,
      scoring: m.scoring,
      explanation: m.explanation,
      changePct: m.effect?.changePct ?? null,
      canary: summary(m.canary),
      baseline: summary(m.baseline),
    })),
  };
}

const empty = (mode: JudgeMode, final: boolean, verdict: JudgementRecord['verdict'], reason: string): JudgementRecord => ({
  mode,
  counts: false,
  applicable: verdict !== 'skipped',
  final,
  verdict,
  decisive: false,
  reason,
  score: null,
  classification: null,
  thresholds: null,
  insufficientData: true,
  criticalFailures: [],
  explanation: reason,
  window: null,
  groups: [],
  metrics: [],
});

const RANK: Record<'pass' | 'inconclusive' | 'fail', number> = { pass: 0, inconclusive: 1, fail: 2 };
const worse = (a: 'pass' | 'inconclusive' | 'fail', b: 'pass' | 'inconclusive' | 'fail') => (RANK[a] >= RANK[b] ? a : b);

export interface JudgeContext {
  /** The analysis step's time is up (engine.stepTimeUp). */
  final: boolean;
  /** Null when the judge applies; else why not (no baseline traffic). */
  notApplicable: string | null;
  /** The two series since the step started; null when not applicable (nothing was queried). */
  series: { canary: SeriesResult; baseline: SeriesResult } | null;
}

/**
 * Adds the judgement to a threshold measurement (from measure(), or measurementError()) and sets the verdict the
 * mode asks for. A template without a judge returns the measurement unchanged.
 */
export function withJudgement(template: AnalysisTemplate, m: Measurement, ctx: JudgeContext): Measurement {
  if (!template.judge) return m;
  const mode = judgeModeOf(template);
  const decides = mode !== 'threshold';
  if (ctx.notApplicable !== null || !ctx.series) {
    return { ...m, judgement: empty(mode, ctx.final, 'skipped', `not applicable: ${ctx.notApplicable ?? 'no series'}; the checks decide`) };
  }
  const { canary, baseline } = ctx.series;
  if ('error' in canary || 'error' in baseline) {
    const error = 'error' in canary ? canary.error : (baseline as { error: string }).error;
    const rec = { ...empty(mode, ctx.final, 'error', `judge: samples unavailable: ${error}`), counts: decides, error };
    if (!decides) return { ...m, judgement: rec };
    return { ...m, verdict: 'error', error: m.error ?? rec.reason, judgement: rec };
  }
  const j = judge(template.judge, samplesFromSeries(canary.series, baseline.series));
  const v = verdictOf(j, ctx.final);
  const rec = record(mode, decides, ctx.final, j, v, canary.series, baseline.series);
  if (!decides) return { ...m, judgement: rec };
  let verdict: Verdict;
  if (rec.decisive) verdict = 'fail';
  else if (mode === 'judge') verdict = v.verdict;
  else verdict = m.verdict === 'error' ? 'error' : worse(m.verdict, v.verdict);
  return { ...m, verdict, judgement: rec };
}

/** The judge decided this measurement (so a step completes only on its passing, final judgement). */
export const judgeDecided = (m: Measurement): boolean => m.judgement?.counts === true && m.judgement.applicable;

/** Failure details when the judge failed the measurement: metric `judge`, value = score, threshold = the bar missed. */
export function judgeFailure(m: Measurement): { metric: string; value: number | null; threshold: number } | undefined {
  const j = m.judgement;
  if (!j || !judgeDecided(m) || j.verdict !== 'fail' || !j.thresholds) return undefined;
  return { metric: 'judge', value: j.score, threshold: j.final ? j.thresholds.pass : j.thresholds.marginal };
}
