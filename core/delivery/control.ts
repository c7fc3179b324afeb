import { advance } from './engine.js';
import { TaskTokenGoneError, type DeliveryDeps, type ExecutionControl, type RolloutView } from './ports.js';
import type { AuditEntry, Rollout, RolloutStatus } from './rollout.js';

/**
 * Manual control of a running rollout: pause, resume, promote (next step), promote --full, approve,
 * reject, abort. Each command is a pure decision on the stored status (a 409 with the reason when it
 * makes no sense in that state), one conditional write with the audit entry (actor, time, reason), and
 * — when the execution waits at a gate — a wake-up through its task token. The status is the truth:
 * the wake-up only tells the execution to look again, so a lost or late token changes nothing.
 */

export const COMMANDS = ['promote', 'promote-full', 'pause', 'resume', 'approve', 'reject', 'abort'] as const;
export type Command = (typeof COMMANDS)[number];

/** The command makes no sense in the rollout's current state (HTTP 409). */
export class CommandConflictError extends Error {
  override name = 'CommandConflictError';
}

export interface Decision {
  status: RolloutStatus;
  audit: AuditEntry;
  /** Wake the execution if it waits at a gate. */
  wake: boolean;
  /** What the caller is told happened. */
  message: string;
}

const conflict = (message: string): never => {
  throw new CommandConflictError(message);
};

/** Why nothing can be commanded any more, or undefined while the rollout is in flight. */
function closed(r: Pick<Rollout, 'status'>, command: Command): string | undefined {
  const s = r.status;
  if (s.outcome) return `the rollout has ended (${s.outcome}); nothing to ${command}`;
  if (s.abort.requested) return `the rollout is being aborted (${s.abort.reason ?? 'abort requested'}); nothing to ${command}`;
  if (s.failure) return `the rollout is rolling back (${s.failure.reason}); nothing to ${command}`;
  return undefined;
}

/** Decides what `command` does to this rollout at `now`, or throws CommandConflictError saying why not. */
export function decide(r: Pick<Rollout, 'spec' | 'status'>, command: Command, actor: string, reason: string, now: Date): Decision {
  const at = now.toISOString();
  const s = r.status;
  const entry = (action: string, why: string, data?: Record<string, unknown>): AuditEntry => ({ at, actor, action, reason: why, ...(data ? { data } : {}) });
  const because = reason ? `: ${reason}` : '';
  const ended = closed(r, command);
  if (ended) conflict(ended);
  if (command === 'abort') {
    return { status: { ...s, abort: { requested: true, reason: reason || `aborted by ${actor}`, by: actor, at } }, audit: entry('rollout.abortRequested', reason || `aborted by ${actor}`), wake: true, message: 'abort requested: traffic goes back to the stable version now' };
  }
  if (!s.lockHeld) conflict(`the rollout has not started yet (waiting for the service lock); only abort applies`);
  const step = r.spec.steps[s.stepIndex];
  const where = `step ${s.stepIndex + 1}/${r.spec.steps.length}`;
  switch (command) {
    case 'pause':
      if (s.paused) conflict(`already paused by ${s.paused.by} at ${s.paused.at}`);
      if (s.promoteFull) conflict('a full promotion is under way');
      if (step?.kind === 'pause' || step?.kind === 'approval') conflict(`${where} already waits (${step.kind === 'approval' ? `approval gate "${step.gate}"` : step.reason})`);
      return { status: { ...s, paused: { by: actor, at, reason: reason || 'paused' } }, audit: entry('rollout.paused', `paused at ${where}${because}`), wake: false, message: `paused: takes effect after the current ${step?.kind ?? 'step'}` };
    case 'resume': {
      if (!s.paused) conflict(step?.kind === 'pause' ? `${where} is a pause step: promote to continue` : 'the rollout is not paused');
      const { paused: _p, ...rest } = s;
      return { status: rest, audit: entry('rollout.resumed', `resumed at ${where}${because}`), wake: true, message: 'resumed' };
    }
    case 'approve':
    case 'reject': {
      if (step?.kind !== 'approval') conflict(`no approval gate is pending (${where} is ${step ? `a ${step.kind} step` : 'promotion'})`);
      const gate = step as Extract<typeof step, { kind: 'approval' }>;
      if (command === 'approve') {
        return { status: advance(s, now), audit: entry('approval.approved', `gate "${gate.gate}" approved${because}`, { stepIndex: s.stepIndex }), wake: true, message: `gate "${gate.gate}" approved` };
      }
      const why = `gate "${gate.gate}" rejected by ${actor}${because}`;
      return {
        status: { ...s, failure: { reason: why, stepIndex: s.stepIndex, stage: s.canaryWeight } },
        audit: entry('approval.rejected', why, { stepIndex: s.stepIndex }),
        wake: true,
        message: `gate "${gate.gate}" rejected: rolling back`,
      };
    }
    case 'promote':
    case 'promote-full': {
      if (s.promoteFull) conflict('a full promotion is already under way');
      const { paused: _p, ...unpaused } = s;
      if (step?.kind === 'approval') conflict(`${where} is approval gate "${step.gate}": approve or reject it (promote cannot bypass an approval)`);
      if (command === 'promote-full') {
        if (r.spec.steps.slice(s.stepIndex).some((x) => x.kind === 'approval')) conflict('an approval gate lies ahead: promote --full cannot bypass it; promote step by step and approve');
        return { status: { ...unpaused, promoteFull: { by: actor, at } }, audit: entry('rollout.promoteFull', `full promotion from ${where}: remaining steps skipped${because}`), wake: true, message: 'promoting fully: remaining steps skipped' };
      }
      if (!step) conflict('every step is done: the rollout is promoting');
      if (step!.kind === 'setWeight' || step!.kind === 'testRoute') conflict(`${where} is shifting traffic right now; promote again in a moment`);
      if (step!.kind === 'pause') return { status: advance(unpaused, now), audit: entry('step.promoted', `${where} (pause) promoted${because}`, { stepIndex: s.stepIndex }), wake: true, message: `${where} promoted` };
      if (s.skipStep === s.stepIndex) conflict(`${where} is already promoted; it ends at its next measurement`);
      const wait = r.spec.analysis.intervalSeconds;
      return {
        status: { ...unpaused, skipStep: s.stepIndex },
        audit: entry('step.promoteRequested', `${where} (${step!.kind}) promoted${because}`, { stepIndex: s.stepIndex }),
        wake: !!s.paused,
        message: `${where} (${step!.kind}) ends at its next measurement (within ${wait} s)`,
      };
    }
  }
}

export interface CommandResult {
  rolloutId: string;
  command: Command;
  message: string;
  status: RolloutStatus;
}

/** Wakes the execution waiting at `token`; a token that no longer waits is fine (the status decides). */
export async function wake(control: ExecutionControl, token: string | undefined): Promise<void> {
  if (!token) return;
  try {
    await control.sendTaskSuccess(token, {});
  } catch (e) {
    if (!(e instanceof TaskTokenGoneError) && (e as Error).name !== 'TaskTokenGoneError') throw e;
  }
}

/**
 * Runs a command: decide, write (conditional on the version read; on a race, read and decide again),
 * then wake the execution if it waits. Throws RolloutNotFoundError-like errors from `load`, and
 * CommandConflictError when the command does not apply.
 */
export async function runCommand(
  deps: Pick<DeliveryDeps, 'repo' | 'clock'> & { control: ExecutionControl },
  rolloutId: string,
  command: Command,
  actor: string,
  reason: string,
  load: (id: string) => Promise<RolloutView>,
): Promise<CommandResult> {
  for (let attempt = 0; ; attempt++) {
    const r = await load(rolloutId);
    const d = decide(r, command, actor, reason, deps.clock.now());
    try {
      const saved = await deps.repo.updateStatus(rolloutId, r.version, d.status, [d.audit]);
      if (d.wake) await wake(deps.control, r.status.waiting?.token);
      return { rolloutId, command, message: d.message, status: saved.status };
    } catch (e) {
      if ((e as Error).name !== 'ConcurrentUpdateError' || attempt >= 4) throw e;
    }
  }
}
