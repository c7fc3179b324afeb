import { describe, expect, it } from 'vitest';
import { initialStatus } from '../../core/delivery/engine.js';
import { phaseOf } from '../../core/delivery/phase.js';
import type { RolloutStatus } from '../../core/delivery/rollout.js';
import { canarySpec } from '../../core/delivery/strategies.js';

const spec = canarySpec({ stages: [10, 100], stageSeconds: 30, analysis: { intervalSeconds: 10, metrics: [{ metric: 'http5xxRate', max: 1 }] } });
const revision = { image: 'repo:v2@sha256:ab', repository: 'repo', digest: 'sha256:ab' };
const base: RolloutStatus = { ...initialStatus(), lockHeld: true };
const failure = { reason: '5xx rate 9 % > 1 % at 10 % (failureLimit 0)', stepIndex: 1, stage: 10 };

describe('phaseOf: the phase and its message are a pure function of spec + status', () => {
  it.each<[string, Partial<RolloutStatus>, string, string]>([
    ['waiting for the lock', { lockHeld: false }, 'Pending', 'waiting for the service to be free of other rollouts'],
    ['first step', {}, 'Progressing', 'step 1/4: shifting 10 % of traffic to the canary'],
    [
      'analysing',
      { stepIndex: 1, canaryWeight: 10, counters: { measurements: 2, passed: 1, failed: 0, inconclusive: 1, errors: 0, consecutiveErrors: 0 } },
      'Progressing',
      'step 2/4: analysing at 10 % (1 passed, 0 failed, 1 inconclusive, 0 errors)',
    ],
    ['all steps done', { stepIndex: 4 }, 'Progressing', 'all steps done: promoting'],
    ['failure recorded, rollback running', { stepIndex: 1, failure }, 'Aborting', `rolling back: ${failure.reason}`],
    ['abort requested', { abort: { requested: true, reason: 'superseded by r2' } }, 'Aborting', 'aborting: superseded by r2'],
    ['promoted', { outcome: 'succeeded' }, 'Healthy', 'repo:v2@sha256:ab promoted: serving 100 % of traffic'],
    ['rolled back', { outcome: 'rolledBack', failure }, 'RolledBack', `rolled back: ${failure.reason}`],
    ['aborted', { outcome: 'aborted', abort: { requested: true, reason: 'superseded by r2' } }, 'Aborted', 'aborted: superseded by r2'],
    ['rollback failed', { outcome: 'failed', failure: { ...failure, reason: 'rollback failed' } }, 'Failed', 'failed: rollback failed'],
  ])('%s → %s', (_name, over, phase, message) => {
    expect(phaseOf({ spec, revision, status: { ...base, ...over } })).toEqual({ phase, message });
  });
});
