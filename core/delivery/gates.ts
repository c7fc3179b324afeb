import { advance, nextAction } from './engine.js';
import { wake } from './control.js';
import { RolloutNotFoundError, type DeliveryDeps, type ExecutionControl } from './ports.js';
import type { AuditEntry, RolloutStatus } from './rollout.js';
import type { TaskInput, TaskOutput } from './tasks.js';

/**
 * Gates: the execution waits at a pause or approval step (or a manual pause) on a task token —
 * `.waitForTaskToken` in AWS, an awaiting task locally. `openGate` runs when the wait begins and
 * stores the token on the rollout so that a command can wake it; `gateResolved` runs when the wait
 * ends (woken, or timed out) and applies the step's timeout rule.
 */

export interface GateInput {
  rolloutId: string;
  stepIndex: number;
  taskToken: string;
}

const SYSTEM = 'system:state-machine';

/**
 * Stores the task token of the gate the execution now waits at. If the gate was already resolved
 * (a command won the race, or the rollout moved on), wakes the execution at once instead.
 */
export async function openGate(deps: Pick<DeliveryDeps, 'repo' | 'clock'> & { control: ExecutionControl }, input: GateInput): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const r = await deps.repo.getRollout(input.rolloutId);
    if (!r) throw new RolloutNotFoundError(`rollout ${input.rolloutId} does not exist`);
    const now = deps.clock.now();
    const next = nextAction(r, now);
    if (next.action !== 'gate' || next.stepIndex !== input.stepIndex) return wake(deps.control, input.taskToken);
    const step = r.spec.steps[r.status.stepIndex];
    const kind = r.status.paused ? 'paused' : step?.kind === 'approval' ? 'approval' : 'pause';
    const status: RolloutStatus = { ...r.status, waiting: { stepIndex: input.stepIndex, kind, token: input.taskToken, since: now.toISOString() } };
    const what = kind === 'approval' && step?.kind === 'approval' ? `approval gate "${step.gate}"` : kind === 'paused' ? `manual pause by ${r.status.paused!.by}` : 'pause step';
    try {
      await deps.repo.updateStatus(r.rolloutId, r.version, status, [
        { at: now.toISOString(), actor: SYSTEM, action: 'gate.waiting', reason: `waiting at ${what} (step ${input.stepIndex + 1}) for at most ${next.timeoutSeconds} s` },
      ]);
      return;
    } catch (e) {
      if ((e as Error).name !== 'ConcurrentUpdateError' || attempt >= 4) throw e;
    }
  }
}

/**
 * After the wait: a woken gate needs nothing (the command already wrote the status). A timed-out gate
 * applies its rule — a pause step with `seconds` continues; an approval continues or is rejected per
 * `onTimeout`; a manual or indefinite pause simply waits again.
 */
export async function gateResolved(deps: Pick<DeliveryDeps, 'repo' | 'clock'>, input: TaskInput & { gateTimeout?: unknown }): Promise<TaskOutput> {
  const r = await deps.repo.getRollout(input.rolloutId);
  if (!r) throw new RolloutNotFoundError(`rollout ${input.rolloutId} does not exist`);
  const now = deps.clock.now();
  const next = nextAction(r, now);
  if (!input.gateTimeout || next.action !== 'gate') return { rolloutId: r.rolloutId, next };
  const step = r.spec.steps[r.status.stepIndex];
  const at = now.toISOString();
  const { waiting: _w, ...status } = r.status;
  let update: { status: RolloutStatus; audit: AuditEntry } | undefined;
  if (!r.status.paused && step?.kind === 'pause' && step.seconds) {
    update = { status: advance(status, now), audit: { at, actor: SYSTEM, action: 'pause.elapsed', reason: `paused ${step.seconds} s; continuing` } };
  } else if (!r.status.paused && step?.kind === 'approval') {
    const why = `approval gate "${step.gate}" timed out after ${step.timeoutSeconds} s`;
    update =
      step.onTimeout === 'continue'
        ? { status: advance(status, now), audit: { at, actor: SYSTEM, action: 'approval.timedOut', reason: `${why}; onTimeout is continue` } }
        : {
            status: { ...status, failure: { reason: `${why}; onTimeout is reject`, stepIndex: r.status.stepIndex, stage: r.status.canaryWeight } },
            audit: { at, actor: SYSTEM, action: 'approval.timedOut', reason: `${why}; onTimeout is reject: rolling back` },
          };
  }
  if (!update) return { rolloutId: r.rolloutId, next };
  const saved = await deps.repo.updateStatus(r.rolloutId, r.version, update.status, [update.audit]);
  return { rolloutId: saved.rolloutId, next: nextAction(saved, now) };
}
