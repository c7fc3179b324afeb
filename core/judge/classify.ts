import type { Direction, JudgeMetric, NoDataMode } from './config.js';
import { hodgesLehmann } from './hodges-lehmann.js';
import { mannWhitney, type TestMethod } from './mann-whitney.js';
import { cleanSamples, finiteOrNull, summarize, type RawSamples, type SampleSummary } from './samples.js';

/**
 * Per-metric classification of one interval.
 *
 * 1. Both sides are cleaned (non-finite values dropped and counted). Fewer than `minSamples` finite values on either
 *    side → `nodata`.
 * 2. Mann-Whitney test and Hodges–Lehmann shift (canary − baseline) with its CI at `confidence`.
 * 3. The shift is *significant upwards* when the one-sided Mann-Whitney test "canary larger" has p ≤ (1 − confidence)/2,
 *    and, with a tolerance band, the same test still does on the canary lowered by `tolerance` ("shift > tolerance");
 *    *downwards* likewise. On continuous data this is the same as "the CI lies above +tolerance" (the CI is the
 *    inversion of this test); on tied data the test is the reliable one.
 * 4. Effect size: change = (canary centre − baseline centre) / |baseline centre| with the centre = `effectMeasure`
 *    (mean or median). When the baseline centre is 0 the relative change is undefined: any non-zero canary centre
 *    then counts as exceeding the allowance, and only the test and the tolerance band decide.
 * 5. `high` = significant upwards, change > allowedIncreasePct, and direction is 'increase' or 'either';
 *    `low`  = significant downwards, −change > allowedDecreasePct, and direction is 'decrease' or 'either';
 *    anything else is `pass` (with the reason saying why).
 */

export type Outcome = 'pass' | 'high' | 'low' | 'nodata';

/** Why a metric got its outcome; one per branch of the decision above. */
export type Reason =
  | 'no-data'
  | 'not-significant' // the test finds no shift at this confidence
  | 'within-tolerance' // the test finds a shift, but not one beyond the tolerance band
  | 'harmless-direction' // significant, in the direction that is not bad for this metric
  | 'within-allowance' // significant, bad direction, effect within the allowance
  | 'exceeds-allowance'; // high or low

export interface TestSummary {
  method: TestMethod;
  u: number;
  z: number | null;
  pTwoSided: number;
  pGreater: number;
  pLess: number;
  ties: boolean;
}

export interface ShiftSummary {
  /** Hodges–Lehmann estimate of canary − baseline, in the metric's unit. */
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  /** The same relative to |baseline centre|, in %; null when the baseline centre is 0. */
  estimatePct: number | null;
  lowerPct: number | null;
  upperPct: number | null;
  confidence: number;
  /** False when the samples are too small for a bounded interval at this confidence: never significant then. */
  bounded: boolean;
  achievedConfidence: number | null;
  method: TestMethod;
}

export interface EffectSummary {
  measure: 'mean' | 'median';
  canary: number | null;
  baseline: number | null;
  /** canary / baseline centre (1 when both are 0, null when only the baseline is 0). */
  ratio: number | null;
  /** 100 · (canary − baseline) / |baseline|; null when the baseline centre is 0 and the canary's is not. */
  changePct: number | null;
}

export interface MetricAnalysis {
  metric: string;
  label: string;
  group: string;
  critical: boolean;
  direction: Direction;
  noData: NoDataMode;
  outcome: Outcome;
  reason: Reason;
  canary: SampleSummary;
  baseline: SampleSummary;
  minSamples: number;
  test: TestSummary | null;
  shift: ShiftSummary | null;
  effect: EffectSummary | null;
  /** Allowances that apply given the direction (null = that direction is not judged for this metric). */
  allowed: { increasePct: number | null; decreasePct: number | null };
  tolerance: number;
}

const judgesIncrease = (d: Direction) => d !== 'decrease';
const judgesDecrease = (d: Direction) => d !== 'increase';

export function classifyMetric(metric: JudgeMetric, canaryRaw: RawSamples, baselineRaw: RawSamples): MetricAnalysis {
  const canaryClean = cleanSamples(canaryRaw);
  const baselineClean = cleanSamples(baselineRaw);
  const canary = summarize(canaryClean);
  const baseline = summarize(baselineClean);
  const base = {
    metric: metric.name,
    label: metric.label,
    group: metric.group,
    critical: metric.critical,
    direction: metric.direction,
    noData: metric.noData,
    canary,
    baseline,
    minSamples: metric.minSamples,
    allowed: {
      increasePct: judgesIncrease(metric.direction) ? metric.allowedIncreasePct : null,
      decreasePct: judgesDecrease(metric.direction) ? metric.allowedDecreasePct : null,
    },
    tolerance: metric.tolerance,
  };
  if (canary.n < metric.minSamples || baseline.n < metric.minSamples) {
    return { ...base, outcome: 'nodata', reason: 'no-data', test: null, shift: null, effect: null };
  }

  const xs = canaryClean.sorted;
  const ys = baselineClean.sorted;
  const mw = mannWhitney(xs, ys);
  const hl = hodgesLehmann(xs, ys, metric.confidence);

  const c = (metric.effectMeasure === 'mean' ? canary.mean : canary.median)!;
  const b = (metric.effectMeasure === 'mean' ? baseline.mean : baseline.median)!;
  const absB = Math.abs(b);
  const rel = (x: number | null) => (x === null || absB === 0 ? null : (100 * x) / absB);
  const changePct = absB === 0 ? (c === b ? 0 : null) : (100 * (c - b)) / absB;
  const ratio = b === 0 ? (c === 0 ? 1 : null) : c / b;

  // Significance comes from the test, one-sided at (1 − confidence)/2 per side (both sides together: the two-sided
  // test at 1 − confidence). Beyond a tolerance band the test is run on the canary moved by the tolerance, i.e. it
  // tests "shift > +tolerance" (resp. "< −tolerance"). This inverts the test exactly, also on heavily tied data
  // (error counts that are mostly 0) where the Hodges–Lehmann interval collapses to [0, 0] and says nothing.
  const alphaHalf = (1 - metric.confidence) / 2;
  const tol = metric.tolerance;
  const testUp = mw.pGreater <= alphaHalf;
  const testDown = mw.pLess <= alphaHalf;
  const up = testUp && (tol === 0 || mannWhitney(xs.map((v) => v - tol), ys).pGreater <= alphaHalf);
  const down = testDown && (tol === 0 || mannWhitney(xs.map((v) => v + tol), ys).pLess <= alphaHalf);
  const exceedsIncrease = changePct === null ? c > b : changePct > metric.allowedIncreasePct;
  const exceedsDecrease = changePct === null ? c < b : -changePct > metric.allowedDecreasePct;

  let outcome: Outcome = 'pass';
  let reason: Reason;
  if (!up && !down) reason = testUp || testDown ? 'within-tolerance' : 'not-significant';
  else if (up && !judgesIncrease(metric.direction)) reason = 'harmless-direction';
  else if (down && !judgesDecrease(metric.direction)) reason = 'harmless-direction';
  else if (up && exceedsIncrease) (outcome = 'high'), (reason = 'exceeds-allowance');
  else if (down && exceedsDecrease) (outcome = 'low'), (reason = 'exceeds-allowance');
  else reason = 'within-allowance';

  return {
    ...base,
    outcome,
    reason,
    test: {
      method: mw.method,
      u: mw.u,
      z: finiteOrNull(mw.z),
      pTwoSided: mw.pTwoSided,
      pGreater: mw.pGreater,
      pLess: mw.pLess,
      ties: mw.tieTerm > 0,
    },
    shift: {
      estimate: finiteOrNull(hl.estimate),
      lower: finiteOrNull(hl.lower),
      upper: finiteOrNull(hl.upper),
      estimatePct: finiteOrNull(rel(hl.estimate)),
      lowerPct: finiteOrNull(rel(hl.lower)),
      upperPct: finiteOrNull(rel(hl.upper)),
      confidence: metric.confidence,
      bounded: hl.k >= 1,
      achievedConfidence: finiteOrNull(hl.achievedConfidence),
      method: hl.method,
    },
    effect: { measure: metric.effectMeasure, canary: finiteOrNull(c), baseline: finiteOrNull(b), ratio: finiteOrNull(ratio), changePct: finiteOrNull(changePct) },
  };
}
