/**
 * Strict validation of flagd documents (the default): every problem, with its exact path.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFlagd } from '../../core/flags/flagd/compile.js';
import { InvalidFlagsError } from '../../core/flags/model.js';

function issues(doc: unknown): { path: string; message: string }[] {
  try {
    compileFlagd(doc);
  } catch (e) {
    if (e instanceof InvalidFlagsError) {
      expect(e.format).toBe('flagd');
      return e.issues;
    }
    throw e;
  }
  return [];
}
const paths = (doc: unknown) => issues(doc).map((i) => i.path);
const flag = (extra: Record<string, unknown>) => ({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', ...extra });
const withTargeting = (targeting: unknown, variants?: Record<string, unknown>) => ({ flags: { f: flag({ targeting, ...(variants ? { variants, defaultVariant: Object.keys(variants)[0] } : {}) }) } });

describe('document structure', () => {
  it('accepts flagd\'s own examples and our fixtures', () => {
    for (const file of ['e2e.flagd.json', 'ours-operators.flagd.json', 'ours-quirks.flagd.json']) {
      expect(issues(JSON.parse(readFileSync(new URL(`../fixtures/flags/flagd/${file}`, import.meta.url), 'utf8')))).toEqual([]);
    }
  });

  it('reports every problem with its path', () => {
    const found = issues({
      $schema: 'https://flagd.dev/schema/v0/flags.json',
      metadata: { version: 1, bad: { nested: true } },
      flags: {
        'new-welcome': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'maybe' },
        'bad-state': { state: 'enabled', variants: { on: true } },
        mixed: { state: 'ENABLED', variants: { on: true, off: 'false' }, defaultVariant: 'on' },
        empty: { state: 'ENABLED', variants: {} },
        nulls: { state: 'ENABLED', variants: { a: null } },
        arrays: { state: 'ENABLED', variants: { a: [1] } },
        meta: { state: 'ENABLED', variants: { a: 1 }, metadata: { owner: ['x'] } },
        targeting: { state: 'ENABLED', variants: { a: 1 }, targeting: 'if x' },
      },
    });
    expect(found.map((i) => i.path)).toEqual([
      'metadata.bad',
      'flags.new-welcome.defaultVariant',
      'flags.bad-state.state',
      'flags.mixed.variants.off',
      'flags.empty.variants',
      'flags.nulls.variants.a',
      'flags.arrays.variants.a',
      'flags.meta.metadata.owner',
      'flags.targeting.targeting',
    ]);
    expect(found[1]!.message).toBe('"maybe" is not one of the variants (on, off)');
  });

  it('needs a flags map', () => {
    expect(paths({})).toEqual(['flags']);
    expect(paths({ flags: [] })).toEqual(['flags']);
    expect(paths(null)).toEqual(['']);
  });

  it('allows a null or absent defaultVariant (code default), rejects an empty one', () => {
    expect(issues({ flags: { a: flag({ defaultVariant: null }), b: { state: 'ENABLED', variants: { x: 1 } } } })).toEqual([]);
    expect(paths({ flags: { a: flag({ defaultVariant: '' }) } })).toEqual(['flags.a.defaultVariant']);
  });
});

describe('targeting', () => {
  it.each([
    [{ foo: [1] }, 'flags.f.targeting', "unknown operator 'foo'"],
    [{ if: [{ '==': [1, 2], '!=': [1, 2] }, 'on'] }, 'flags.f.targeting.if[0]', 'an operation has exactly one key (found ==, !=)'],
    [{ if: [{ '==': [{ var: 'a' }] }, 'on', 'off'] }, 'flags.f.targeting.if[0].==', '== takes 2 arguments, got 1'],
    [{ if: [{ '>': [1, { var: 'a' }, 3] }, 'on', 'off'] }, 'flags.f.targeting.if[0].>', '> takes 2 arguments, got 3'],
    [{ if: [] }, 'flags.f.targeting.if', 'if takes at least 1 argument, got 0'],
    [{ if: [{ var: '$flagd.nope' }, 'on', 'off'] }, 'flags.f.targeting.if[0].var', "unknown flagd property '$flagd.nope' (flagd provides $flagd.flagKey and $flagd.timestamp)"],
    [{ if: [{ var: ['x', { var: 'y' }] }, 'on', 'off'] }, 'flags.f.targeting.if[0].var[1]', 'the default of var is a string, number, boolean or null'],
    [{ if: [{ missing: [{ var: 'x' }] }, 'on', 'off'] }, 'flags.f.targeting.if[0].missing', 'missing takes an array of key strings'],
    [{ if: [{ starts_with: [{ var: 'id' }, 0] }, 'on', 'off'] }, 'flags.f.targeting.if[0].starts_with[1]', 'starts_with compares strings; 0 is not a string'],
    [{ if: [{ sem_ver: [{ var: 'v' }, '*', '2.0.0'] }, 'on', 'off'] }, 'flags.f.targeting.if[0].sem_ver[1]', 'sem_ver operator must be one of = != < <= > >= ^ ~; got "*"'],
    [{ if: [{ sem_ver: [{ var: 'v' }, '=', '2.0.0.0'] }, 'on', 'off'] }, 'flags.f.targeting.if[0].sem_ver[2]', '"2.0.0.0" is not a semantic version'],
    [{ fractional: ['invalid', ['on', 50], ['off', 50]] }, 'flags.f.targeting.fractional[0]', 'the bucketing key must be an expression (a literal "invalid" puts everyone in the same bucket)'],
    [{ fractional: [['on', 25.5], ['off', 25]] }, 'flags.f.targeting.fractional[0][1]', 'a weight is a non-negative integer (or an expression); got 25.5'],
    [{ fractional: [['on', -25], ['off', 25]] }, 'flags.f.targeting.fractional[0][1]', 'a weight is a non-negative integer (or an expression); got -25'],
    [{ fractional: [['on', '25'], ['off', 25]] }, 'flags.f.targeting.fractional[0][1]', 'a weight is a non-negative integer (or an expression); got "25"'],
    [{ fractional: [['on', 2147483647], ['off', 1]] }, 'flags.f.targeting.fractional', 'the weights add up to 2147483648, more than 2147483647'],
    [{ fractional: [{ var: 'k' }] }, 'flags.f.targeting.fractional', 'fractional needs at least one [variant, weight] bucket'],
    [{ fractional: [{ var: 'k' }, 'on'] }, 'flags.f.targeting.fractional[1]', 'a bucket is [variant] or [variant, weight]'],
  ])('%j → %s', (targeting, path, message) => {
    expect(issues(withTargeting(targeting))).toEqual([{ path, message }]);
  });

  it('rejects results that name no variant (literals and boolean operations in result position)', () => {
    expect(issues(withTargeting({ if: [{ var: 'x' }, 'onn', { if: [{ var: 'y' }, 'off', 1] }] }))).toEqual([
      { path: 'flags.f.targeting.if[1]', message: 'targeting can return "onn", which is not a variant of this flag (variants: on, off)' },
      { path: 'flags.f.targeting.if[2].if[2]', message: 'targeting can return 1, which is not a variant of this flag (variants: on, off)' },
    ]);
    expect(paths(withTargeting({ '==': [{ var: 'x' }, 1] }))).toEqual(['flags.f.targeting.==', 'flags.f.targeting.==']);
    expect(issues(withTargeting({ '==': [{ var: 'x' }, 1] }, { true: 1, false: 0 }))).toEqual([]);
    expect(paths(withTargeting({ fractional: [['on', 1], ['of', 1]] }))).toEqual(['flags.f.targeting.fractional[1][0]']);
    // …but not where the value is only a condition or a weight
    expect(issues(withTargeting({ if: [{ fractional: [[true, 1], [false, 1]] }, 'on', 'off'] }))).toEqual([]);
    expect(issues(withTargeting({ fractional: [{ var: 'k' }, ['on', { if: [{ var: 'p' }, 100, 0] }], ['off', 10]] }))).toEqual([]);
  });

  it('reports build failures the engine would hit (constant expressions that throw)', () => {
    expect(issues(withTargeting({ if: [{ '/': [{ var: 'x' }, 0] }, 'on', 'off'] }))).toEqual([{ path: 'flags.f.targeting.if[0]./[1]', message: 'division by zero' }]);
    expect(issues(withTargeting({ if: [{ '>': [{ '+': ['abc'] }, { var: 'x' }] }, 'on', 'off'] }))).toEqual([
      { path: 'flags.f.targeting.if[0].>[0]', message: 'this constant expression fails when evaluated (not a number)' },
    ]);
  });

  it('checks $ref: unknown, cyclic, and problems inside evaluators at their own path', () => {
    const found = issues({
      $evaluators: { loop: { or: [{ $ref: 'loop2' }] }, loop2: { and: [{ $ref: 'loop' }] }, bad: { '==': [1] }, ok: { var: 'x' } },
      flags: {
        a: flag({ targeting: { if: [{ $ref: 'missing' }, 'on', 'off'] } }),
        b: flag({ targeting: { if: [{ $ref: 'ok' }, 'on', 'off'] } }),
        c: flag({ targeting: { $ref: 'ok' } }),
      },
    });
    expect(found).toEqual([
      { path: '$evaluators.loop2.and[0].$ref', message: "evaluator 'loop' references itself (loop → loop2 → loop)" },
      { path: '$evaluators.loop.or[0].$ref', message: "evaluator 'loop2' references itself (loop2 → loop → loop2)" },
      { path: '$evaluators.bad.==', message: '== takes 2 arguments, got 1' },
      { path: 'flags.a.targeting.if[0].$ref', message: "unknown evaluator 'missing' (not in $evaluators)" },
    ]);
  });

  it('reports tail problems of referenced evaluators at the reference', () => {
    const found = issues({ $evaluators: { pick: { if: [{ var: 'x' }, 'on', 'nope'] } }, flags: { f: flag({ targeting: { $ref: 'pick' } }) } });
    expect(found).toEqual([{ path: 'flags.f.targeting.$ref', message: "targeting can return \"nope\", which is not a variant of this flag (variants: on, off) (via evaluator 'pick')" }]);
  });

});
