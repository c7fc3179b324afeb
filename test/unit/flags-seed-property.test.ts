import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidFlagsError, typeOf, type EvaluationContext, type FlagSet } from '../../core/flags/model.js';
import { OPERATORS } from '../../core/flags/seed/conditions.js';
import { compileSeed } from '../../core/flags/seed/compile.js';

const REASONS = ['STATIC', 'DEFAULT', 'TARGETING_MATCH', 'SPLIT', 'DISABLED', 'ERROR'];
const ERROR_CODES = ['TARGETING_KEY_MISSING', 'INVALID_CONTEXT', 'GENERAL'];

/** Anything that may show up where a well-typed field is expected. */
const junk = fc.oneof(
  fc.constant(undefined), fc.constant(null), fc.boolean(), fc.integer({ min: -10, max: 200 }), fc.double(), fc.string(),
  fc.array(fc.jsonValue(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 }),
);
/** Mostly `arb`, sometimes junk: random documents land on both sides of validation. */
const maybe = <T>(arb: fc.Arbitrary<T>, junkWeight = 1) => fc.oneof({ weight: 40, arbitrary: arb }, { weight: junkWeight, arbitrary: junk });

const flagKey = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('a', 'b', 'new-checkout', 'x.y_z', 'constructor') },
  { weight: 1, arbitrary: fc.constantFrom('bad/key', '', '__proto__', '-x') },
);
const variantName = fc.constantFrom('on', 'off', 'x', 'y', 'z');
const scalarValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('pro', 'team', 'rx', '1.2.3', '2.0.0', 'v2.0.0-rc.1', '2024-06-01', '2025-01-01T00:00:00Z', 'x', 6, 1, true) },
  fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: false }),
);
const mostlyTrue = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const attribute = fc.constantFrom('plan', 'user.plan', 'targetingKey', '$now', 'a.b.c', 'user');
const validCondition = fc
  .tuple(
    attribute,
    fc.constantFrom<Record<string, unknown>>(
      { operator: 'in', values: ['pro', 'team'] }, { operator: 'not_in', values: ['US'] }, { operator: 'equals', values: [true, 1, 'x'] },
      { operator: 'starts_with', values: ['p'] }, { operator: 'contains', values: ['r'] }, { operator: 'gt', values: [5] }, { operator: 'lte', values: [1.5] },
      { operator: 'semver_gte', values: ['1.2.3'] }, { operator: 'semver_neq', values: ['v2.0.0-rc.1'] },
      { operator: 'before', values: ['2025-01-01'] }, { operator: 'after', values: [1_700_000_000_000] },
      { operator: 'exists' }, { operator: 'not_exists', values: [] },
    ),
  )
  .map(([a, rest]) => ({ attribute: a, ...rest }));
const randomCondition = fc.record(
  {
    attribute: maybe(fc.constantFrom('plan', 'user.plan', 'targetingKey', '$now', 'a.b.c', '$x', 'a..b')),
    operator: maybe(fc.constantFrom(...OPERATORS, 'nope')),
    values: maybe(fc.array(fc.oneof(fc.constantFrom('pro', '1.2.3', '2025-01-01', 'x'), fc.integer(), fc.boolean()), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);
const condition = fc.oneof({ weight: 8, arbitrary: validCondition }, { weight: 1, arbitrary: randomCondition });
const rule = fc.record(
  {
    name: maybe(fc.string({ minLength: 1 })),
    enabled: maybe(mostlyTrue),
    conditions: maybe(fc.array(condition, { maxLength: 2 })),
    variant: maybe(variantName),
    rollout_percentage: maybe(fc.constantFrom(0, 12.5, 50, 100)),
  },
  { requiredKeys: ['name', 'enabled', 'conditions'] },
);
const variantValue = fc.oneof(fc.boolean(), fc.string(), fc.integer(), fc.jsonValue({ maxDepth: 2 }));
/** Coherent variants (one value type, weights summing to 100) most of the time, random ones otherwise. */
const coherentVariants = fc
  .tuple(
    fc.constantFrom<(n: string) => fc.Arbitrary<unknown>>(() => fc.boolean(), (n) => fc.constant(n), () => fc.integer(), () => fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 })),
    fc.constantFrom<(number | undefined)[]>([undefined, undefined, undefined], [100, 0, undefined], [50, 50, 0], [25, 25, 50], [60, 40, undefined]),
    fc.boolean(),
  )
  .chain(([valueOf, weights, asArray]) =>
    fc.tuple(valueOf('x'), valueOf('y'), valueOf('z'), variantName).map(([x, y, z, def]) => {
      const entries = (['x', 'y', 'z'] as const).map((name, i) => ({ name, value: [x, y, z][i], ...(weights[i] === undefined ? {} : { weight: weights[i] }) }));
      const variants = asArray ? entries : Object.fromEntries(entries.map(({ name, ...rest }) => [name, rest]));
      return { variants, default_variant: def === 'on' || def === 'off' ? 'x' : def };
    }),
  );
const weight = fc.constantFrom(0, 25, 50, 100);
const randomVariants = fc.record({
  variants: fc.oneof(
    fc.dictionary(variantName, fc.record({ value: maybe(variantValue), weight: maybe(weight) }, { requiredKeys: [] }), { maxKeys: 3 }),
    fc.array(fc.record({ name: maybe(variantName), value: maybe(variantValue), weight: maybe(weight) }, { requiredKeys: ['name'] }), { maxLength: 3 }),
  ),
  default_variant: maybe(variantName),
});
const variants = fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 3, arbitrary: coherentVariants }, { weight: 1, arbitrary: randomVariants });
const valuesEntry = fc
  .tuple(
    fc.record(
      {
        enabled: maybe(mostlyTrue),
        rollout_percentage: maybe(fc.constantFrom(0, 25, 33.33, 100)),
        rules: maybe(fc.array(rule, { maxLength: 3 })),
      },
      { requiredKeys: ['enabled'] },
    ),
    variants,
  )
  .map(([entry, v]) => {
    // Rules mostly name variants that exist: on / off for boolean flags, x / y / z otherwise.
    const names = 'variants' in v ? ['x', 'y', 'z'] : ['on', 'off'];
    if (Array.isArray(entry.rules)) {
      for (const r of entry.rules as unknown[]) {
        const ruleObject = r as { variant?: unknown };
        if (typeof ruleObject?.variant === 'string' && !names.includes(ruleObject.variant)) ruleObject.variant = names[ruleObject.variant.length % 2];
      }
    }
    return { ...entry, ...v };
  });
const document = fc.uniqueArray(flagKey, { maxLength: 3 }).chain((keys) =>
  fc.record(
    {
      version: maybe(fc.constantFrom('1', 2)),
      metadata: maybe(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 2 })),
      flags: maybe(fc.tuple(...keys.map(() => maybe(fc.record({ name: maybe(fc.string({ minLength: 1 })), description: maybe(fc.string()) }, { requiredKeys: ['name'] })))).map((decls) => Object.fromEntries(keys.map((k, i) => [k, decls[i]])))),
      values: maybe(fc.tuple(...keys.map(() => maybe(valuesEntry))).map((entries) => Object.fromEntries(keys.map((k, i) => [k, entries[i]])))),
      extra: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('flags', 'values'), flagKey) }),
    },
    { requiredKeys: ['flags', 'values', 'extra'] },
  ).map(({ extra, ...doc }) => {
    // Now and then a key declared on one side only.
    const side = extra && (doc as Record<string, unknown>)[extra[0]];
    if (extra && side && typeof side === 'object' && !Array.isArray(side)) (side as Record<string, unknown>)[extra[1]] = extra[0] === 'flags' ? { name: 'X' } : { enabled: true };
    return doc;
  }),
);

const context = fc.oneof(
  fc.anything(),
  fc.record(
    {
      targetingKey: maybe(fc.string()),
      plan: scalarValue,
      user: fc.oneof(fc.record({ plan: scalarValue }), scalarValue),
      'user.plan': scalarValue,
      a: fc.record({ b: fc.oneof(fc.record({ c: scalarValue }), fc.anything()) }),
    },
    { requiredKeys: [] },
  ),
);
const nowSeconds = fc.oneof(fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), fc.double());

/** Compiles, or returns the InvalidFlagsError; anything else thrown fails the property. */
function tryCompile(doc: unknown): FlagSet | InvalidFlagsError {
  try {
    return compileSeed(doc);
  } catch (error) {
    if (!(error instanceof InvalidFlagsError)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) expect(typeof issue.path === 'string' && typeof issue.message === 'string').toBe(true);
    return error;
  }
}

describe('seed properties', () => {
  it('any value at all either compiles or throws InvalidFlagsError', () => {
    fc.assert(fc.property(fc.oneof(fc.anything(), fc.record({ flags: fc.anything(), values: fc.anything() })), (doc) => void tryCompile(doc)), { numRuns: 500 });
  });

  it('random near-valid documents compile or throw InvalidFlagsError, and compiled flags never throw on any context', () => {
    let compiled = 0;
    fc.assert(
      fc.property(document, fc.array(fc.tuple(context, nowSeconds), { minLength: 1, maxLength: 5 }), (doc, evaluations) => {
        const set = tryCompile(doc);
        if (set instanceof InvalidFlagsError) return;
        compiled++;
        for (const flag of set.flags.values()) {
          for (const [ctx, now] of evaluations) {
            const r = flag.evaluate(ctx as EvaluationContext, now);
            expect(r.key).toBe(flag.key);
            expect(REASONS).toContain(r.reason);
            expect(r.metadata).toBe(flag.metadata);
            // Every resolution, errors included, carries a value of the flag's type and its variant.
            expect(typeOf(r.value)).toBe(flag.type);
            expect(typeof r.variant).toBe('string');
            if (r.reason === 'ERROR') expect(ERROR_CODES).toContain(r.errorCode);
            else expect(r.errorCode).toBeUndefined();
          }
        }
      }),
      { numRuns: 1500 },
    );
    // The generator is tuned so that a good share of documents is valid (the evaluation half matters).
    expect(compiled).toBeGreaterThan(300);
  });

  it('evaluation is a pure function of (flag, context, time)', () => {
    const set = compileSeed({
      flags: { f: { name: 'F' } },
      values: { f: { enabled: true, rollout_percentage: 50, variants: { x: { weight: 50 }, y: { weight: 50 }, z: {} }, default_variant: 'z', rules: [{ name: 'r', enabled: true, conditions: [{ attribute: 'plan', operator: 'in', values: ['pro'] }], rollout_percentage: 50, variant: 'x' }] } },
    });
    const flag = set.flags.get('f')!;
    fc.assert(
      fc.property(context, nowSeconds, (ctx, now) => {
        expect(flag.evaluate(ctx as EvaluationContext, now)).toEqual(flag.evaluate(ctx as EvaluationContext, now));
      }),
      { numRuns: 500 },
    );
  });
});
