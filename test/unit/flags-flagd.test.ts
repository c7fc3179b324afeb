/**
 * flagd flag definitions: resolution reasons, every operator, `$evaluators`/`$ref`, metadata,
 * `$flagd` context properties, and json-logic-engine's quirks that flagd-core users observe.
 * (Strict validation: flags-flagd-validation.test.ts; hashing: flags-flagd-hash.test.ts;
 * flagd-core parity: flags-flagd-differential.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { compileFlagd, type FlagdCompileOptions } from '../../core/flags/flagd/compile.js';
import type { EvaluationContext, Resolution } from '../../core/flags/model.js';

const NOW = 1_750_000_000;
const V = Object.fromEntries(['a', 'b', 'c', 'true', 'false', '0', '1', '2', 'x-', 'x-null', 'yes', 'no'].map((n) => [n, n]));

/** Evaluates one targeting rule (string variants named after their values). */
function run(targeting: unknown, ctx: EvaluationContext = {}, options: FlagdCompileOptions = { validation: 'compat' }, extra: Record<string, unknown> = {}): Resolution {
  const set = compileFlagd({ flags: { f: { state: 'ENABLED', variants: V, defaultVariant: 'a', targeting, ...extra } } }, options);
  return set.flags.get('f')!.evaluate(ctx, NOW);
}
const variant = (targeting: unknown, ctx: EvaluationContext = {}) => {
  const r = run(targeting, ctx);
  return r.reason === 'ERROR' ? r.errorCode : r.variant;
};

describe('resolution reasons', () => {
  const set = compileFlagd({
    metadata: { team: 'core', version: '7' },
    flags: {
      off: { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
      fixed: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', metadata: { version: '8', owner: 'me' } },
      empty: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: {} },
      codeDefault: { state: 'ENABLED', variants: { small: 1, big: 2 } },
      nullDefault: { state: 'ENABLED', variants: { small: 1, big: 2 }, defaultVariant: null, targeting: { if: [{ '==': [{ var: 'size' }, 'big'] }, 'big', null] } },
      targeted: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'on', null] } },
      split: { state: 'ENABLED', variants: { a: 'A', b: 'B' }, defaultVariant: 'a', targeting: { fractional: [['a', 1], ['b', 1]] } },
      typo: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ var: 'x' }, 'on', 'off'] } },
    },
  });
  const ev = (key: string, ctx: EvaluationContext = {}) => set.flags.get(key)!.evaluate(ctx, NOW);

  it('DISABLED: no value or variant (the caller uses its code default), flag metadata', () => {
    expect(ev('off')).toEqual({ key: 'off', reason: 'DISABLED', metadata: { team: 'core', version: '7' } });
  });

  it('STATIC: no targeting (absent or {}) → defaultVariant; flag metadata over set metadata', () => {
    expect(ev('fixed')).toEqual({ key: 'fixed', value: false, variant: 'off', reason: 'STATIC', metadata: { team: 'core', version: '8', owner: 'me' } });
    expect(ev('empty')).toMatchObject({ value: false, variant: 'off', reason: 'STATIC' });
  });

  it('DEFAULT without a value when there is no defaultVariant (the code default applies)', () => {
    expect(ev('codeDefault')).toEqual({ key: 'codeDefault', reason: 'DEFAULT', metadata: { team: 'core', version: '7' } });
    expect(ev('nullDefault', { size: 'small' })).toEqual({ key: 'nullDefault', reason: 'DEFAULT', metadata: { team: 'core', version: '7' } });
    expect(ev('nullDefault', { size: 'big' })).toMatchObject({ value: 2, variant: 'big', reason: 'TARGETING_MATCH' });
  });

  it('TARGETING_MATCH when targeting names a variant, DEFAULT (with defaultVariant) when it returns null', () => {
    expect(ev('targeted', { plan: 'pro' })).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH' });
    expect(ev('targeted', { plan: 'free' })).toMatchObject({ value: false, variant: 'off', reason: 'DEFAULT' });
  });

  it('SPLIT when the variant came from fractional (TARGETING_MATCH with splitReason: false, like flagd)', () => {
    expect(ev('split', { targetingKey: 'user-1' }).reason).toBe('SPLIT');
    expect(ev('split').reason).toBe('DEFAULT'); // no targetingKey: fractional returns null
    const flagdLike = compileFlagd({ flags: { s: { state: 'ENABLED', variants: { a: 'A' }, defaultVariant: 'a', targeting: { fractional: [['a', 1]] } } } }, { splitReason: false });
    expect(flagdLike.flags.get('s')!.evaluate({ targetingKey: 'u' }, NOW).reason).toBe('TARGETING_MATCH');
    // a fractional used as a condition does not make the result a split
    expect(run({ if: [{ fractional: [[true, 1]] }, 'b', 'c'] }, { targetingKey: 'u' }, {})).toMatchObject({ variant: 'b', reason: 'TARGETING_MATCH' });
    expect(run({ or: [{ fractional: [[null, 1]] }, 'c'] }, { targetingKey: 'u' }, {})).toMatchObject({ variant: 'c', reason: 'TARGETING_MATCH' });
    expect(run({ if: [{ var: 'x' }, 'c', { fractional: [['b', 1]] }] }, { targetingKey: 'u' }, {})).toMatchObject({ variant: 'b', reason: 'SPLIT' });
  });

  it('ERROR / GENERAL when the result names no variant (flagd maps false → "false", 1 → "1")', () => {
    expect(ev('typo', { x: 0 })).toMatchObject({ variant: 'off', reason: 'TARGETING_MATCH' });
    expect(run({ if: [{ var: 'x' }, 'zzz', 'zzz'] })).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL', errorMessage: "Variant 'zzz' not found in flag with key 'f'" });
    expect(run({ '==': [1, { var: 'n' }] }, { n: 1 })).toMatchObject({ variant: 'true' });
    expect(run({ '==': [1, { var: 'n' }] }, { n: 2 })).toMatchObject({ variant: 'false' });
    expect(run({ '+': [{ var: 'n' }, 1] }, { n: 1 })).toMatchObject({ variant: '2' });
    expect(run({ merge: [{ var: 'n' }, 'x'] }, { n: 'a' })).toMatchObject({ reason: 'ERROR', errorMessage: "Variant 'a,x' not found in flag with key 'f'" });
  });

  it('ERROR / GENERAL when targeting throws at run time; never throws itself', () => {
    expect(run({ '+': [{ var: 'n' }, 1] }, { n: 'abc' })).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL', errorMessage: "Error evaluating targeting rule for flag 'f'" });
    expect(run({ '/': [1, { var: 'n' }] }, { n: 0 })).toMatchObject({ errorCode: 'GENERAL' });
    expect(run({ substr: [{ var: 'n' }, 1] }, {})).toMatchObject({ errorCode: 'GENERAL' });
  });

  it('ERROR / PARSE_ERROR (compat mode) when the targeting cannot be built, as flagd-core', () => {
    expect(run({ '/': [{ var: 'n' }, 0] })).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR', errorMessage: "Invalid targeting configuration for flag 'f'" });
    expect(run({ bogus: [1] })).toMatchObject({ errorCode: 'PARSE_ERROR' });
    expect(run({ if: [{ $ref: 'nope' }, 'a', 'b'] })).toMatchObject({ errorCode: 'PARSE_ERROR' });
    expect(run({ map: { var: 'x' } })).toMatchObject({ errorCode: 'PARSE_ERROR' });
  });

  it('returns frozen, shared resolutions and values', () => {
    const a = ev('fixed');
    expect(ev('fixed')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('context', () => {
  it('$flagd.flagKey and $flagd.timestamp (Unix seconds, floored); targetingKey is an attribute', () => {
    const set = compileFlagd({ flags: { 'my-flag': { state: 'ENABLED', variants: { x: 'x', y: 'y' }, defaultVariant: 'x', targeting: { if: [{ and: [{ '==': [{ var: '$flagd.flagKey' }, 'my-flag'] }, { '>=': [{ var: '$flagd.timestamp' }, NOW] }, { '==': [{ var: 'targetingKey' }, 'u'] }] }, 'y', 'x'] } } } });
    const f = set.flags.get('my-flag')!;
    expect(f.evaluate({ targetingKey: 'u' }, NOW + 0.9).variant).toBe('y');
    expect(f.evaluate({ targetingKey: 'u' }, NOW - 0.5).variant).toBe('x');
    expect(f.evaluate({ targetingKey: 'v' }, NOW).variant).toBe('x');
  });

  it('$flagd overrides a caller-supplied $flagd', () => {
    expect(variant({ if: [{ '==': [{ var: '$flagd.flagKey' }, 'f'] }, 'b', 'c'] }, { $flagd: { flagKey: 'spoofed' } })).toBe('b');
  });

  it('var: dotted paths, escapes, defaults, arrays, whole context', () => {
    expect(variant({ var: 'user.plan' }, { user: { plan: 'b' } })).toBe('b');
    expect(variant({ var: 'a\\.b' }, { 'a.b': 'c' })).toBe('c');
    expect(variant({ var: ['missing', 'c'] })).toBe('c');
    expect(variant({ var: ['nullish', 'c'] }, { nullish: null })).toBe('c'); // compiled `??`
    expect(variant({ var: 'list.1' }, { list: ['a', 'b'] })).toBe('b');
    expect(variant({ var: 'name.length' }, { name: 'ab' })).toBe('2');
    expect(variant({ in: ['b', { var: '' }] }, { b: 1 })).toBe('GENERAL'); // an object has no .includes
  });
});

describe('operators', () => {
  it.each([
    [{ '==': [1, { var: 'x' }] }, { x: '1' }, 'true'],
    [{ '===': [1, { var: 'x' }] }, { x: '1' }, 'false'],
    [{ '!=': [{ var: 'x' }, 'a'] }, { x: 'b' }, 'true'],
    [{ '!==': [{ var: 'x' }, 1] }, { x: 1 }, 'false'],
    [{ '<': [{ var: 'x' }, 10] }, { x: '9' }, 'true'],
    [{ '<': ['b', { var: 'x' }, 'd'] }, { x: 'c' }, 'true'],
    [{ '<=': [1, { var: 'x' }, 3] }, { x: 4 }, 'false'],
    [{ '>': [{ var: 'x' }, 1] }, { x: 2 }, 'true'],
    [{ '>=': [{ var: 'x' }, 2] }, { x: 2 }, 'true'],
    [{ '!': [{ var: 'x' }] }, { x: [] }, 'true'],
    [{ '!!': { var: 'x' } }, { x: {} }, 'false'],
    [{ or: [{ var: 'x' }, 'b'] }, { x: 0 }, 'b'],
    [{ and: [{ var: 'x' }, 'b'] }, { x: 'c' }, 'b'],
    [{ if: [{ var: 'x' }, 'b', { var: 'y' }, 'c', 'a'] }, { y: 1 }, 'c'],
    [{ '?:': [{ var: 'x' }, 'b', 'c'] }, { x: 'yes' }, 'b'],
    [{ in: [{ var: 'x' }, ['a', 'b']] }, { x: 'b' }, 'true'],
    [{ in: ['ell', { var: 'x' }] }, { x: 'hello' }, 'true'],
    [{ cat: ['x-', { var: 'y' }] }, { y: null }, 'x-null'],
    [{ substr: ['abc', 1, 1] }, {}, 'b'],
    [{ substr: [{ var: 'x' }, -1] }, { x: 'abc' }, 'c'],
    [{ '+': [{ var: 'x' }, '1'] }, { x: 1 }, '2'],
    [{ '-': [{ var: 'x' }] }, { x: -1 }, '1'],
    [{ '*': [{ var: 'x' }, 2] }, { x: 1 }, '2'],
    [{ '/': [{ var: 'x' }, 2] }, { x: 4 }, '2'],
    [{ '%': [{ var: 'x' }, 3] }, { x: 7 }, '1'],
    [{ min: [{ var: 'x' }, 2] }, { x: 1 }, '1'],
    [{ max: [{ var: 'x' }, 2] }, { x: 1 }, '2'],
    [{ merge: [['a'], { var: 'x' }] }, { x: ['b'] }, 'GENERAL'],
    [{ missing: ['x', 'y'] }, { x: 1 }, 'GENERAL'],
    [{ if: [{ missing_some: [1, ['x', 'y']] }, 'b', 'c'] }, { x: 1 }, 'c'],
    [{ map: [{ var: 'x' }, { '+': [{ var: '' }, 1] }] }, { x: [1] }, '2'],
    [{ filter: [{ var: 'x' }, { '>': [{ var: '' }, 1] }] }, { x: [1, 2] }, '2'],
    [{ reduce: [{ var: 'x' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] }, { x: [1, 1] }, '2'],
    [{ all: [{ var: 'x' }, { '>': [{ var: '' }, 0] }] }, { x: [] }, 'false'],
    [{ some: [{ var: 'x' }, { '==': [{ var: 'id' }, 2] }] }, { x: [{ id: 2 }] }, 'true'],
    [{ none: [{ var: 'x' }, { '==': [{ var: '' }, 2] }] }, { x: [1] }, 'true'],
    [{ starts_with: [{ var: 'x' }, 'ab'] }, { x: 'abc' }, 'true'],
    [{ ends_with: [{ var: 'x' }, 'bc'] }, { x: 'abc' }, 'true'],
    [{ starts_with: [{ var: 'x' }, 'ab'] }, { x: 1 }, 'a'],
    [{ sem_ver: [{ var: 'x' }, '^', '2.0.0'] }, { x: 'v2.9.1' }, 'true'],
    [{ sem_ver: [{ var: 'x' }, '>=', '2.0.0'] }, { x: 'nope' }, 'a'],
  ])('%j with %j → %s', (rule, ctx, expected) => {
    expect(variant(rule, ctx)).toBe(expected);
  });

  it('custom operations inside iterators fail like flagd-core (no logger on elements)', () => {
    expect(variant({ some: [{ var: 'x' }, { starts_with: [{ var: '' }, 'a'] }] }, { x: ['ab'] })).toBe('GENERAL');
    // …unless the element is the evaluation context itself
    expect(variant({ some: [{ merge: { var: '' } }, { starts_with: [{ var: 'x' }, 'a'] }] }, { x: 'ab' })).toBe('true');
  });
});

describe('json-logic-engine quirks reproduced for parity', () => {
  it('loose comparison checks the right operand against `prev`, which a var on the right overwrites', () => {
    expect(variant({ '==': [{ var: 'a' }, 0] }, { a: null })).toBe('true');
    expect(variant({ '==': [{ var: 'a' }, { var: 'b' }] }, { a: null, b: 0 })).toBe('false');
    expect(variant({ '==': [{ var: 'a' }, 5] }, { a: 'abc' })).toBe('GENERAL');
    expect(variant({ '==': [{ var: 'a' }, { var: 'b' }] }, { a: 'abc', b: 5 })).toBe('false');
  });

  it('if with fewer than three arguments is interpreted (cat skips nulls there)', () => {
    expect(variant({ if: [true, { cat: ['x-', { var: 'y' }] }] }, {})).toBe('x-');
    expect(variant({ if: [true, { cat: ['x-', { var: 'y' }] }, 'c'] }, {})).toBe('x-null');
  });

  it('an unparenthesised or/and pasted into cat / in / iterators regroups', () => {
    // ('' + "x-" + engine.truthy(prev = y)) ? prev : …  → returns y itself
    expect(variant({ cat: ['x-', { or: [{ var: 'y' }, 'c'] }] }, { y: 'b' })).toBe('b');
    // (prev = y) ? … : (prev || []) → .includes on a non-array result throws
    expect(variant({ in: ['b', { or: [{ var: 'y' }, ['c']] }] }, { y: 'bb' })).toBe('true');
    expect(variant({ in: ['b', { or: [{ var: 'y' }, ['c']] }] }, { y: 5 })).toBe('GENERAL');
  });

  it('constant folding happens at build time (a failing constant is a PARSE_ERROR)', () => {
    expect(variant({ if: [{ var: 'x' }, { '+': ['abc'] }, 'c'] })).toBe('PARSE_ERROR');
    expect(variant({ if: [{ var: 'x' }, { '+': ['abc'] }] })).toBe('a'); // interpreted branch, not taken
    expect(variant({ if: [{ var: 'x' }, { '+': ['abc'] }] }, { x: true })).toBe('GENERAL');
  });
});

describe('$evaluators and $ref', () => {
  const doc = {
    $evaluators: {
      pro: { in: [{ var: 'plan' }, ['pro', 'enterprise']] },
      proInEu: { and: [{ $ref: 'pro' }, { $ref: 'eu' }] },
      eu: { in: [{ var: 'country' }, ['DE', 'FR']] },
    },
    flags: {
      f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ $ref: 'proInEu' }, 'on', 'off'] } },
      g: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ or: [{ $ref: 'eu' }, { '==': [{ var: 'plan' }, 'x'] }] }, 'on', 'off'] } },
    },
  };

  it('substitutes references anywhere in targeting, including nested references in any declaration order', () => {
    const set = compileFlagd(doc);
    expect(set.flags.get('f')!.evaluate({ plan: 'pro', country: 'DE' }, NOW).variant).toBe('on');
    expect(set.flags.get('f')!.evaluate({ plan: 'pro', country: 'US' }, NOW).variant).toBe('off');
    expect(set.flags.get('g')!.evaluate({ country: 'FR' }, NOW).variant).toBe('on');
  });

  it('does not modify or freeze the caller\'s document', () => {
    const copy = structuredClone(doc);
    compileFlagd(copy);
    expect(copy).toEqual(doc);
    expect(Object.isFrozen(copy.flags.f)).toBe(false);
  });
});
