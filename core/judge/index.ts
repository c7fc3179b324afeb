import { classifyMetric, type MetricAnalysis } from './classify.js';
import { parseJudgeConfig, type JudgeConfigInput, type Thresholds } from './config.js';
import { explainJudgement, explainMetric } from './explain.js';
import type { RawSamples } from './samples.js';
import { scoreMetrics, scoringOf, type Classification, type GroupScore, type Scoring } from './score.js';

/**
 * Baseline-vs-canary judge: the pure statistics core. One call judges one interval:
 *
 *   judge(config, { latencyP99: { canary: [...], baseline: [...] }, errorRate: { ... } }) → Judgement
 *
 * Per metric: Mann-Whitney U test + Hodges–Lehmann shift with CI + allowed effect size + direction → pass | high |
 * low | nodata (classify.ts); then group scores and one 0–100 score → pass | marginal | fail (score.ts); every
 * figure explained (explain.ts). The Judgement is plain JSON: no NaN, no ±Infinity, no undefined (null instead),
 * so it can be stored as is. No I/O; the only state is a bounded cache of exact null distributions.
 */

/** The observations of one metric in one interval. Missing sides and non-finite entries are tolerated. */
export interface MetricSamples {
  canary?: RawSamples;
  baseline?: RawSamples;
}

/** Samples by metric name (the config's `metrics[].name`). */
export type JudgeSamples = Readonly<Record<string, MetricSamples | null | undefined>>;

export interface MetricVerdict extends MetricAnalysis {
  /** How the metric entered its group's score (see score.ts). */
  scoring: Scoring;
  /** One readable sentence ending with the verdict. */
  explanation: string;
}

export interface Judgement {
  /** 0–100, 2 decimals; 0 when a critical metric failed or when nothing could be scored. */
  score: number;
  classification: Classification;
  thresholds: Thresholds;
  criticalFailures: string[];
  /** True when no metric had data to score (score 0 then means "no evidence", not "regression"). */
  insufficientData: boolean;
  groups: GroupScore[];
  metrics: MetricVerdict[];
  /** Sample keys that match no configured metric (not judged). */
  unusedSamples: string[];
  explanation: string;
}

/**
 * Judges one interval. Throws InvalidJudgeConfigError for an invalid config (parse it once up front with
 * parseJudgeConfig to fail fast); never throws because of the samples.
 */
export function judge(config: JudgeConfigInput, samples: JudgeSamples): Judgement {
  const cfg = parseJudgeConfig(config);
  const own = (name: string): MetricSamples | null =>
    samples !== null && typeof samples === 'object' && Object.hasOwn(samples, name) && samples[name] !== null && typeof samples[name] === 'object' ? samples[name]! : null;
  const analyses = cfg.metrics.map((m) => {
    const s = own(m.name);
    return classifyMetric(m, s?.canary, s?.baseline);
  });
  const scored = scoreMetrics(cfg, analyses);
  const metrics: MetricVerdict[] = analyses.map((a) => {
    const scoring = scoringOf(a.outcome, a.noData);
    return { ...a, scoring, explanation: explainMetric(a, scoring) };
  });
  const configured = new Set(cfg.metrics.map((m) => m.name));
  const unusedSamples = samples !== null && typeof samples === 'object' ? Object.keys(samples).filter((k) => !configured.has(k)) : [];
  return {
    score: scored.score,
    classification: scored.classification,
    thresholds: { pass: cfg.thresholds.pass, marginal: cfg.thresholds.marginal },
    criticalFailures: scored.criticalFailures,
    insufficientData: scored.insufficientData,
    groups: scored.groups,
    metrics,
    unusedSamples,
    explanation: explainJudgement(scored, cfg.thresholds, metrics),
  };
}

export { classifyMetric, type MetricAnalysis, type Outcome, type Reason, type EffectSummary, type ShiftSummary, type TestSummary } from './classify.js';
export {
  InvalidJudgeConfigError,
  JudgeConfigSchema,
  JudgeGroupSchema,
  JudgeMetricSchema,
  ThresholdsSchema,
  parseJudgeConfig,
  type ConfigIssue,
  type Direction,
  type JudgeConfig,
  type JudgeConfigInput,
  type JudgeGroup,
  type JudgeMetric,
  type NoDataMode,
  type Thresholds,
} from './config.js';
export { hodgesLehmann, kthDifference, nextDifference, type ShiftEstimate } from './hodges-lehmann.js';
export { EXACT_MAX_N, criticalCount, exactCdf, mannWhitney, uStatistic, type MannWhitneyResult, type TestMethod } from './mann-whitney.js';
export { cleanSamples, summarize, type RawSamples, type SampleSummary } from './samples.js';
export { allowsPromotion, classifyScore, scoreMetrics, shouldEndEarly, type Classification, type GroupScore, type Scoring } from './score.js';
