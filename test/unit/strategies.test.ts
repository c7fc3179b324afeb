import { describe, expect, it } from 'vitest';
import { StrategySchema, specFor, withApproval } from '../../core/delivery/strategies.js';

const analysis = { intervalSeconds: 10, metrics: [{ metric: 'http5xxRate' as const, max: 1 }] };
const kinds = (spec: ReturnType<typeof specFor>) =>
  spec.steps.map((s) => (s.kind === 'setWeight' ? `w${s.weight}` : s.kind === 'testRoute' ? `test:${s.enabled ? 'on' : 'off'}` : s.kind === 'approval' ? `approve:${s.gate}` : s.kind === 'pause' ? 'pause' : `${s.kind}:${s.seconds}`));

describe('each strategy expands into the step list the state machine runs', () => {
  it('canary: weight then analysis per stage; with autoPromote off, a pause after every stage but the last', () => {
    expect(kinds(specFor({ kind: 'canary', stages: [10, 50, 100], stageSeconds: 30, analysis }))).toEqual(['w10', 'analysis:30', 'w50', 'analysis:30', 'w100', 'analysis:30']);
    expect(kinds(specFor({ kind: 'canary', stages: [10, 100], stageSeconds: 30, autoPromote: false, analysis }))).toEqual(['w10', 'analysis:30', 'pause', 'w100', 'analysis:30']);
  });

  it('blue/green: green at 0 %, test route and pre-promotion analysis, switch at once, bake, delayed teardown', () => {
    const spec = specFor({ kind: 'blueGreen', testTraffic: true, prePromotionSeconds: 20, bakeSeconds: 60, scaleDownDelaySeconds: 300, analysis });
    expect(spec.strategy).toBe('blueGreen');
    expect(kinds(spec)).toEqual(['w0', 'test:on', 'analysis:20', 'test:off', 'w100', 'analysis:60', 'wait:300']);
    expect(kinds(specFor({ kind: 'blueGreen', manualSwitch: true, bakeSeconds: 60, scaleDownDelaySeconds: 0, analysis }))).toEqual(['w0', 'pause', 'w100', 'analysis:60']);
  });

  it('blue/green defaults keep blue 5 minutes after the bake, as the seed asks', () => {
    expect(StrategySchema.parse({ kind: 'blueGreen' })).toMatchObject({ scaleDownDelaySeconds: 300, testTraffic: false });
  });

  it('rolling: batches of maxSurge + maxUnavailable, traffic following the instances replaced, the last batch partial', () => {
    const spec = specFor({ kind: 'rolling', instances: 5, maxSurge: 2, maxUnavailable: 0, healthCheckSeconds: 15, analysis });
    expect(kinds(spec)).toEqual(['w40', 'analysis:15', 'w80', 'analysis:15', 'w100', 'analysis:15']);
    expect(spec.steps.flatMap((s) => (s.kind === 'setWeight' ? [s.replicas] : []))).toEqual([
      { canary: 2, stable: 3 },
      { canary: 4, stable: 1 },
      { canary: 5, stable: 0 },
    ]);
  });

  it('an approval step goes in front of any strategy', () => {
    const spec = withApproval(specFor({ kind: 'canary', stages: [100], stageSeconds: 10, analysis }), { gate: 'prod', timeoutSeconds: 60, onTimeout: 'reject' });
    expect(kinds(spec)).toEqual(['approve:prod', 'w100', 'analysis:10']);
  });
});

describe('strategy validation names the field and the reason', () => {
  const issues = (input: unknown) => {
    const r = StrategySchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  it.each([
    [{ kind: 'rolling', maxSurge: 0, maxUnavailable: 0, analysis }, 'maxSurge: maxSurge and maxUnavailable cannot both be 0'],
    [{ kind: 'blueGreen', prePromotionSeconds: 30, analysis }, 'prePromotionSeconds: pre-promotion analysis needs testTraffic: true'],
    [{ kind: 'blueGreen', bakeSeconds: 5, analysis }, 'bakeSeconds: must be at least one analysis interval (10 s)'],
    [{ kind: 'canary', stageSeconds: 5, analysis }, 'stageSeconds: must be at least one analysis interval (10 s)'],
    [{ kind: 'canary', stages: [50, 25, 100], analysis }, 'stages: stages must increase strictly'],
    [{ kind: 'linear' }, "kind: Invalid discriminator value. Expected 'canary' | 'blueGreen' | 'rolling'"],
  ])('%j', (input, message) => {
    expect(issues(input).join('\n')).toContain(message);
  });
});
