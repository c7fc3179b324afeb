import type { JudgeConfig, NoDataMode, Thresholds } from './config.js';
import type { Outcome } from './classify.js';

/**
 * Scoring: metric outcomes → group scores → one 0–100 score → pass | marginal | fail.
 *
 * - Each metric enters its group as `passed` (outcome pass), `failed` (high or low, or nodata with noData 'fail'),
 *   `counted` (nodata with noData 'count': in the denominator, not passed, never critical) or `ignored` (nodata with
 *   noData 'ignore': out of the denominator).
 * - Group score = 100 · passed / (passed + failed + counted); a group whose metrics are all ignored has no score
 *   and is dropped.
 * - Score = Σ weight_g · score_g / Σ weight_g over the groups that have a score (weights renormalised over them);
 *   groups default to weight 1 each when the config declares none. Rounded to 2 decimals; the rounded value is the
 *   one classified and stored.
 * - A critical metric that `failed` forces the score to 0.
 * - No group has a score (every metric ignored): score 0, `insufficientData: true` — a judge without evidence never
 *   lets a canary pass; the caller may treat this as inconclusive instead.
 * - Classification: score ≥ pass → 'pass'; score ≤ marginal → 'fail'; otherwise 'marginal'.
 */

export type Classification = 'pass' | 'marginal' | 'fail';
export type Scoring = 'passed' | 'failed' | 'counted' | 'ignored';

export interface GroupScore {
  group: string;
  weight: number;
  /** Weight after renormalisation over the groups that have a score (0 when this group has none). */
  share: number;
  metrics: number;
  passed: number;
  failed: number;
  /** Nodata metrics counted (noData 'count') — in the denominator, not passed. */
  counted: number;
  ignored: number;
  /** 0–100; null when every metric of the group was ignored. */
  score: number | null;
}

export interface ScoreResult {
  score: number;
  classification: Classification;
  groups: GroupScore[];
  /** Names of the critical metrics that failed (any → score 0). */
  criticalFailures: string[];
  /** True when no metric could be scored: the score 0 then reflects missing evidence, not a regression. */
  insufficientData: boolean;
}

export interface Scored {
  metric: string;
  group: string;
  critical: boolean;
  outcome: Outcome;
  noData: NoDataMode;
}

export function scoringOf(outcome: Outcome, noData: NoDataMode): Scoring {
  if (outcome === 'pass') return 'passed';
  if (outcome === 'high' || outcome === 'low') return 'failed';
  return noData === 'fail' ? 'failed' : noData === 'count' ? 'counted' : 'ignored';
}

export function classifyScore(score: number, thresholds: Thresholds): Classification {
  if (score >= thresholds.pass) return 'pass';
  if (score <= thresholds.marginal) return 'fail';
  return 'marginal';
}

/** Interim check during a canary: true when the score is at or below `marginal`, i.e. roll back now. */
export const shouldEndEarly = (j: { score: number; thresholds: Thresholds }): boolean => j.score <= j.thresholds.marginal;

/** Final check: true when the score reaches `pass`, i.e. the canary may be promoted. */
export const allowsPromotion = (j: { score: number; thresholds: Thresholds }): boolean => j.score >= j.thresholds.pass;

const round2 = (x: number) => Math.round(x * 100) / 100;

export function scoreMetrics(config: JudgeConfig, metrics: readonly Scored[]): ScoreResult {
  const weights = new Map<string, number>();
  if (config.groups.length) for (const g of config.groups) weights.set(g.name, g.weight);
  else for (const m of config.metrics) weights.set(m.group, 1);

  const groups = new Map<string, GroupScore>();
  for (const [group, weight] of weights) groups.set(group, { group, weight, share: 0, metrics: 0, passed: 0, failed: 0, counted: 0, ignored: 0, score: null });
  const criticalFailures: string[] = [];
  for (const m of metrics) {
    const g = groups.get(m.group);
    if (!g) continue; // unreachable for a parsed config: every metric's group is declared
    const s = scoringOf(m.outcome, m.noData);
    g.metrics++;
    g[s]++;
    if (s === 'failed' && m.critical) criticalFailures.push(m.metric);
  }

  const raw = new Map<GroupScore, number>(); // unrounded group scores: rounding happens once, at the end
  let totalWeight = 0;
  for (const g of groups.values()) {
    const denominator = g.passed + g.failed + g.counted;
    if (denominator > 0) {
      raw.set(g, (100 * g.passed) / denominator);
      g.score = round2(raw.get(g)!);
      totalWeight += g.weight;
    }
  }
  let weighted = 0;
  for (const [g, groupScore] of raw) {
    g.share = g.weight / totalWeight;
    weighted += g.share * groupScore;
  }
  const insufficientData = totalWeight === 0;
  const score = criticalFailures.length || insufficientData ? 0 : Math.min(100, Math.max(0, round2(weighted)));
  return { score, classification: classifyScore(score, config.thresholds), groups: [...groups.values()], criticalFailures, insufficientData };
}
