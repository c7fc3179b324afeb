import * as z from 'zod';
import { JudgeConfigSchema } from '../judge/index.js';

/**
 * A rollout spec, shaped like Argo Rollouts': a strategy expanded into an ordered list of steps
 * (a discriminated union) plus the analysis template every analysis step uses.
 */

export const MetricCheckSchema = z.discriminatedUnion('metric', [
  z.object({ metric: z.literal('http5xxRate'), max: z.number().min(0).max(100), critical: z.boolean().default(true) }),
  z.object({ metric: z.literal('latencyAvg'), max: z.number().positive(), critical: z.boolean().default(true) }),
  z.object({ metric: z.literal('latencyP99'), max: z.number().positive(), critical: z.boolean().default(true) }),
  z.object({ metric: z.literal('unhealthyHosts'), max: z.number().int().min(0), critical: z.boolean().default(true) }),
  z.object({ metric: z.literal('alarm'), alarmNames: z.array(z.string().min(1)).min(1), critical: z.boolean().default(true) }),
]);
export type MetricCheck = z.infer<typeof MetricCheckSchema>;
export type MetricName = MetricCheck['metric'];

/** The sample keys a judge config may name: per-period 5xx rate (%), average and p99 latency (ms). */
export const JUDGED_METRICS = ['http5xxRate', 'latencyAvg', 'latencyP99'] as const;

export const AnalysisTemplateSchema = z.object({
  /** Seconds between two measurements. */
  intervalSeconds: z.number().int().min(1).max(3600).default(30),
  /** Requests the canary must have served in an interval for the measurement to count; fewer is "no data". */
  minRequests: z.number().int().min(1).default(10),
  /** Failed measurements tolerated in one analysis step; one more rolls back. */
  failureLimit: z.number().int().min(0).default(0),
  /** Inconclusive measurements (no data; with a judge also too few samples or a marginal interim score) tolerated in one analysis step; one more rolls back. */
  inconclusiveLimit: z.number().int().min(0).default(3),
  /** Consecutive metric-source errors tolerated; one more rolls back. */
  consecutiveErrorLimit: z.number().int().min(0).default(4),
  metrics: z.array(MetricCheckSchema).min(1),
  /**
   * Baseline-versus-canary judge (core/judge): each interval judges the per-period samples of canary and stable
   * accumulated since the analysis step started. Metric names are the sample keys in JUDGED_METRICS.
   */
  judge: JudgeConfigSchema.optional(),
  /**
   * Who decides a measurement's verdict: `threshold` (the absolute `metrics` checks; a `judge` then runs in shadow,
   * recorded only), `judge` (the judge; the checks are recorded, and decide only where the judge cannot apply), or
   * `both` (the worse of the two). Default: `both` with a `judge`, else `threshold` (exactly the behaviour without one).
   */
  judgeMode: z.enum(['threshold', 'judge', 'both']).optional(),
  /** Length of one judge sample (period). Default 1: the finest the source has — 1 s locally, 60 s for ALB metrics. */
  samplePeriodSeconds: z.number().int().min(1).max(3600).optional(),
}).superRefine((t, ctx) => {
  const mode = t.judgeMode ?? 'threshold';
  if (!t.judge && mode !== 'threshold') ctx.addIssue({ code: 'custom', path: ['judgeMode'], message: `judgeMode ${mode} needs a judge config` });
  t.judge?.metrics.forEach((m, i) => {
    if (!(JUDGED_METRICS as readonly string[]).includes(m.name)) {
      ctx.addIssue({ code: 'custom', path: ['judge', 'metrics', i, 'name'], message: `no samples for ${m.name}: the judge gets ${JUDGED_METRICS.join(', ')}` });
    }
  });
});
export type AnalysisTemplate = z.infer<typeof AnalysisTemplateSchema>;
export type JudgeMode = NonNullable<AnalysisTemplate['judgeMode']>;

/** The mode in force: `judgeMode`, else `both` when a judge is configured, else `threshold`. */
export const judgeModeOf = (t: Pick<AnalysisTemplate, 'judge' | 'judgeMode'>): JudgeMode => t.judgeMode ?? (t.judge ? 'both' : 'threshold');

export const StepSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('setWeight'),
    weight: z.number().int().min(0).max(100),
    /** Rolling: instances of each version once this batch is in (traffic follows instances). */
    replicas: z.object({ canary: z.number().int().min(0), stable: z.number().int().min(0) }).optional(),
  }),
  z.object({ kind: z.literal('wait'), seconds: z.number().int().min(1) }),
  z.object({ kind: z.literal('analysis'), seconds: z.number().int().min(1) }),
  /** Stops until someone promotes (or resumes); with `seconds`, continues by itself after that long. */
  z.object({ kind: z.literal('pause'), reason: z.string().min(1), seconds: z.number().int().min(1).optional() }),
  /** A named gate: approve continues, reject rolls back; after `timeoutSeconds`, `onTimeout` decides. */
  z.object({
    kind: z.literal('approval'),
    gate: z.string().min(1),
    timeoutSeconds: z.number().int().min(1).max(365 * 24 * 3600),
    onTimeout: z.enum(['reject', 'continue']),
  }),
  /** Blue/green: the test route (a test listener/port, locally a header) reaches the new version only. */
  z.object({ kind: z.literal('testRoute'), enabled: z.boolean() }),
]);
export type Step = z.infer<typeof StepSchema>;

export const RolloutSpecSchema = z.object({
  strategy: z.enum(['canary', 'blueGreen', 'rolling']),
  steps: z.array(StepSchema).min(1),
  analysis: AnalysisTemplateSchema,
});
export type RolloutSpec = z.infer<typeof RolloutSpecSchema>;

/** The analysis every strategy uses unless configured: 30 s intervals, 5xx ≤ 1 %, p99 ≤ 1 s, no unhealthy host. */
export const DEFAULT_ANALYSIS = {
  intervalSeconds: 30,
  minRequests: 10,
  failureLimit: 0,
  inconclusiveLimit: 3,
  consecutiveErrorLimit: 4,
  metrics: [
    { metric: 'http5xxRate', max: 1, critical: true },
    { metric: 'latencyP99', max: 1000, critical: true },
    { metric: 'unhealthyHosts', max: 0, critical: true },
  ],
} as const;

/** The analysis template schema with DEFAULT_ANALYSIS filled in when absent. */
export const defaultAnalysis = () => AnalysisTemplateSchema.prefault(structuredClone(DEFAULT_ANALYSIS) as never);

export const CanaryOptionsSchema = z
  .object({
    stages: z
      .array(z.number().int().min(1).max(100))
      .min(1)
      .default([10, 25, 50, 75, 100])
      .refine((s) => s.every((w, i) => i === 0 || w > s[i - 1]!), { message: 'stages must increase strictly' })
      .refine((s) => s[s.length - 1] === 100, { message: 'the last stage must be 100' }),
    stageSeconds: z.number().int().min(1).default(300),
    analysis: defaultAnalysis(),
  })
  .refine((o) => o.stageSeconds >= o.analysis.intervalSeconds, {
    message: 'stageSeconds must be at least one analysis interval',
    path: ['stageSeconds'],
  });
export type CanaryOptions = z.input<typeof CanaryOptionsSchema>;

/** The canary weight in force once the steps before `stepIndex` have run. */
export function weightBefore(spec: RolloutSpec, stepIndex: number): number {
  let weight = 0;
  for (const step of spec.steps.slice(0, stepIndex)) if (step.kind === 'setWeight') weight = step.weight;
  return weight;
}

/** The last weight set at or before `stepIndex` — the stage a measurement belongs to. */
export function stageOf(spec: RolloutSpec, stepIndex: number): number {
  return weightBefore(spec, stepIndex + 1);
}
