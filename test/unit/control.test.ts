import { describe, expect, it } from 'vitest';
import { CommandConflictError, decide, type Command } from '../../core/delivery/control.js';
import { initialStatus } from '../../core/delivery/engine.js';
import type { RolloutStatus } from '../../core/delivery/rollout.js';
import { specFor, withApproval } from '../../core/delivery/strategies.js';

const analysis = { intervalSeconds: 10, metrics: [{ metric: 'http5xxRate' as const, max: 1 }] };
const now = new Date('2026-11-22T10:00:00Z');
const spec = withApproval(specFor({ kind: 'canary', stages: [10, 100], stageSeconds: 30, autoPromote: false, analysis }), { gate: 'prod', timeoutSeconds: 60, onTimeout: 'reject' });
// steps: 0 approval, 1 w10, 2 analysis, 3 pause, 4 w100, 5 analysis
const at = (stepIndex: number, extra: Partial<RolloutStatus> = {}) => ({ spec, status: { ...initialStatus(), lockHeld: true, canaryDeployed: true, stepIndex, ...extra } });
const run = (r: ReturnType<typeof at>, c: Command) => decide(r, c, 'user:ana', 'because', now);
const conflict = (r: ReturnType<typeof at>, c: Command) => {
  try {
    run(r, c);
  } catch (e) {
    expect(e).toBeInstanceOf(CommandConflictError);
    return (e as Error).message;
  }
  throw new Error(`${c} was allowed`);
};

describe('which commands apply in which state (409 with the reason otherwise)', () => {
  it.each([
    [at(0), 'promote', 'step 1/6 is approval gate "prod": approve or reject it (promote cannot bypass an approval)'],
    [at(0), 'promote-full', 'approval gate "prod"'],
    [at(2), 'approve', 'no approval gate is pending (step 3/6 is a analysis step)'],
    [at(1), 'promote', 'step 2/6 is shifting traffic right now'],
    [at(2), 'resume', 'the rollout is not paused'],
    [at(3), 'resume', 'step 4/6 is a pause step: promote to continue'],
    [at(3), 'pause', 'step 4/6 already waits'],
    [at(2, { paused: { by: 'user:bo', at: 'x', reason: 'r' } }), 'pause', 'already paused by user:bo at x'],
    [at(2, { outcome: 'succeeded' }), 'abort', 'the rollout has ended (succeeded); nothing to abort'],
    [at(2, { abort: { requested: true, reason: 'superseded' } }), 'pause', 'the rollout is being aborted (superseded)'],
    [at(2, { failure: { reason: '5xx 12 %', stepIndex: 2, stage: 10 } }), 'promote', 'the rollout is rolling back (5xx 12 %)'],
    [{ spec, status: initialStatus() }, 'promote', 'has not started yet'],
    [at(2, { skipStep: 2 }), 'promote', 'already promoted; it ends at its next measurement'],
  ] as const)('case %#: the command is refused with the reason', (r, c, message) => {
    expect(conflict(r as ReturnType<typeof at>, c as Command)).toContain(message);
  });
});

describe('what applicable commands do', () => {
  it('approve advances past the gate and wakes the execution; the audit names the actor and reason', () => {
    const d = run(at(0), 'approve');
    expect(d.status.stepIndex).toBe(1);
    expect(d.wake).toBe(true);
    expect(d.audit).toMatchObject({ actor: 'user:ana', action: 'approval.approved', reason: 'gate "prod" approved: because' });
  });

  it('reject records a failure (the rollback path) and wakes the execution', () => {
    const d = run(at(0), 'reject');
    expect(d.status.failure?.reason).toBe('gate "prod" rejected by user:ana: because');
    expect(d.wake).toBe(true);
  });

  it('promote during an analysis marks the step to end at its next measurement, without waking anything', () => {
    const d = run(at(2), 'promote');
    expect(d.status.skipStep).toBe(2);
    expect(d.wake).toBe(false);
  });

  it('promote at a pause step advances and wakes; promote while paused also unpauses', () => {
    expect(run(at(3), 'promote').status.stepIndex).toBe(4);
    const d = run(at(2, { paused: { by: 'user:bo', at: 'x', reason: 'r' } }), 'promote');
    expect(d.status.paused).toBeUndefined();
    expect(d.wake).toBe(true);
  });

  it('pause, resume and abort', () => {
    expect(run(at(2), 'pause').status.paused).toEqual({ by: 'user:ana', at: now.toISOString(), reason: 'because' });
    expect(run(at(2, { paused: { by: 'user:bo', at: 'x', reason: 'r' } }), 'resume').status.paused).toBeUndefined();
    const abort = run({ spec, status: initialStatus() }, 'abort');
    expect(abort.status.abort).toEqual({ requested: true, reason: 'because', by: 'user:ana', at: now.toISOString() });
  });

  it('promote --full past the last approval skips the rest', () => {
    expect(run(at(4), 'promote-full').status.promoteFull).toEqual({ by: 'user:ana', at: now.toISOString() });
  });
});
