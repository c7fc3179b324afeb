import { describe, expect, it } from 'vitest';
import { renderRollout, type JudgementDoc, type RolloutDoc } from '../../cli/render.js';

const doc = (measurements: RolloutDoc['measurements']): RolloutDoc => ({
  rolloutId: 'demo-1',
  service: 'demo',
  environment: 'local',
  image: 'demo:v2',
  stableImage: 'demo:v1',
  phase: 'Progressing',
  message: 'step 2/4: analysing at 25 %',
  step: { index: 1, total: 4 },
  weights: { stable: 75, canary: 25 },
  createdAt: '2026-11-22T10:00:00Z',
  failure: null,
  measurements,
});
const judgement = (over: Partial<JudgementDoc> = {}): JudgementDoc => ({
  mode: 'both',
  counts: true,
  applicable: true,
  final: false,
  verdict: 'inconclusive',
  explanation: 'score 80 — MARGINAL (pass ≥ 95, fail ≤ 75): 2 of 3 scored metrics passed; failed: p99 latency (HIGH)',
  metrics: [
    { outcome: 'pass', explanation: 'average latency rose 4 % (95 % CI −1 % to +9 %) over baseline; not significant at 95 %: PASS' },
    { outcome: 'high', explanation: 'p99 latency rose 31 % (95 % CI +12 % to +48 %) over baseline; allowed 20 %: HIGH' },
    { outcome: 'nodata', explanation: '5xx rate: no data — 3 finite canary values and 3 finite baseline values, 5 needed on each side: NODATA, left out of the score' },
  ],
  ...over,
});
const m = (stage: number, j?: JudgementDoc) => ({ stepIndex: 1, stage, verdict: 'pass', results: [], ...(j ? { judgement: j } : {}) });

describe('renderRollout: the last judgement', () => {
  it('shows the score line and one line per metric with its explanation', () => {
    const lines = renderRollout(doc([m(25, judgement())])).split('\n');
    const at = lines.findIndex((l) => l.startsWith('  judge '));
    expect(lines[at]).toBe(`  judge     ${judgement().explanation} — at 25 % (judgeMode both)`);
    const [avg, p99, errors] = judgement().metrics.map((x) => x.explanation);
    expect(lines.slice(at + 1, at + 4)).toEqual([`            ✔ ${avg}`, `            ✖ ${p99}`, `            ? ${errors}`]);
  });

  it('uses the last applicable judgement (at 100 % the judge is skipped) and says when it only shadows', () => {
    const text = renderRollout(doc([m(75, judgement({ counts: false, final: true })), m(100, judgement({ applicable: false, verdict: 'skipped', metrics: [] }))]));
    expect(text).toContain('— at 75 %, end of step (shadow: recorded, not deciding)');
  });

  it('shows no judge section without a judgement', () => {
    expect(renderRollout(doc([m(25)]))).not.toContain('judge ');
  });
});
