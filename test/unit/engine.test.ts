import { describe, expect, it } from 'vitest';
import { measure } from '../../core/delivery/analysis.js';
import { applyAnalysis, applySetWeight, initialStatus, InvalidTransitionError, nextAction } from '../../core/delivery/engine.js';
import { weightBefore } from '../../core/delivery/spec.js';
import { canarySpec } from '../../core/delivery/strategies.js';

const spec = canarySpec({ stages: [10, 50, 100], stageSeconds: 60, analysis: { intervalSeconds: 20, metrics: [{ metric: 'http5xxRate', max: 1 }] } });
const t0 = new Date('2026-11-22T10:00:00Z');
const plus = (s: number) => new Date(t0.getTime() + s * 1000);
const ok = { from: '', to: '', requests: 100, errors5xx: 0, avgLatencyMs: 1, p99LatencyMs: 1, unhealthyHosts: 0 };

describe('canarySpec', () => {
  it('expands stages into setWeight + analysis steps', () => {
    expect(spec.steps).toEqual([
      { kind: 'setWeight', weight: 10 },
      { kind: 'analysis', seconds: 60 },
      { kind: 'setWeight', weight: 50 },
      { kind: 'analysis', seconds: 60 },
      { kind: 'setWeight', weight: 100 },
      { kind: 'analysis', seconds: 60 },
    ]);
    expect(weightBefore(spec, 3)).toBe(50);
  });
  it.each([
    [{ stages: [10, 5, 100] }, 'stages must increase strictly'],
    [{ stages: [10, 50] }, 'the last stage must be 100'],
    [{ stageSeconds: 5, analysis: { intervalSeconds: 30, metrics: [{ metric: 'http5xxRate', max: 1 }] } }, 'at least one analysis interval'],
  ])('rejects %j', (opts, message) => {
    expect(() => canarySpec(opts as never)).toThrow(message);
  });
});

describe('nextAction', () => {
  const status = { ...initialStatus(), lockHeld: true, stepStartedAt: t0.toISOString() };
  it('starts with the first setWeight', () => {
    expect(nextAction({ spec, status }, t0)).toEqual({ action: 'setWeight', stepIndex: 0, waitSeconds: 0 });
  });
  it('waits one interval in an analysis step, or what is left of it', () => {
    const s = { ...status, stepIndex: 1 };
    expect(nextAction({ spec, status: s }, t0)).toMatchObject({ action: 'analyse', waitSeconds: 20 });
    expect(nextAction({ spec, status: s }, plus(50))).toMatchObject({ action: 'analyse', waitSeconds: 10 });
    expect(nextAction({ spec, status: s }, plus(90))).toMatchObject({ action: 'analyse', waitSeconds: 1 });
  });
  it('promotes after the last step', () => {
    expect(nextAction({ spec, status: { ...status, stepIndex: 6 } }, t0).action).toBe('promote');
  });
  it('rolls back whenever an abort was requested or a failure recorded', () => {
    expect(nextAction({ spec, status: { ...status, abort: { requested: true } } }, t0).action).toBe('rollback');
    expect(nextAction({ spec, status: { ...status, stepIndex: 3, failure: { reason: 'x', stepIndex: 3, stage: 50 } } }, t0).action).toBe('rollback');
  });
});

describe('applySetWeight and applyAnalysis', () => {
  const start = { ...initialStatus(), lockHeld: true, stepStartedAt: t0.toISOString() };
  it('records the weight and moves to the analysis step', () => {
    const t = applySetWeight({ spec, status: start }, t0);
    expect(t.status).toMatchObject({ stepIndex: 1, canaryWeight: 10 });
    expect(t.audit).toMatchObject({ action: 'weight.set', reason: 'canary weight 0 % → 10 %' });
  });
  it('refuses a setWeight on an analysis step', () => {
    expect(() => applySetWeight({ spec, status: { ...start, stepIndex: 1 } }, t0)).toThrow(InvalidTransitionError);
  });
  it('stays on the step until its time is up, then completes it', () => {
    const s = { ...start, stepIndex: 1, canaryWeight: 10 };
    const m = measure(spec.analysis, ok, { stepIndex: 1, stage: 10 });
    const early = applyAnalysis({ spec, status: s }, m, plus(20));
    expect(early).toMatchObject({ stepCompleted: false, failed: false });
    const late = applyAnalysis({ spec, status: early.status }, m, plus(60));
    expect(late.stepCompleted).toBe(true);
    expect(late.status.stepIndex).toBe(2);
    expect(late.status.counters.measurements).toBe(0);
  });
  it('never completes a step without a passing measurement', () => {
    const s = { ...start, stepIndex: 1, canaryWeight: 10 };
    const noData = measure(spec.analysis, { ...ok, requests: 0 }, { stepIndex: 1, stage: 10 });
    const t = applyAnalysis({ spec, status: s }, noData, plus(120));
    expect(t.stepCompleted).toBe(false);
    expect(t.status.counters.inconclusive).toBe(1);
  });
  it('marks the failure with the stage when the analysis fails', () => {
    const s = { ...start, stepIndex: 3, canaryWeight: 50 };
    const bad = measure(spec.analysis, { ...ok, errors5xx: 40 }, { stepIndex: 3, stage: 50 });
    const t = applyAnalysis({ spec, status: s }, bad, plus(20));
    expect(t.failed).toBe(true);
    expect(t.status.failure).toMatchObject({ metric: 'http5xxRate', value: 40, threshold: 1, stage: 50, stepIndex: 3 });
    expect(nextAction({ spec, status: t.status }, plus(20)).action).toBe('rollback');
  });
});
