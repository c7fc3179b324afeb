import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidJudgeConfigError, JudgeConfigSchema, parseJudgeConfig } from '../../core/judge/config.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/judge/${name}`, import.meta.url), 'utf8'));

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseJudgeConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidJudgeConfigError);
    expect((e as Error).name).toBe('InvalidJudgeConfigError');
    return (e as InvalidJudgeConfigError).issues;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseJudgeConfig', () => {
  it('fills every default from a config that names only a metric', () => {
    expect(parseJudgeConfig({ metrics: [{ name: 'latencyP99' }] })).toEqual({
      metrics: [
        {
          name: 'latencyP99',
          label: 'latencyP99',
          direction: 'increase',
          allowedIncreasePct: 10,
          allowedDecreasePct: 10,
          tolerance: 0,
          effectMeasure: 'mean',
          critical: false,
          noData: 'ignore',
          group: 'default',
          confidence: 0.95,
          minSamples: 5,
        },
      ],
      groups: [],
      thresholds: { pass: 95, marginal: 75 },
    });
  });

  it('accepts the documented example config (test/fixtures/judge/judge.config.json) as written', () => {
    const cfg = parseJudgeConfig(fixture('judge.config.json'));
    expect(cfg.metrics.map((m) => [m.name, m.label, m.group, m.critical])).toEqual([
      ['latencyP99', 'p99 latency', 'latency', true],
      ['latencyAvg', 'average latency', 'latency', false],
      ['errorRate', '5xx rate', 'errors', true],
      ['throughput', 'requests per second', 'traffic', false],
      ['cpu', 'CPU utilisation', 'resources', false],
    ]);
    expect(cfg.thresholds).toEqual({ pass: 90, marginal: 60 });
    expect(cfg.metrics[4]).toMatchObject({ direction: 'either', confidence: 0.99, minSamples: 10 });
  });

  it('rejects invalid fields, naming the exact path of every one of them', () => {
    const issues = issuesOf(fixture('judge.config.invalid.json'));
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'metrics[0].direction',
        'metrics[0].allowedIncreasePct',
        'metrics[0].confidence',
        'metrics[1].name',
        'metrics[1].noData',
        'metrics[1].minSamples',
        'groups[0].weight',
        'thresholds.pass',
      ].sort(),
    );
    expect(issues.find((i) => i.path === 'metrics[0].direction')!.message).toMatch(/increase.*decrease.*either/);
  });

  it('rejects cross-field mistakes once the fields themselves are valid: duplicates, undeclared or unused groups, marginal ≥ pass', () => {
    // zod runs object-level refinements only when the fields parsed, so these are reported in a second round.
    const issues = issuesOf(fixture('judge.config.cross-field.json'));
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'metrics[1].name', message: 'duplicate metric name latencyP99 (also metrics[0])' },
        { path: 'groups[2].name', message: 'duplicate group name latency (also groups[0])' },
        { path: 'metrics[2].group', message: 'group errors is not declared in groups' },
        { path: 'groups[1].name', message: 'group traffic has no metrics' },
        { path: 'thresholds.marginal', message: 'marginal must be below pass' },
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it('rejects a config without metrics and says where', () => {
    expect(issuesOf({ metrics: [] }).map((i) => i.path)).toEqual(['metrics']);
    expect(issuesOf({}).map((i) => i.path)).toEqual(['metrics']);
  });

  it('rejects an explicit pass threshold below the default marginal one, on marginal', () => {
    expect(issuesOf({ metrics: [{ name: 'a' }], thresholds: { pass: 50 } })).toEqual([{ path: 'thresholds.marginal', message: 'marginal must be below pass' }]);
  });

  it('puts every issue into the error message, one line each', () => {
    expect(() => parseJudgeConfig({ metrics: [{ name: 'a', confidence: 0.3 }] })).toThrow(/metrics\[0\]\.confidence: Too small/);
  });

  it('parses its own output again to the same config (judge() may be handed an already parsed config)', () => {
    const once = parseJudgeConfig(fixture('judge.config.json'));
    expect(JudgeConfigSchema.parse(once)).toEqual(once);
  });
});
