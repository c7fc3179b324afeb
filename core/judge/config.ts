import * as z from 'zod';

/**
 * Configuration of the baseline-vs-canary judge. Every field but `metrics[].name` has a default, so the smallest
 * valid config is `{ metrics: [{ name: 'latencyP99' }] }`.
 */

/**
 * What happens to a metric that has fewer than `minSamples` finite values on either side ("nodata"):
 * - `fail`:   it counts in its group as a failed metric (in the denominator, not passed); when the metric is
 *             `critical`, the whole judgement fails (score 0), exactly as if it had been judged high/low.
 * - `ignore`: it is left out of scoring altogether: its group's score is computed over the other metrics, and a
 *             group left with no metric is dropped and the remaining groups' weights are renormalised. Never fails
 *             the judgement, even when critical.
 * - `count`:  it stays in its group's denominator without passing, so it lowers the score like a failure would, but
 *             it never triggers the critical rule (missing data is not evidence of a regression).
 */
export const NoDataModeSchema = z.enum(['fail', 'ignore', 'count']);
export type NoDataMode = z.infer<typeof NoDataModeSchema>;

/** Which change is bad: `increase` (errors, latency), `decrease` (throughput, success rate) or `either`. */
export const DirectionSchema = z.enum(['increase', 'decrease', 'either']);
export type Direction = z.infer<typeof DirectionSchema>;

const NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/;

export const JudgeMetricSchema = z
  .object({
    /** Key of the metric in the samples handed to judge(). */
    name: z.string().regex(NAME, { message: 'must start with a letter and contain only letters, digits, _ . : -' }),
    /** Human-readable name used in explanations; defaults to `name`. */
    label: z.string().min(1).max(200).optional(),
    direction: DirectionSchema.default('increase'),
    /** A significant increase of the effect measure up to this much (%, canary over baseline) still passes. */
    allowedIncreasePct: z.number().min(0).default(10),
    /** A significant decrease up to this much (%) still passes. */
    allowedDecreasePct: z.number().min(0).max(100).default(10),
    /**
     * Tolerance band, in the metric's own unit: a shift is significant only when its whole confidence interval lies
     * beyond ±tolerance (0 = beyond zero). Useful where a relative change is meaningless, e.g. an error rate whose
     * baseline is 0.
     */
    tolerance: z.number().min(0).default(0),
    /**
     * Centre whose canary/baseline ratio is the effect size. `mean` by default: a median ignores a rise in the share
     * of non-zero error counts as long as most values stay 0.
     */
    effectMeasure: z.enum(['mean', 'median']).default('mean'),
    /** A critical metric judged high/low (or nodata with noData 'fail') fails the whole judgement: score 0. */
    critical: z.boolean().default(false),
    noData: NoDataModeSchema.default('ignore'),
    /** Group name; must be declared in `groups` when `groups` is given. */
    group: z.string().regex(NAME, { message: 'must start with a letter and contain only letters, digits, _ . : -' }).default('default'),
    /** Two-sided confidence of the shift interval (and so the level of the test). */
    confidence: z.number().gt(0.5).lt(1).default(0.95),
    /**
     * Finite values needed on each side, else "nodata". Below 4 per side no 95 % interval is bounded (the metric
     * could then never fail), hence the default of 5.
     */
    minSamples: z.number().int().min(1).default(5),
  })
  .transform((m) => ({ ...m, label: m.label ?? m.name }));
export type JudgeMetric = z.output<typeof JudgeMetricSchema>;

export const JudgeGroupSchema = z.object({
  name: z.string().regex(NAME, { message: 'must start with a letter and contain only letters, digits, _ . : -' }),
  /** Relative weight; weights need not sum to 100 (they are normalised over the groups that have scored metrics). */
  weight: z.number().positive().max(1_000_000),
});
export type JudgeGroup = z.infer<typeof JudgeGroupSchema>;

export const ThresholdsSchema = z
  .object({
    /** A final score ≥ pass allows promotion. */
    pass: z.number().min(0).max(100).default(95),
    /** A score ≤ marginal fails (and ends a canary early); between the two is "marginal". */
    marginal: z.number().min(0).max(100).default(75),
  })
  .refine((t) => t.marginal < t.pass, { message: 'marginal must be below pass', path: ['marginal'] });
export type Thresholds = z.infer<typeof ThresholdsSchema>;

export const JudgeConfigSchema = z
  .object({
    metrics: z.array(JudgeMetricSchema).min(1).max(500),
    /** Groups and weights. Omitted or empty: every group named by a metric gets weight 1. */
    groups: z.array(JudgeGroupSchema).max(100).default([]),
    thresholds: ThresholdsSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.metrics.forEach((m, i) => {
      const first = seen.get(m.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['metrics', i, 'name'], message: `duplicate metric name ${m.name} (also metrics[${first}])` });
      else seen.set(m.name, i);
    });
    if (c.groups.length === 0) return;
    const declared = new Map<string, number>();
    c.groups.forEach((g, i) => {
      const first = declared.get(g.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['groups', i, 'name'], message: `duplicate group name ${g.name} (also groups[${first}])` });
      else declared.set(g.name, i);
    });
    const used = new Set(c.metrics.map((m) => m.group));
    c.metrics.forEach((m, i) => {
      if (!declared.has(m.group)) ctx.addIssue({ code: 'custom', path: ['metrics', i, 'group'], message: `group ${m.group} is not declared in groups` });
    });
    c.groups.forEach((g, i) => {
      if (!used.has(g.name) && declared.get(g.name) === i) ctx.addIssue({ code: 'custom', path: ['groups', i, 'name'], message: `group ${g.name} has no metrics` });
    });
  });
export type JudgeConfigInput = z.input<typeof JudgeConfigSchema>;
export type JudgeConfig = z.output<typeof JudgeConfigSchema>;

export interface ConfigIssue {
  /** Dotted path with [index] for arrays, e.g. `metrics[2].group`; '' for the root. */
  path: string;
  message: string;
}

export class InvalidJudgeConfigError extends Error {
  override readonly name = 'InvalidJudgeConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid judge config:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
  }
}

const pathOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/** Validates and fills defaults; an invalid config is rejected whole, naming the exact path of every issue. */
export function parseJudgeConfig(input: unknown): JudgeConfig {
  const parsed = JudgeConfigSchema.safeParse(input);
  if (!parsed.success) throw new InvalidJudgeConfigError(parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })));
  return parsed.data;
}
