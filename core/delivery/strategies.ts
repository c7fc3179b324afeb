import * as z from 'zod';
import { CanaryOptionsSchema, defaultAnalysis, type CanaryOptions, type RolloutSpec, type Step } from './spec.js';

/**
 * The four ways a revision reaches users, each expanded into one ordered list of steps that the same
 * state machine runs (so every strategy gets the same analysis, rollback, manual control and audit):
 *
 * - canary:    for each stage, set the weight and analyse for the stage duration; with `autoPromote:
 *              false`, pause after each stage's analysis until someone promotes.
 * - blueGreen: deploy green at 0 %; optionally open the test route to green and analyse it
 *              (pre-promotion); switch 100 % at once; analyse while baking (post-promotion); keep blue
 *              running for `scaleDownDelaySeconds` (an abort or failure in that window points traffic back
 *              at blue instantly); then promote, which tears blue down.
 * - rolling:   replace `instances` in batches of `maxSurge + maxUnavailable`, traffic following the
 *              instances replaced, with a health check (an analysis) after each batch.
 * - progressive (environments in order with approval gates) is not a step list: it chains rollouts of
 *   the per-environment configurations (core/config); an environment requiring approval gets an
 *   `approval` step first.
 */

const analysis = defaultAnalysis;

export const CanaryStrategySchema = z.object({
  kind: z.literal('canary'),
  stages: CanaryOptionsSchema.shape.stages,
  stageSeconds: z.number().int().min(1).default(300),
  /** false = after each stage's analysis, wait for a manual promote (the last stage promotes fully). */
  autoPromote: z.boolean().default(true),
  analysis: analysis(),
});

export const BlueGreenStrategySchema = z.object({
  kind: z.literal('blueGreen'),
  /** Route test traffic (test listener / header) to green before the switch and analyse it. */
  testTraffic: z.boolean().default(false),
  /** Seconds of pre-promotion analysis on test traffic; 0 = none. Needs testTraffic. */
  prePromotionSeconds: z.number().int().min(0).default(0),
  /** Wait for a manual promote before the switch. */
  manualSwitch: z.boolean().default(false),
  /** Post-promotion analysis after the switch, with 100 % on green. */
  bakeSeconds: z.number().int().min(1).default(300),
  /** Blue keeps running this long after the bake (instant rollback), then it is torn down. */
  scaleDownDelaySeconds: z.number().int().min(0).default(300),
  analysis: analysis(),
});

export const RollingStrategySchema = z.object({
  kind: z.literal('rolling'),
  /** Instances of the service. */
  instances: z.number().int().min(1).max(1000).default(4),
  /** Extra new instances started per batch above `instances`. */
  maxSurge: z.number().int().min(0).default(1),
  /** Old instances stopped per batch before their replacements are up. */
  maxUnavailable: z.number().int().min(0).default(0),
  /** Health check (an analysis) after each batch. */
  healthCheckSeconds: z.number().int().min(1).default(60),
  analysis: analysis(),
});

export const StrategySchema = z
  .discriminatedUnion('kind', [CanaryStrategySchema, BlueGreenStrategySchema, RollingStrategySchema])
  .superRefine((s, ctx) => {
    const interval = s.analysis.intervalSeconds;
    const tooShort = (path: string, seconds: number) => {
      if (seconds > 0 && seconds < interval) ctx.addIssue({ code: 'custom', path: [path], message: `must be at least one analysis interval (${interval} s)` });
    };
    if (s.kind === 'canary') tooShort('stageSeconds', s.stageSeconds);
    if (s.kind === 'blueGreen') {
      tooShort('bakeSeconds', s.bakeSeconds);
      tooShort('prePromotionSeconds', s.prePromotionSeconds);
      if (s.prePromotionSeconds > 0 && !s.testTraffic) ctx.addIssue({ code: 'custom', path: ['prePromotionSeconds'], message: 'pre-promotion analysis needs testTraffic: true' });
    }
    if (s.kind === 'rolling') {
      tooShort('healthCheckSeconds', s.healthCheckSeconds);
      if (s.maxSurge + s.maxUnavailable === 0) ctx.addIssue({ code: 'custom', path: ['maxSurge'], message: 'maxSurge and maxUnavailable cannot both be 0' });
    }
  });
export type Strategy = z.infer<typeof StrategySchema>;
export type StrategyInput = z.input<typeof StrategySchema>;
export type StrategyKind = Strategy['kind'];

function canarySteps(s: z.infer<typeof CanaryStrategySchema>): Step[] {
  const steps: Step[] = [];
  s.stages.forEach((weight, i) => {
    steps.push({ kind: 'setWeight', weight });
    steps.push({ kind: 'analysis', seconds: s.stageSeconds });
    if (!s.autoPromote && i < s.stages.length - 1) steps.push({ kind: 'pause', reason: `stage ${weight} % passed; promote to continue` });
  });
  return steps;
}

function blueGreenSteps(s: z.infer<typeof BlueGreenStrategySchema>): Step[] {
  const steps: Step[] = [{ kind: 'setWeight', weight: 0 }];
  if (s.testTraffic) {
    steps.push({ kind: 'testRoute', enabled: true });
    if (s.prePromotionSeconds > 0) steps.push({ kind: 'analysis', seconds: s.prePromotionSeconds });
  }
  if (s.manualSwitch) steps.push({ kind: 'pause', reason: 'green is ready; promote to switch traffic' });
  if (s.testTraffic) steps.push({ kind: 'testRoute', enabled: false });
  steps.push({ kind: 'setWeight', weight: 100 }, { kind: 'analysis', seconds: s.bakeSeconds });
  if (s.scaleDownDelaySeconds > 0) steps.push({ kind: 'wait', seconds: s.scaleDownDelaySeconds });
  return steps;
}

function rollingSteps(s: z.infer<typeof RollingStrategySchema>): Step[] {
  const steps: Step[] = [];
  const batch = s.maxSurge + s.maxUnavailable;
  for (let replaced = Math.min(batch, s.instances); ; replaced = Math.min(replaced + batch, s.instances)) {
    const weight = Math.round((100 * replaced) / s.instances);
    steps.push({ kind: 'setWeight', weight, replicas: { canary: replaced, stable: s.instances - replaced } });
    steps.push({ kind: 'analysis', seconds: s.healthCheckSeconds });
    if (replaced === s.instances) return steps;
  }
}

/** Validates a strategy (defaults filled in) and expands it into the spec the state machine runs. */
export function specFor(input: StrategyInput): RolloutSpec {
  const s = StrategySchema.parse(input);
  const steps = s.kind === 'canary' ? canarySteps(s) : s.kind === 'blueGreen' ? blueGreenSteps(s) : rollingSteps(s);
  return { strategy: s.kind, steps, analysis: s.analysis };
}

/** The approval gate's name for an environment (the `gate` of its approval step). */
export const approvalGate = (environment: string) => `approve-${environment}`;

/** The spec an environment runs: its strategy's steps, behind its approval gate when approval is required. */
export function environmentSpec(strategy: StrategyInput, environment: string, approval?: { required: boolean; timeoutSeconds: number; onTimeout: 'reject' | 'continue' }): RolloutSpec {
  const spec = specFor(strategy);
  return approval?.required ? withApproval(spec, { gate: approvalGate(environment), timeoutSeconds: approval.timeoutSeconds, onTimeout: approval.onTimeout }) : spec;
}

/** An approval gate placed before a spec's first step (progressive delivery: the environment's gate). */
export function withApproval(spec: RolloutSpec, gate: { gate: string; timeoutSeconds: number; onTimeout: 'reject' | 'continue' }): RolloutSpec {
  return { ...spec, steps: [{ kind: 'approval', ...gate }, ...spec.steps] };
}

/** The backbone's canary from the service's `canary` options (stages, stage duration, analysis). */
export const canarySpec = (options: CanaryOptions = {}): RolloutSpec => specFor({ kind: 'canary', ...CanaryOptionsSchema.parse(options) });
