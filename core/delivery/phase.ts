import type { Rollout } from './rollout.js';
import { stageOf } from './spec.js';

export type Phase = 'Pending' | 'Progressing' | 'Paused' | 'Aborting' | 'Healthy' | 'RolledBack' | 'Aborted' | 'Failed';

export interface PhaseView {
  phase: Phase;
  message: string;
}

/**
 * The phase and its human message are a pure function of spec + status (as in Argo Rollouts'
 * rolloututil.GetRolloutPhase): nothing stores a phase that could drift from the status.
 */
export function phaseOf(rollout: Pick<Rollout, 'spec' | 'status' | 'revision'>): PhaseView {
  const { spec, status } = rollout;
  const total = spec.steps.length;
  switch (status.outcome) {
    case 'succeeded':
      return { phase: 'Healthy', message: `${rollout.revision.image} promoted: serving 100 % of traffic` };
    case 'rolledBack':
      return { phase: 'RolledBack', message: `rolled back: ${status.failure?.reason ?? 'unknown reason'}` };
    case 'aborted':
      return { phase: 'Aborted', message: `aborted: ${status.abort.reason ?? status.failure?.reason ?? 'no reason given'}` };
    case 'failed':
      return { phase: 'Failed', message: `failed: ${status.failure?.reason ?? 'unknown reason'}` };
    case undefined:
      break;
  }
  if (status.abort.requested) return { phase: 'Aborting', message: `aborting: ${status.abort.reason ?? 'abort requested'}` };
  if (status.failure) return { phase: 'Aborting', message: `rolling back: ${status.failure.reason}` };
  if (!status.lockHeld) return { phase: 'Pending', message: 'waiting for the service to be free of other rollouts' };
  if (status.promoteFull) return { phase: 'Progressing', message: `promoting fully (requested by ${status.promoteFull.by}): remaining steps skipped` };
  if (status.paused) return { phase: 'Paused', message: `paused by ${status.paused.by}: ${status.paused.reason}; resume or promote to continue` };
  if (status.stepIndex >= total) return { phase: 'Progressing', message: 'all steps done: promoting' };
  const step = spec.steps[status.stepIndex]!;
  const where = `step ${status.stepIndex + 1}/${total}`;
  if (step.kind === 'setWeight') return { phase: 'Progressing', message: `${where}: shifting ${step.weight} % of traffic to the canary` };
  if (step.kind === 'wait') return { phase: 'Progressing', message: `${where}: waiting ${step.seconds} s at ${status.canaryWeight} %` };
  if (step.kind === 'testRoute') return { phase: 'Progressing', message: `${where}: ${step.enabled ? 'opening' : 'closing'} the test route to the new version` };
  if (step.kind === 'pause') return { phase: 'Paused', message: `${where}: ${step.reason}${step.seconds ? ` (continues by itself after ${step.seconds} s)` : ''}` };
  if (step.kind === 'approval') {
    const onTimeout = step.onTimeout === 'reject' ? 'rolls back' : 'continues';
    return { phase: 'Paused', message: `${where}: waiting for approval at gate "${step.gate}"; approve or reject (${onTimeout} after ${step.timeoutSeconds} s)` };
  }
  const c = status.counters;
  return {
    phase: 'Progressing',
    message: `${where}: analysing at ${stageOf(spec, status.stepIndex)} % (${c.passed} passed, ${c.failed} failed, ${c.inconclusive} inconclusive, ${c.errors} errors)`,
  };
}
