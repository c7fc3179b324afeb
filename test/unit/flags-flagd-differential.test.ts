/**
 * Differential test: our flagd compiler/evaluator against the official in-process evaluator
 * @openfeature/flagd-core 4.0.1 (json-logic-engine 5.0.7), on
 *  - a corpus of our flag files (test/fixtures/flags/flagd) × seeded contexts,
 *  - fractional splits over many targeting keys (every bucket must match, hence the distribution),
 *  - thousands of randomly generated targeting rules × random contexts.
 * Same value, variant, reason, error code/message and metadata on every evaluation.
 *
 * flagd-core reports TARGETING_MATCH for fractional results; we report SPLIT by default, so the
 * comparisons run with `splitReason: false`, and one test checks the SPLIT mapping.
 * Bucketing keys are ASCII: flagd-core hashes UTF-16 code units (imurmurhash), flagd and we hash
 * UTF-8 bytes (see flags-flagd.test.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { FlagdCore } from '@openfeature/flagd-core';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compileFlagd, type FlagdCompileOptions } from '../../core/flags/flagd/compile.js';
import type { CompiledFlag, EvaluationContext, FlagSet } from '../../core/flags/model.js';

const FIXTURES = new URL('../fixtures/flags/flagd/', import.meta.url);
const NOW_MS = 1_700_000_123_456;
const NOW_S = Math.floor(NOW_MS / 1000);
const silent = { error() {}, warn() {}, info() {}, debug() {} };

beforeAll(() => {
  vi.spyOn(Date, 'now').mockReturnValue(NOW_MS);
});
afterAll(() => {
  vi.restoreAllMocks();
});

const CODE_DEFAULT = { boolean: false, string: '\u0000code-default', number: -424242, object: { codeDefault: true } } as const;

function load(text: string, options: FlagdCompileOptions = { validation: 'compat', splitReason: false }): { core: FlagdCore; ours: FlagSet } {
  const core = new FlagdCore(undefined, silent);
  core.setConfigurations(text);
  return { core, ours: compileFlagd(JSON.parse(text), options) };
}

/**
 * Compares one evaluation; returns a description of the difference, or undefined.
 * json-logic-engine caches sub-expressions it optimized during an evaluation that then threw, and
 * later evaluations reuse them with different data (`undefined` instead of `{}`), so in rare shapes
 * flagd-core's answer depends on what it evaluated before. We always give the first-evaluation
 * answer: on a mismatch, `fresh` (the flag's document) is re-checked on a new FlagdCore.
 */
function diff(core: FlagdCore, key: string, flag: CompiledFlag, ctx: EvaluationContext, splitAsMatch = false, fresh?: string): string | undefined {
  const d = diffOnce(core, key, flag, ctx, splitAsMatch);
  if (d === undefined || fresh === undefined) return d;
  const again = new FlagdCore(undefined, silent);
  again.setConfigurations(fresh);
  return diffOnce(again, key, flag, ctx, splitAsMatch);
}

function diffOnce(core: FlagdCore, key: string, flag: CompiledFlag, ctx: EvaluationContext, splitAsMatch: boolean): string | undefined {
  const def = CODE_DEFAULT[flag.type];
  const ours = flag.evaluate(ctx, NOW_S);
  let theirs: ReturnType<FlagdCore['resolve']>;
  try {
    theirs = core.resolve(flag.type, key, def as never, ctx as never);
  } catch (e) {
    // flagd-core lets `targetingResolution.toString()` throw out of resolve (e.g. a null-prototype
    // object); we never throw: ERROR / GENERAL.
    if (ours.reason === 'ERROR' && ours.errorCode === 'GENERAL') return undefined;
    return `${key} ctx=${JSON.stringify(ctx)}: flagd-core threw ${String(e)}, ours ${JSON.stringify(ours)}`;
  }
  const reason = splitAsMatch && ours.reason === 'SPLIT' ? 'TARGETING_MATCH' : ours.reason;
  const same =
    JSON.stringify(theirs.value) === JSON.stringify(ours.value === undefined ? def : ours.value) &&
    theirs.variant === ours.variant &&
    theirs.reason === reason &&
    theirs.errorCode === ours.errorCode &&
    theirs.errorMessage === ours.errorMessage &&
    JSON.stringify(theirs.flagMetadata) === JSON.stringify(ours.metadata);
  if (same) return undefined;
  return `${key} ctx=${JSON.stringify(ctx)}\n  ours:   ${JSON.stringify(ours)}\n  theirs: ${JSON.stringify(theirs)}`;
}

// ------------------------------------------------------------------------------------------------
// Contexts

const STRINGS = ['a', 'b', 'c', 'abc', 'abcxyz', 'xyz', '', ' 12 ', '1', '0', '2', '1.2', '2.0.0', 'v1.0.0', '3.0.1', '2.0.0-alpha', 'true', 'false', 'null', 'yellow', 'red', 'premium', 'basic', 'ballmer@macrosoft.com', 'jobs@orange.com', 'jack', 'queen', 'user1', 'jon@company.com', '5c3d8535-f81a-4478-a6d3-afaa4d51199e'];
const scalar = fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(0, 1, 2, -1, 0.5, 3, 29, 100, 1e21, 1740000000, 2e9), fc.boolean(), fc.constant(null));
const value = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.record({ name: scalar, id: scalar }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.array(fc.record({ filling: scalar, name: scalar }, { requiredKeys: [] }), { maxLength: 3 }) },
);
const CONTEXT_KEYS = ['a', 'a.b', 'b', 'n', 'email', 'color', 'version', 'tier', 'id', 'num', 'time', 'age', 'fn', 'ln', 'customer', 'env', 'arr', 'nums', 'integers', 'pies', 'targetingKey', 'missing_key', 'v', 's', 'phone', 'name', 'missing', 'enabled', 'items'];
const or = <T>(specific: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: specific }, { weight: 1, arbitrary: value });
const SPECIFIC: Record<string, fc.Arbitrary<unknown>> = {
  email: or(fc.constantFrom('a@example.com', 'x@lumina.dev', 'ballmer@macrosoft.com', 'jobs@orange.com', 'bob@corp.io', 'someone@example.org')),
  role: or(fc.constantFrom('admin', 'staff', 'guest', 'user')),
  roles: or(fc.array(fc.constantFrom('admin', 'staff', 'guest', 'user'), { maxLength: 3 })),
  age: or(fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom('17', '18', '64', '65', ' 30 '))),
  plan: or(fc.constantFrom('enterprise', 'pro', 'free', 'trial')),
  appVersion: or(fc.constantFrom('3.0.0', '2.4.7', '2.4.0-rc.1', '2.9.0', 'v2.1.0', 'V3.1.0', '1.0.0', '2.0.0-alpha', '2', 2, 2.4, 'x', '2.4', '1.2.3+build')),
  version: or(fc.constantFrom('2.0.0', '2.1.0', '1.9.0', '2.0.0-alpha', '2.0.0.0', '3.0.1', '3.1.0', '4.0.0', 'v1.0.0', 1, 1.2)),
  locale: or(fc.constantFrom('en-US', 'en-GB', 'de-DE', 'de', 'fr-FR')),
  userId: or(fc.uuid()),
  cart: or(fc.array(fc.record({ sku: fc.constantFrom('promo', 'a', 'b'), price: fc.oneof(fc.integer({ min: 0, max: 80 }), fc.constant('9')), qty: fc.integer({ min: 0, max: 4 }) }), { maxLength: 4 })),
  scores: or(fc.array(fc.integer({ min: -10, max: 120 }), { maxLength: 5 })),
  first: or(fc.constantFrom('ada', 'alan', 'grace')),
  last: or(fc.constantFrom('lovelace', 'turing', 'hopper')),
  tags: or(fc.oneof(fc.array(fc.constantFrom('vip', 'new', 'beta'), { maxLength: 3 }), fc.constantFrom('vip-customer', 'regular'))),
  country: or(fc.constantFrom('US', 'CA', 'GB', 'DE', 'FR')),
  extraCountries: or(fc.array(fc.constantFrom('DE', 'FR'), { maxLength: 2 })),
  region: or(fc.constantFrom('eu', 'us')),
  user: fc.oneof(value, fc.record({ name: scalar, id: scalar, settings: fc.record({ region: fc.constantFrom('eu', 'us') }) }, { requiredKeys: [] })),
  n: or(fc.oneof(fc.integer({ min: -5, max: 200 }), fc.constantFrom('7', '8', ' 9 ', '1e2'))),
  a: or(fc.constantFrom(0, '0', '', false, null, 1, '1', 'abc', true)),
  b: or(fc.constantFrom(0, '0', '', false, null, 1, '1', 'abc', true)),
  s: or(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'bb')),
  targetingKey: or(fc.oneof(fc.constantFrom('user-1', 'user-7', 'user-2', 'jon@company.com'), fc.uuid())),
  enabled: or(fc.boolean()),
  items: or(fc.array(fc.constantFrom('x', 'y'), { maxLength: 3 })),
};
const context: fc.Arbitrary<EvaluationContext> = fc
  .record({ ...Object.fromEntries(CONTEXT_KEYS.map((k) => [k, value])), ...SPECIFIC }, { requiredKeys: [] })
  .map((c) => c as EvaluationContext);

const contexts = (n: number, seed: number) => fc.sample(context, { numRuns: n, seed });

// ------------------------------------------------------------------------------------------------

describe('flagd-core parity on the corpus', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  const ctxs = contexts(400, 42);

  it.each(files)('%s: every flag × 400 contexts', (file) => {
    const { core, ours } = load(readFileSync(new URL(file, FIXTURES), 'utf8'));
    const failures: string[] = [];
    const text = readFileSync(new URL(file, FIXTURES), 'utf8');
    for (const [key, flag] of ours.flags) for (const ctx of ctxs) failures.push(diff(core, key, flag, ctx, false, text) ?? '');
    expect(failures.filter(Boolean).slice(0, 5)).toEqual([]);
    if (process.env.FLAGD_DIFF_STATS) {
      for (const [key, flag] of ours.flags) {
        const seen = new Map<string, number>();
        for (const ctx of ctxs) {
          const r = flag.evaluate(ctx, NOW_S);
          const k = `${r.reason}:${r.variant ?? r.errorCode ?? ''}`;
          seen.set(k, (seen.get(k) ?? 0) + 1);
        }
        console.log(file, key, JSON.stringify(Object.fromEntries(seen)));
      }
    }
  });

  it('strict mode agrees wherever the file is strictly valid (SPLIT ⇔ their TARGETING_MATCH)', () => {
    for (const file of ['e2e.flagd.json', 'ours-operators.flagd.json', 'ours-quirks.flagd.json']) {
      const text = readFileSync(new URL(file, FIXTURES), 'utf8');
      const { core, ours } = load(text, {});
      const failures: string[] = [];
      for (const [key, flag] of ours.flags) for (const ctx of ctxs.slice(0, 150)) failures.push(diff(core, key, flag, ctx, true) ?? '');
      expect(failures.filter(Boolean).slice(0, 5)).toEqual([]);
    }
  });
});

describe('fractional bucketing parity', () => {
  const doc = {
    flags: {
      quarters: {
        state: 'ENABLED',
        variants: { clubs: 'clubs', diamonds: 'diamonds', hearts: 'hearts', spades: 'spades' },
        defaultVariant: 'clubs',
        targeting: { fractional: [['clubs', 25], ['diamonds', 25], ['hearts', 25], ['spades', 25]] },
      },
      uneven: {
        state: 'ENABLED',
        variants: { a: 'a', b: 'b', c: 'c' },
        defaultVariant: 'a',
        targeting: { fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'email' }] }, ['a', 1], ['b', 7], ['c', 992]] },
      },
      heavy: {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: { fractional: [{ var: 'targetingKey' }, ['on', 2147483000], ['off', 647]] },
      },
      shorthand: { state: 'ENABLED', variants: { x: 1, y: 2, z: 3 }, defaultVariant: 'x', targeting: { fractional: [['x'], ['y', 2], ['z', 0]] } },
    },
  };
  const { core, ours } = load(JSON.stringify(doc));
  const keys = fc.sample(fc.oneof(fc.uuid(), fc.string({ unit: 'grapheme-ascii', maxLength: 24 }), fc.emailAddress()), { numRuns: 10_000, seed: 7 });

  it.each(Object.keys(doc.flags))('%s: 10 000 targeting keys land in the same bucket', (key) => {
    const flag = ours.flags.get(key)!;
    const hist = new Map<string, number>();
    const failures: string[] = [];
    for (const k of keys) {
      const ctx = { targetingKey: k, email: k };
      failures.push(diff(core, key, flag, ctx) ?? '');
      const v = String(flag.evaluate(ctx, NOW_S).variant);
      hist.set(v, (hist.get(v) ?? 0) + 1);
    }
    expect(failures.filter(Boolean).slice(0, 5)).toEqual([]);
    if (key === 'quarters') for (const n of hist.values()) expect(Math.abs(n - 2500)).toBeLessThan(250);
  });
});

// ------------------------------------------------------------------------------------------------
// Random targeting rules

const KEYS = ['a', 'b', 'n', 'arr', 'nums', 'user.name', 'user', 'email', 'version', 'targetingKey', '$flagd.flagKey', '$flagd.timestamp', '', 'user.id', 'missing_key', 'user.name.length', 'arr.0', 'a\\.b', 'pies.0.filling', 'current', 'accumulator'];
const literal = fc.oneof(fc.constantFrom('a', 'b', 'c', 'abc', '', '1', '0', 'true', 'false', '2.0.0', 'v1', 'x'), fc.constantFrom(0, 1, 2, -1, 0.5, 100), fc.boolean(), fc.constant(null));
const OPS = ['==', '===', '!=', '!==', '<', '<=', '>', '>=', '!', '!!', 'or', 'and', 'if', '?:', 'in', 'cat', 'substr', '+', '-', '*', '/', '%', 'min', 'max', 'merge', 'missing', 'missing_some', 'starts_with', 'ends_with', 'sem_ver'];

const { rule } = fc.letrec<{ rule: unknown; leaf: unknown; op: unknown }>((tie) => ({
  rule: fc.oneof({ maxDepth: 4, depthSize: 'small' }, tie('leaf'), tie('op'), tie('op')),
  leaf: fc.oneof(
    literal,
    fc.constantFrom(...KEYS).map((k) => ({ var: k })),
    fc.constantFrom(...KEYS).map((k) => ({ var: k })),
    fc.tuple(fc.constantFrom(...KEYS), fc.oneof(literal, tie('op'))).map(([k, d]) => ({ var: [k, d] })),
    tie('op').map((k) => ({ var: k })),
    fc.array(literal, { maxLength: 3 }),
  ),
  op: fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...OPS), fc.array(tie('rule'), { maxLength: 4 }), fc.nat(9)).map(([op, args, shape]) => ({ [op]: shape === 0 ? args[0] ?? null : args })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('map', 'filter', 'some', 'all', 'none'), tie('rule'), tie('rule')).map(([op, s, m]) => ({ [op]: [s, m] })) },
    { weight: 1, arbitrary: fc.tuple(tie('rule'), tie('rule'), fc.option(tie('rule'))).map(([s, m, d]) => ({ reduce: d === null ? [s, m] : [s, m, d] })) },
    { weight: 1, arbitrary: fc.tuple(fc.option(tie('rule')), fc.array(fc.tuple(tie('rule'), fc.option(fc.oneof(fc.integer({ min: -5, max: 60 }), tie('rule')))), { minLength: 1, maxLength: 4 })).map(([by, buckets]) => ({ fractional: [...(by === null ? [] : [by]), ...buckets.map(([v, w]) => (w === null ? [v] : [v, w]))] })) },
  ),
}));

const VARIANTS = Object.fromEntries(['a', 'b', 'c', 'abc', '1', '0', '2', 'true', 'false', 'null', 'x', '2.0.0', 'a,b', '[object Object]', 'NaN', '-1', '100'].map((v) => [v, `v:${v}`]));

describe('random targeting rules', () => {
  // FLAGD_DIFF_RULES=20000 FLAGD_DIFF_SEED=1 npx vitest run … for a longer hunt.
  const count = Number(process.env.FLAGD_DIFF_RULES ?? 3000);
  const rules = fc.sample(rule, { numRuns: count, seed: Number(process.env.FLAGD_DIFF_SEED ?? 20240607) });
  const ctxs = contexts(12, 99);

  it(`${count} generated rules × 12 contexts agree with flagd-core (compat mode)`, () => {
    const flags = Object.fromEntries(rules.map((targeting, i) => [`r${i}`, { state: 'ENABLED', variants: VARIANTS, defaultVariant: i % 5 === 0 ? null : 'a', targeting: typeof targeting === 'object' && targeting && !Array.isArray(targeting) ? targeting : { if: [true, targeting] } }]));
    const { core, ours } = load(JSON.stringify({ flags }));
    const failures: string[] = [];
    for (const [key, flag] of ours.flags) {
      for (const ctx of ctxs) {
        const d = diff(core, key, flag, ctx, false, JSON.stringify({ flags: { [key]: flags[key] } }));
        if (d) failures.push(`${d}\n  rule: ${JSON.stringify(flags[key]!.targeting)}`);
      }
    }
    const rulesFailing = new Set(failures.map((f) => f.split(' ')[0]));
    expect({ rules: rulesFailing.size, first: failures.slice(0, 3) }).toEqual({ rules: 0, first: [] });
    // The generated rules must exercise successful evaluations, not only errors.
    const reasons = new Map<string, number>();
    for (const flag of ours.flags.values()) for (const ctx of ctxs) {
      const r = flag.evaluate(ctx, NOW_S);
      const k = r.errorCode ?? r.reason;
      reasons.set(k, (reasons.get(k) ?? 0) + 1);
    }
    if (process.env.FLAGD_DIFF_STATS) console.log(Object.fromEntries(reasons));
    expect(reasons.get('TARGETING_MATCH') ?? 0).toBeGreaterThan(count * 12 * 0.1);
  });
});
