import { judge, zeroCounters, type Measurement } from './analysis.js';
import { judgeDecided, judgeFailure } from './judged-analysis.js';
import type { AuditEntry, Failure, Rollout, RolloutStatus } from './rollout.js';
import { stageOf } from './spec.js';

/**
 * Pure transitions of a rollout. The state machine only routes on `Next.action`; what the next action
 * is, and what a step or a measurement does to the status, is decided here and nowhere else.
 */

export type Action = 'setWeight' | 'analyse' | 'gate' | 'promote' | 'rollback';

export interface Next {
  /** `setWeight` also applies `testRoute` steps: both are one traffic change. */
  action: Action;
  /** For `analyse`: seconds to wait before measuring (one interval, or what is left of the step). */
  waitSeconds: number;
  stepIndex: number;
  /** For `gate`: how long the execution waits for its task token before the step's timeout applies. */
  timeoutSeconds?: number;
}

/** A gate with no timeout of its own (a manual pause, a pause step without `seconds`) waits this long at most, then waits again. */
export const INDEFINITE_GATE_SECONDS = 7 * 24 * 3600;

export class InvalidTransitionError extends Error {
  override name = 'InvalidTransitionError';
}

const seconds = (from: string | null, now: Date) => (from ? (now.getTime() - Date.parse(from)) / 1000 : 0);

/** The current step has run its time (tolerating timer jitter of the Wait state). */
export const stepTimeUp = (status: Pick<RolloutStatus, 'stepStartedAt'>, step: { seconds: number }, now: Date): boolean =>
  seconds(status.stepStartedAt, now) >= step.seconds - 0.5;

export function initialStatus(): RolloutStatus {
  return {
    stepIndex: 0,
    canaryWeight: 0,
    stepStartedAt: null,
    counters: zeroCounters(),
    lockHeld: false,
    canaryDeployed: false,
    abort: { requested: false },
  };
}

/** What the state machine must do next for this rollout, at `now`. */
export function nextAction(rollout: Pick<Rollout, 'spec' | 'status'>, now: Date): Next {
  const { spec, status } = rollout;
  const at = { stepIndex: status.stepIndex, waitSeconds: 0 };
  if (status.outcome || status.abort.requested || status.failure) return { action: 'rollback', ...at };
  if (status.promoteFull) return { action: 'promote', ...at };
  if (status.paused) return { action: 'gate', ...at, timeoutSeconds: INDEFINITE_GATE_SECONDS };
  const step = spec.steps[status.stepIndex];
  if (!step) return { action: 'promote', ...at };
  if (step.kind === 'setWeight' || step.kind === 'testRoute') return { action: 'setWeight', ...at };
  if (step.kind === 'pause') return { action: 'gate', ...at, timeoutSeconds: step.seconds ?? INDEFINITE_GATE_SECONDS };
  if (step.kind === 'approval') {
    const left = Math.ceil(step.timeoutSeconds - seconds(status.stepStartedAt, now));
    return { action: 'gate', ...at, timeoutSeconds: Math.max(1, left) };
  }
  const left = Math.max(0, step.seconds - seconds(status.stepStartedAt, now));
  const interval = step.kind === 'analysis' ? spec.analysis.intervalSeconds : step.seconds;
  // Always wait at least 1 s, so an analysis window is never empty.
  return { action: 'analyse', ...at, waitSeconds: Math.max(1, Math.ceil(Math.min(interval, left))) };
}

export const advance = (status: RolloutStatus, now: Date): RolloutStatus => {
  const { skipStep: _skip, waiting: _waiting, ...rest } = status;
  return { ...rest, stepIndex: status.stepIndex + 1, stepStartedAt: now.toISOString(), counters: zeroCounters() };
};

const audit = (now: Date, action: string, reason: string, data?: Record<string, unknown>): AuditEntry => ({
  at: now.toISOString(),
  actor: 'system:state-machine',
  action,
  reason,
  ...(data ? { data } : {}),
});

/** The current step is `setWeight` or `testRoute`: the router has applied it; record it and move on. */
export function applySetWeight(rollout: Pick<Rollout, 'spec' | 'status'>, now: Date): { status: RolloutStatus; audit: AuditEntry } {
  const step = rollout.spec.steps[rollout.status.stepIndex];
  if (step?.kind === 'testRoute') {
    return {
      status: { ...advance(rollout.status, now), testRoute: step.enabled },
      audit: audit(now, step.enabled ? 'testRoute.opened' : 'testRoute.closed', step.enabled ? 'test traffic now reaches the new version only' : 'test route closed', {
        stepIndex: rollout.status.stepIndex,
      }),
    };
  }
  if (step?.kind !== 'setWeight') throw new InvalidTransitionError(`step ${rollout.status.stepIndex} is not a setWeight step`);
  const from = rollout.status.canaryWeight;
  return {
    status: { ...advance(rollout.status, now), canaryWeight: step.weight },
    audit: audit(now, 'weight.set', `canary weight ${from} % → ${step.weight} %`, { stepIndex: rollout.status.stepIndex, from, to: step.weight }),
  };
}

export interface AnalysisTransition {
  status: RolloutStatus;
  audit: AuditEntry[];
  /** The step finished (promoting to the next step). */
  stepCompleted: boolean;
  /** The analysis failed: the rollout must roll back. */
  failed: boolean;
}

/**
 * The current step is `analysis` (with a measurement) or `wait` (measurement undefined).
 * Applies the limits; completes the step once its time is up *and* at least one measurement passed
 * (no data is never a pass, so a stage without a passing measurement keeps measuring until a limit ends it).
 * With the judge deciding (judged-analysis.ts), the measurement made at the step's end must pass instead.
 */
export function applyAnalysis(
  rollout: Pick<Rollout, 'spec' | 'status'>,
  measurement: Measurement | undefined,
  now: Date,
): AnalysisTransition {
  const { spec, status } = rollout;
  const step = spec.steps[status.stepIndex];
  if (!step || (step.kind !== 'analysis' && step.kind !== 'wait')) throw new InvalidTransitionError(`step ${status.stepIndex} is not an analysis or wait step`);
  const timeUp = stepTimeUp(status, step, now);
  if (status.skipStep === status.stepIndex) {
    // Promoted by a person: the step ends now, whatever its clock says (the measurement, if any, is kept).
    return {
      status: advance(measurement ? { ...status, lastMeasurement: measurement } : status, now),
      audit: [audit(now, 'step.skipped', `step ${status.stepIndex + 1} (${step.kind}) ended early by a manual promote`, { stepIndex: status.stepIndex })],
      stepCompleted: true,
      failed: false,
    };
  }
  if (step.kind === 'wait') {
    if (!timeUp) return { status, audit: [], stepCompleted: false, failed: false };
    return {
      status: advance(status, now),
      audit: [audit(now, 'step.completed', `waited ${step.seconds} s`, { stepIndex: status.stepIndex })],
      stepCompleted: true,
      failed: false,
    };
  }
  if (!measurement) throw new InvalidTransitionError('an analysis step needs a measurement');
  const j = judge(spec.analysis, status.counters, measurement);
  const withCounters: RolloutStatus = { ...status, counters: j.counters, lastMeasurement: measurement };
  const stage = stageOf(spec, status.stepIndex);
  if (j.outcome === 'failed') {
    const failure: Failure = {
      reason: j.reason,
      stepIndex: status.stepIndex,
      stage,
      ...(j.culprit ? { metric: j.culprit.metric, value: j.culprit.value, threshold: j.culprit.threshold } : judgeFailure(measurement)),
    };
    return {
      status: { ...withCounters, failure },
      audit: [audit(now, 'analysis.failed', j.reason, { ...failure })],
      stepCompleted: false,
      failed: true,
    };
  }
  // With the judge deciding, a step completes only on a passing judgement made at its end (the window is the step).
  if (timeUp && (judgeDecided(measurement) ? measurement.verdict === 'pass' : j.counters.passed > 0)) {
    return {
      status: advance(withCounters, now),
      audit: [
        audit(now, 'step.completed', `analysis at ${stage} % passed: ${j.counters.passed}/${j.counters.measurements} measurements passed`, {
          stepIndex: status.stepIndex,
          counters: j.counters,
        }),
      ],
      stepCompleted: true,
      failed: false,
    };
  }
  return { status: withCounters, audit: [], stepCompleted: false, failed: false };
}
