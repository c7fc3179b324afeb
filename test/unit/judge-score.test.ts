import { describe, expect, it } from 'vitest';
import { allowsPromotion, classifyScore, judge, scoreMetrics, shouldEndEarly, type JudgeConfigInput, type Judgement, type MetricVerdict } from '../../core/judge/index.js';
import { parseJudgeConfig } from '../../core/judge/config.js';
import { latencies, mulberry32 } from '../fixtures/judge/generate.js';

const metricOf = (j: Judgement, name: string): MetricVerdict => j.metrics.find((m) => m.metric === name)!;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('judge — scoring', () => {
  const rand = mulberry32(2024);
  const base = latencies(rand, 100, 100);
  const same = { canary: base, baseline: base };
  const worse = { canary: latencies(rand, 100, 200), baseline: base };
  const empty = { canary: [], baseline: [] };

  const weighted: JudgeConfigInput = {
    metrics: [
      { name: 'p99', group: 'latency' },
      { name: 'avg', group: 'latency' },
      { name: 'errors', group: 'errors' },
    ],
    groups: [
      { name: 'latency', weight: 3 },
      { name: 'errors', weight: 1 },
    ],
    thresholds: { pass: 95, marginal: 60 },
  };

  it('scores groups by the share of their metrics that pass, weighted: (3·50 + 1·100) / 4 = 62.5 → marginal', () => {
    const j = judge(weighted, { p99: worse, avg: same, errors: same });
    expect(j.groups.map((g) => [g.group, g.score, g.share])).toEqual([
      ['latency', 50, 0.75],
      ['errors', 100, 0.25],
    ]);
    expect(j).toMatchObject({ score: 62.5, classification: 'marginal', criticalFailures: [], insufficientData: false });
    expect(j.explanation).toBe('score 62.5 — MARGINAL (pass ≥ 95, fail ≤ 60): 2 of 3 scored metrics passed; failed: p99 (HIGH)');
  });

  it('forces the score to 0 when a critical metric fails, however well the others do', () => {
    const cfg: JudgeConfigInput = { metrics: [{ name: 'p99', critical: true }, ...range(1, 9).map((i) => ({ name: `ok${i}` }))] };
    const samples = Object.fromEntries([['p99', worse], ...range(1, 9).map((i) => [`ok${i}`, same])]);
    const j = judge(cfg, samples);
    expect(j).toMatchObject({ score: 0, classification: 'fail', criticalFailures: ['p99'] });
    // the same failure on a non-critical metric only costs its share
    const relaxed = judge({ metrics: [{ name: 'p99' }, ...range(1, 9).map((i) => ({ name: `ok${i}` }))] }, samples);
    expect(relaxed.score).toBe(90);
  });

  it('noData "fail": a nodata metric counts as failed, and fails the judgement when critical', () => {
    expect(judge({ metrics: [{ name: 'a', noData: 'fail' }, { name: 'b' }] }, { a: empty, b: same })).toMatchObject({ score: 50, criticalFailures: [] });
    expect(judge({ metrics: [{ name: 'a', noData: 'fail', critical: true }, { name: 'b' }] }, { a: empty, b: same })).toMatchObject({
      score: 0,
      criticalFailures: ['a'],
    });
  });

  it('noData "count": a nodata metric lowers the score like a failure but never trips the critical rule', () => {
    const j = judge({ metrics: [{ name: 'a', noData: 'count', critical: true }, { name: 'b' }] }, { a: empty, b: same });
    expect(j).toMatchObject({ score: 50, criticalFailures: [] });
    expect(metricOf(j, 'a')).toMatchObject({ outcome: 'nodata', scoring: 'counted' });
  });

  it('noData "ignore": a nodata metric leaves the score; a group left empty is dropped and the weights renormalised', () => {
    const j = judge(weighted, { p99: same, avg: worse, errors: empty });
    expect(j.groups.find((g) => g.group === 'errors')).toMatchObject({ score: null, share: 0, ignored: 1 });
    expect(j.groups.find((g) => g.group === 'latency')).toMatchObject({ score: 50, share: 1 });
    expect(j.score).toBe(50);
    expect(j.explanation).toContain('; 1 without data');
  });

  it('scores 0 with insufficientData when no metric has data, instead of passing without evidence', () => {
    const j = judge(weighted, {});
    expect(j).toMatchObject({ score: 0, classification: 'fail', insufficientData: true, criticalFailures: [] });
    expect(j.explanation).toBe('score 0 — FAIL (pass ≥ 95, fail ≤ 60): no metric had enough data to be judged');
  });

  it('weights groups equally when the config declares none', () => {
    const j = judge({ metrics: [{ name: 'a', group: 'x' }, { name: 'b', group: 'x' }, { name: 'c', group: 'y' }] }, { a: worse, b: same, c: same });
    expect(j.score).toBe(75); // (50 + 100) / 2
  });

  it('lists sample keys that match no metric, and ignores inherited keys such as "constructor"', () => {
    const j = judge({ metrics: [{ name: 'constructor' }, { name: 'p99' }] }, { p99: same, p50: same });
    expect(j.unusedSamples).toEqual(['p50']);
    expect(metricOf(j, 'constructor').outcome).toBe('nodata');
  });
});

describe('thresholds and canary decisions', () => {
  const thresholds = { pass: 90, marginal: 60 };

  it('classifies at the boundaries: ≥ pass passes, ≤ marginal fails, strictly between is marginal', () => {
    expect(classifyScore(90, thresholds)).toBe('pass');
    expect(classifyScore(89.99, thresholds)).toBe('marginal');
    expect(classifyScore(60.01, thresholds)).toBe('marginal');
    expect(classifyScore(60, thresholds)).toBe('fail');
  });

  it('ends a canary early at or below marginal, and promotes only at or above pass', () => {
    expect(shouldEndEarly({ score: 60, thresholds })).toBe(true);
    expect(shouldEndEarly({ score: 60.01, thresholds })).toBe(false);
    expect(allowsPromotion({ score: 90, thresholds })).toBe(true);
    expect(allowsPromotion({ score: 89.99, thresholds })).toBe(false);
  });

  it('takes a Judgement as is: a critical failure ends the canary early and blocks promotion', () => {
    const j = judge({ metrics: [{ name: 'a', critical: true }] }, { a: { canary: new Array(20).fill(9), baseline: new Array(20).fill(1) } });
    expect(shouldEndEarly(j)).toBe(true);
    expect(allowsPromotion(j)).toBe(false);
  });

  it('rounds the score to 2 decimals before classifying it (one third of a group is 33.33, not 33.333…)', () => {
    const cfg = parseJudgeConfig({ metrics: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], thresholds: { pass: 34, marginal: 33.33 } });
    const r = scoreMetrics(cfg, [
      { metric: 'a', group: 'default', critical: false, outcome: 'pass', noData: 'ignore' },
      { metric: 'b', group: 'default', critical: false, outcome: 'high', noData: 'ignore' },
      { metric: 'c', group: 'default', critical: false, outcome: 'low', noData: 'ignore' },
    ]);
    expect(r).toMatchObject({ score: 33.33, classification: 'fail' });
  });
});
