import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EvaluationContext, Resolution } from '../../core/flags/model.js';
import { compileSeed } from '../../core/flags/seed/compile.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/flags/seed/example.json', import.meta.url), 'utf8')) as unknown;
const NOW = Date.parse('2025-12-10T12:00:00Z') / 1000;

/** A one-flag document `f` with the given values entry. */
function one(values: Record<string, unknown>, declaration: Record<string, unknown> = { name: 'F' }) {
  const flag = compileSeed({ flags: { f: declaration }, values: { f: values } }).flags.get('f');
  if (!flag) throw new Error('flag f missing');
  return flag;
}
const rule = (name: string, conditions: unknown[], extra: Record<string, unknown> = {}) => ({ name, enabled: true, conditions, ...extra });
const cond = (attribute: string, operator: string, values?: unknown[]) => ({ attribute, operator, ...(values ? { values } : {}) });
const pick = ({ value, variant, reason, errorCode }: Resolution) => ({ value, variant, reason, ...(errorCode ? { errorCode } : {}) });

describe('seed fixture (test/fixtures/flags/seed/example.json)', () => {
  const set = compileSeed(fixture);
  const evaluate = (key: string, context: EvaluationContext, now = NOW) => pick(set.flags.get(key)!.evaluate(context, now));

  it('compiles every flag with its type and the set metadata', () => {
    expect(set.format).toBe('seed');
    expect([...set.flags.values()].map((f) => [f.key, f.type])).toEqual([
      ['new-checkout', 'boolean'],
      ['banner-color', 'string'],
      ['legacy-search', 'boolean'],
      ['max-items', 'number'],
      ['checkout-config', 'object'],
      ['holiday-theme', 'boolean'],
    ]);
    expect(set.metadata).toEqual({ version: '1', environment: 'example', owner: 'web-platform' });
    expect(set.flags.get('new-checkout')!.metadata).toEqual({
      version: '1', environment: 'example', owner: 'web-platform', name: 'New checkout', description: 'The redesigned checkout flow',
    });
  });

  it.each([
    ['embargoed country: first rule, off', { targetingKey: 'u', plan: 'enterprise', country: 'KP' }, { value: false, variant: 'off', reason: 'TARGETING_MATCH' }],
    ['enterprise in US: second rule', { targetingKey: 'u', plan: 'enterprise', country: 'US' }, { value: true, variant: 'on', reason: 'TARGETING_MATCH' }],
    ['team in GB without a key: rule needs none', { plan: 'team', country: 'GB' }, { value: true, variant: 'on', reason: 'TARGETING_MATCH' }],
    ['enterprise in FR: falls to the 25 % rollout (bucket 13.56)', { targetingKey: 'user-2', plan: 'enterprise', country: 'FR' }, { value: true, variant: 'on', reason: 'SPLIT' }],
    ['bucket 24.26 is in', { targetingKey: 'user-23' }, { value: true, variant: 'on', reason: 'SPLIT' }],
    ['bucket 25.10 is out', { targetingKey: 'user-8' }, { value: false, variant: 'off', reason: 'DEFAULT' }],
    ['disabled staff rule is ignored (bucket 77.52)', { targetingKey: 'user-1', email: 'a@lumina.dev' }, { value: false, variant: 'off', reason: 'DEFAULT' }],
    ['no key at the rollout', { plan: 'free' }, { value: false, variant: 'off', reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' }],
  ])('new-checkout: %s', (_name, context, expected) => {
    expect(evaluate('new-checkout', context)).toEqual(expected);
  });

  it.each([
    ['old app: gray by rule', { targetingKey: 'user-4', app: { version: '1.9.9' } }, { value: '#9ca0b0', variant: 'gray', reason: 'TARGETING_MATCH' }],
    ['variant bucket 9.29: blue', { targetingKey: 'user-5', app: { version: '2.0.0' } }, { value: '#1e66f5', variant: 'blue', reason: 'SPLIT' }],
    ['variant bucket 71.33: green', { targetingKey: 'user-1' }, { value: '#40a02b', variant: 'green', reason: 'SPLIT' }],
    ['variant bucket 80.80: orange', { targetingKey: 'user-4', app: { version: 'not a version' } }, { value: '#fe640b', variant: 'orange', reason: 'SPLIT' }],
    ['no key: default variant with the error', {}, { value: '#9ca0b0', variant: 'gray', reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' }],
  ])('banner-color: %s', (_name, context, expected) => {
    expect(evaluate('banner-color', context)).toEqual(expected);
  });

  it('legacy-search is DISABLED whatever the context', () => {
    for (const context of [{}, { targetingKey: 'x', account: { created: '2019-01-01' } }, null, 42] as unknown as EvaluationContext[]) {
      expect(evaluate('legacy-search', context)).toEqual({ value: false, variant: 'off', reason: 'DISABLED' });
    }
  });

  it('max-items serves numbers by rule, else the default variant', () => {
    expect(evaluate('max-items', { plan: 'pro' })).toEqual({ value: 100, variant: 'extended', reason: 'TARGETING_MATCH' });
    expect(evaluate('max-items', { plan: 'free' })).toEqual({ value: 20, variant: 'standard', reason: 'DEFAULT' });
  });

  it('checkout-config serves objects, with a 50 % rule rollout', () => {
    const onePage = { steps: 1, express: true, provider: 'stripe' };
    const classic = { steps: 3, express: false, provider: 'stripe' };
    expect(evaluate('checkout-config', { targetingKey: 'user-0', country: 'DE' })).toEqual({ value: onePage, variant: 'one-page', reason: 'SPLIT' });
    expect(evaluate('checkout-config', { targetingKey: 'user-1', country: 'DE' })).toEqual({ value: classic, variant: 'classic', reason: 'DEFAULT' });
    expect(evaluate('checkout-config', { country: 'DE' })).toEqual({ value: classic, variant: 'classic', reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' });
    expect(evaluate('checkout-config', { country: 'US' })).toEqual({ value: classic, variant: 'classic', reason: 'DEFAULT' });
  });

  it('holiday-theme is on during its window only ($now), without any key', () => {
    expect(evaluate('holiday-theme', {}, NOW)).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH' });
    expect(evaluate('holiday-theme', {}, Date.parse('2026-01-06T00:00:01Z') / 1000)).toEqual({ value: false, variant: 'off', reason: 'DEFAULT' });
    expect(evaluate('holiday-theme', {}, Date.parse('2025-11-30T23:59:59Z') / 1000)).toEqual({ value: false, variant: 'off', reason: 'DEFAULT' });
  });
});

describe('seed evaluation order and reasons', () => {
  it('STATIC without rules (or with disabled rules only), DEFAULT when rules exist but none match', () => {
    expect(pick(one({ enabled: true }).evaluate({}, NOW))).toEqual({ value: true, variant: 'on', reason: 'STATIC' });
    const disabledOnly = one({ enabled: true, rules: [{ ...rule('r', []), enabled: false }] });
    expect(disabledOnly.evaluate({}, NOW).reason).toBe('STATIC');
    const targeted = one({ enabled: true, rules: [rule('r', [cond('plan', 'equals', ['pro'])], { variant: 'off' })] });
    expect(pick(targeted.evaluate({ plan: 'free' }, NOW))).toEqual({ value: true, variant: 'on', reason: 'DEFAULT' });
    expect(pick(targeted.evaluate({ plan: 'pro' }, NOW))).toEqual({ value: false, variant: 'off', reason: 'TARGETING_MATCH' });
  });

  it('DISABLED comes first: before rules and before the context check', () => {
    const flag = one({ enabled: false, rules: [rule('all', [])] });
    expect(pick(flag.evaluate({}, NOW))).toEqual({ value: false, variant: 'off', reason: 'DISABLED' });
    expect(flag.evaluate('nope' as unknown as EvaluationContext, NOW).reason).toBe('DISABLED');
    const multi = one({ enabled: false, variants: { a: { weight: 100 }, z: {} }, default_variant: 'z' });
    expect(pick(multi.evaluate({}, NOW))).toEqual({ value: 'z', variant: 'z', reason: 'DISABLED' });
  });

  it('the first enabled rule whose conditions all match wins', () => {
    const flag = one({
      enabled: true,
      variants: { a: {}, b: {}, c: {}, d: {} },
      default_variant: 'd',
      rules: [
        { ...rule('disabled', [], { variant: 'a' }), enabled: false },
        rule('both', [cond('plan', 'equals', ['pro']), cond('country', 'equals', ['US'])], { variant: 'b' }),
        rule('plan only', [cond('plan', 'equals', ['pro'])], { variant: 'c' }),
      ],
    });
    expect(flag.evaluate({ plan: 'pro', country: 'US' }, NOW).variant).toBe('b');
    expect(flag.evaluate({ plan: 'pro', country: 'CA' }, NOW).variant).toBe('c');
    expect(pick(flag.evaluate({ plan: 'free' }, NOW))).toEqual({ value: 'd', variant: 'd', reason: 'DEFAULT' });
  });

  it('a rule rollout matches below its percentage (SPLIT); users outside fall through to the next rule', () => {
    // f/user-8 -> 0.97, f/user-0 -> 19.75, f/user-1 -> 34.49 (rollout buckets of flag "f")
    const flag = one({
      enabled: true,
      rules: [rule('ramp', [cond('beta', 'equals', [true])], { rollout_percentage: 20 }), rule('rest of beta', [cond('beta', 'equals', [true])], { variant: 'off' })],
    });
    expect(pick(flag.evaluate({ targetingKey: 'user-8', beta: true }, NOW))).toEqual({ value: true, variant: 'on', reason: 'SPLIT' });
    expect(pick(flag.evaluate({ targetingKey: 'user-0', beta: true }, NOW))).toEqual({ value: true, variant: 'on', reason: 'SPLIT' });
    expect(pick(flag.evaluate({ targetingKey: 'user-1', beta: true }, NOW))).toEqual({ value: false, variant: 'off', reason: 'TARGETING_MATCH' });
    expect(flag.evaluate({ beta: true }, NOW).errorCode).toBe('TARGETING_KEY_MISSING');
    // Conditions that do not match never need the key.
    expect(pick(flag.evaluate({ beta: false }, NOW))).toEqual({ value: true, variant: 'on', reason: 'DEFAULT' });
  });

  it('flag rollout: in -> on SPLIT, out -> off DEFAULT; 0 and 100 need no targeting key', () => {
    expect(pick(one({ enabled: true, rollout_percentage: 20 }).evaluate({ targetingKey: 'user-0' }, NOW))).toEqual({ value: true, variant: 'on', reason: 'SPLIT' });
    expect(pick(one({ enabled: true, rollout_percentage: 19.75 }).evaluate({ targetingKey: 'user-0' }, NOW))).toEqual({ value: false, variant: 'off', reason: 'DEFAULT' });
    expect(pick(one({ enabled: true, rollout_percentage: 100 }).evaluate({}, NOW))).toEqual({ value: true, variant: 'on', reason: 'SPLIT' });
    expect(pick(one({ enabled: true, rollout_percentage: 0 }).evaluate({}, NOW))).toEqual({ value: false, variant: 'off', reason: 'DEFAULT' });
    expect(one({ enabled: true, rules: [rule('none', [], { rollout_percentage: 0 })] }).evaluate({}, NOW).reason).toBe('DEFAULT');
    expect(one({ enabled: true, rules: [rule('all', [], { rollout_percentage: 100 })] }).evaluate({}, NOW).reason).toBe('SPLIT');
  });

  it('TARGETING_KEY_MISSING carries the off outcome; an empty key counts as missing, null as absent', () => {
    const flag = one({ enabled: true, rollout_percentage: 50 });
    for (const context of [{}, { targetingKey: '' }, { targetingKey: null }] as EvaluationContext[]) {
      const r = flag.evaluate(context, NOW);
      expect(pick(r)).toEqual({ value: false, variant: 'off', reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' });
      expect(r.errorMessage).toContain('targetingKey');
    }
  });

  it('INVALID_CONTEXT for a non-object context or a non-string targetingKey, with the off outcome', () => {
    const flag = one({ enabled: true });
    for (const context of [null, undefined, 'ctx', 7, ['a'], { targetingKey: 5 }, { targetingKey: { id: 1 } }]) {
      const r = flag.evaluate(context as unknown as EvaluationContext, NOW);
      expect(pick(r)).toEqual({ value: false, variant: 'off', reason: 'ERROR', errorCode: 'INVALID_CONTEXT' });
    }
  });

  it('an exception while reading the context becomes ERROR GENERAL', () => {
    const flag = one({ enabled: true, rules: [rule('r', [cond('plan', 'equals', ['pro'])])] });
    const context = Object.defineProperty({}, 'plan', { enumerable: true, get: () => { throw new Error('boom'); } });
    const r = flag.evaluate(context, NOW);
    expect(pick(r)).toEqual({ value: false, variant: 'off', reason: 'ERROR', errorCode: 'GENERAL' });
    expect(r.errorMessage).toContain('boom');
  });
});

describe('seed variants', () => {
  it('a variant without value has its name as value; rules name variants', () => {
    const flag = one({ enabled: true, variants: { small: {}, large: {} }, default_variant: 'small', rules: [rule('big', [cond('size', 'gt', [10])], { variant: 'large' })] });
    expect(flag.type).toBe('string');
    expect(pick(flag.evaluate({ size: 11 }, NOW))).toEqual({ value: 'large', variant: 'large', reason: 'TARGETING_MATCH' });
    expect(pick(flag.evaluate({ size: 1 }, NOW))).toEqual({ value: 'small', variant: 'small', reason: 'DEFAULT' });
  });

  it('a rule without variant serves the weighted split; a flag rollout gates the split', () => {
    const flag = one({ enabled: true, rollout_percentage: 20, variants: [{ name: 'x', weight: 50 }, { name: 'y', weight: 50 }, { name: 'none' }], default_variant: 'none' });
    // f/user-8: rollout 0.97 (in), variant 35.22 (x); f/user-0: rollout 19.75 (in), variant 94.68 (y); f/user-1: rollout 34.49 (out)
    expect(pick(flag.evaluate({ targetingKey: 'user-8' }, NOW))).toEqual({ value: 'x', variant: 'x', reason: 'SPLIT' });
    expect(pick(flag.evaluate({ targetingKey: 'user-0' }, NOW))).toEqual({ value: 'y', variant: 'y', reason: 'SPLIT' });
    expect(pick(flag.evaluate({ targetingKey: 'user-1' }, NOW))).toEqual({ value: 'none', variant: 'none', reason: 'DEFAULT' });
    const ruled = one({ enabled: true, variants: [{ name: 'x', weight: 50 }, { name: 'y', weight: 50 }], default_variant: 'x', rules: [rule('all', [])] });
    expect(pick(ruled.evaluate({ targetingKey: 'user-0' }, NOW))).toEqual({ value: 'y', variant: 'y', reason: 'SPLIT' });
  });

  it('split ranges: array order, or sorted names for the object form; one variant with all the weight needs no key', () => {
    // f/user-8 has variant bucket 35.22: in the first 50 % range.
    const arrayForm = one({ enabled: true, variants: [{ name: 'b', weight: 50 }, { name: 'a', weight: 50 }], default_variant: 'a' });
    const objectForm = one({ enabled: true, variants: { b: { weight: 50 }, a: { weight: 50 } }, default_variant: 'a' });
    expect(arrayForm.evaluate({ targetingKey: 'user-8' }, NOW).variant).toBe('b');
    expect(objectForm.evaluate({ targetingKey: 'user-8' }, NOW).variant).toBe('a');
    const single = one({ enabled: true, variants: { a: { weight: 100 }, b: { weight: 0 } }, default_variant: 'b' });
    expect(pick(single.evaluate({}, NOW))).toEqual({ value: 'a', variant: 'a', reason: 'SPLIT' });
  });

  it('values and metadata are frozen copies: neither callers nor later edits of the document change them', () => {
    const doc = {
      version: 3,
      metadata: { team: 'web', version: 'meta wins' },
      flags: { f: { name: 'F', description: 'd' } },
      values: { f: { enabled: true, variants: { cfg: { value: { limits: [1, 2] } } }, default_variant: 'cfg' } },
    };
    const set = compileSeed(doc);
    doc.values.f.variants.cfg.value.limits.push(3);
    const r = set.flags.get('f')!.evaluate({}, NOW);
    expect(r.value).toEqual({ limits: [1, 2] });
    expect(Object.isFrozen(r.value) && Object.isFrozen((r.value as { limits: unknown[] }).limits)).toBe(true);
    expect(r.metadata).toEqual({ team: 'web', version: 'meta wins', name: 'F', description: 'd' });
    expect(Object.isFrozen(r.metadata)).toBe(true);
    expect(set.metadata).toEqual({ version: 'meta wins', team: 'web' });
  });

  it('set metadata never overrides the flag name', () => {
    const set = compileSeed({ version: 2, metadata: { name: 'set' }, flags: { f: { name: 'F' } }, values: { f: { enabled: true } } });
    expect(set.flags.get('f')!.metadata).toEqual({ version: 2, name: 'F' });
  });
});
