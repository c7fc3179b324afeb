import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidFlagsError } from '../../core/flags/model.js';
import { compileSeed } from '../../core/flags/seed/compile.js';

// Fixtures are mutated freely in the table below.
type Doc = Record<string, any>;

const fixture = JSON.parse(readFileSync(new URL('../fixtures/flags/seed/example.json', import.meta.url), 'utf8')) as Doc;
const base = (): Doc => structuredClone(fixture);

/** The issues of an invalid document (fails the test if it compiles or throws anything else). */
function issuesOf(doc: unknown): { path: string; message: string }[] {
  try {
    compileSeed(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFlagsError);
    const e = error as InvalidFlagsError;
    expect(e.format).toBe('seed');
    return e.issues;
  }
  throw new Error('expected InvalidFlagsError');
}

const nc = (d: Doc) => d.values['new-checkout'];
const cond0 = (d: Doc) => nc(d).rules[1].conditions[0];

// [what, mutation of the fixture, exact path, message fragment]
const cases: [string, (d: Doc) => void, string, string][] = [
  ['unknown top-level property', (d) => { d.flagz = {}; }, 'flagz', 'unknown property'],
  ['version type', (d) => { d.version = true; }, 'version', 'string or a finite number'],
  ['metadata value type', (d) => { d.metadata.tags = ['a']; }, 'metadata.tags', 'string, a finite number or a boolean'],
  ['flags missing', (d) => { delete d.flags; }, 'flags', 'is required'],
  ['values not an object', (d) => { d.values = []; }, 'values', 'is required'],
  ['invalid flag key', (d) => { d.flags['a/b'] = { name: 'x' }; d.values['a/b'] = { enabled: true }; }, 'flags.a/b', 'invalid flag key'],
  ['flag without values entry', (d) => { d.flags.orphan = { name: 'Orphan' }; }, 'values.orphan', 'has no values entry'],
  ['values entry not declared', (d) => { d.values.ghost = { enabled: true }; }, 'values.ghost', 'not declared in flags'],
  ['declaration not an object', (d) => { d.flags['max-items'] = 'Max'; }, 'flags.max-items', 'must be an object'],
  ['name missing', (d) => { delete d.flags['max-items'].name; }, 'flags.max-items.name', 'non-empty string'],
  ['description type', (d) => { d.flags['max-items'].description = 5; }, 'flags.max-items.description', 'must be a string'],
  ['unknown declaration property', (d) => { d.flags['max-items'].owner = 'me'; }, 'flags.max-items.owner', 'unknown property'],
  ['values entry not an object', (d) => { d.values['max-items'] = true; }, 'values.max-items', 'must be an object'],
  ['enabled missing', (d) => { delete nc(d).enabled; }, 'values.new-checkout.enabled', 'must be a boolean'],
  ['misspelt rollout', (d) => { nc(d).rollout_percent = 10; }, 'values.new-checkout.rollout_percent', 'unknown property'],
  ['rollout above 100', (d) => { nc(d).rollout_percentage = 101; }, 'values.new-checkout.rollout_percentage', 'from 0 to 100'],
  ['rollout as a string', (d) => { nc(d).rollout_percentage = '25'; }, 'values.new-checkout.rollout_percentage', 'from 0 to 100'],
  ['rules not an array', (d) => { nc(d).rules = {}; }, 'values.new-checkout.rules', 'array of rules'],
  ['rule not an object', (d) => { nc(d).rules[0] = 'r'; }, 'values.new-checkout.rules[0]', 'must be an object'],
  ['rule name', (d) => { nc(d).rules[1].name = ''; }, 'values.new-checkout.rules[1].name', 'non-empty string'],
  ['rule enabled', (d) => { delete nc(d).rules[1].enabled; }, 'values.new-checkout.rules[1].enabled', 'must be a boolean'],
  ['rule conditions missing', (d) => { delete nc(d).rules[1].conditions; }, 'values.new-checkout.rules[1].conditions', 'array of conditions'],
  ['rule variant unknown', (d) => { nc(d).rules[0].variant = 'maybe'; }, 'values.new-checkout.rules[0].variant', 'on, off'],
  ['rule rollout', (d) => { nc(d).rules[1].rollout_percentage = -1; }, 'values.new-checkout.rules[1].rollout_percentage', 'from 0 to 100'],
  ['disabled rules are validated too', (d) => { nc(d).rules[2].conditions[0].operator = 'endswith'; }, 'values.new-checkout.rules[2].conditions[0].operator', 'unknown operator'],
  ['condition not an object', (d) => { nc(d).rules[1].conditions[1] = ['country']; }, 'values.new-checkout.rules[1].conditions[1]', 'must be an object'],
  ['condition unknown property', (d) => { cond0(d).negate = true; }, 'values.new-checkout.rules[1].conditions[0].negate', 'unknown property'],
  ['attribute missing', (d) => { delete cond0(d).attribute; }, 'values.new-checkout.rules[1].conditions[0].attribute', 'non-empty string'],
  ['attribute empty segment', (d) => { cond0(d).attribute = 'user..plan'; }, 'values.new-checkout.rules[1].conditions[0].attribute', 'empty segment'],
  ['reserved attribute', (d) => { cond0(d).attribute = '$flag'; }, 'values.new-checkout.rules[1].conditions[0].attribute', 'reserved'],
  ['unknown operator', (d) => { cond0(d).operator = 'matches'; }, 'values.new-checkout.rules[1].conditions[0].operator', 'unknown operator "matches"'],
  ['values not an array', (d) => { cond0(d).values = 'pro'; }, 'values.new-checkout.rules[1].conditions[0].values', 'non-empty array'],
  ['values empty', (d) => { cond0(d).values = []; }, 'values.new-checkout.rules[1].conditions[0].values', 'non-empty array'],
  ['equals with an object', (d) => { cond0(d).values = ['pro', { plan: 1 }]; }, 'values.new-checkout.rules[1].conditions[0].values[1]', 'string, a finite number or a boolean'],
  ['starts_with with a number', (d) => { Object.assign(cond0(d), { operator: 'starts_with', values: [1] }); }, 'values.new-checkout.rules[1].conditions[0].values[0]', 'must be a string'],
  ['gt with a numeric string', (d) => { Object.assign(cond0(d), { operator: 'gt', values: ['10'] }); }, 'values.new-checkout.rules[1].conditions[0].values[0]', 'finite number'],
  ['semver invalid', (d) => { Object.assign(cond0(d), { operator: 'semver_gte', values: ['1.2.3', '1.2'] }); }, 'values.new-checkout.rules[1].conditions[0].values[1]', 'semantic version'],
  ['date invalid', (d) => { Object.assign(cond0(d), { operator: 'before', values: ['2025-02-30'] }); }, 'values.new-checkout.rules[1].conditions[0].values[0]', 'ISO-8601'],
  ['date without offset', (d) => { Object.assign(cond0(d), { operator: 'after', values: ['2025-02-01T10:00:00'] }); }, 'values.new-checkout.rules[1].conditions[0].values[0]', 'ISO-8601'],
  ['exists with values', (d) => { Object.assign(cond0(d), { operator: 'exists', values: ['x'] }); }, 'values.new-checkout.rules[1].conditions[0].values', 'absent or empty'],
  ['default_variant without variants', (d) => { nc(d).default_variant = 'on'; }, 'values.new-checkout.default_variant', 'only allowed with variants'],
  ['variants of another shape', (d) => { d.values['max-items'].variants = 'standard'; }, 'values.max-items.variants', 'object of variants'],
  ['no variants', (d) => { d.values['max-items'].variants = {}; }, 'values.max-items.variants', 'at least one variant'],
  ['variant not an object', (d) => { d.values['max-items'].variants.extended = 100; }, 'values.max-items.variants.extended', 'must be an object'],
  ['variant unknown property', (d) => { d.values['max-items'].variants.extended.label = 'x'; }, 'values.max-items.variants.extended.label', 'unknown property'],
  ['variant value null', (d) => { d.values['max-items'].variants.extended.value = null; }, 'values.max-items.variants.extended.value', 'must not be null'],
  ['variant types differ', (d) => { d.values['max-items'].variants.extended.value = '100'; }, 'values.max-items.variants.extended.value', 'share one type'],
  ['value defaulting to the name mismatches', (d) => { delete d.values['max-items'].variants.extended.value; }, 'values.max-items.variants.extended', 'its name as value'],
  ['array-form name missing', (d) => { delete d.values['checkout-config'].variants[1].name; }, 'values.checkout-config.variants[1].name', 'non-empty string'],
  ['array-form duplicate name', (d) => { d.values['checkout-config'].variants[1].name = 'classic'; }, 'values.checkout-config.variants[1].name', 'duplicate variant name'],
  ['nested value not JSON', (d) => { d.values['checkout-config'].variants[0].value.retries = Number.NaN; }, 'values.checkout-config.variants[0].value.retries', 'finite number'],
  ['weights do not sum to 100', (d) => { d.values['banner-color'].variants.orange.weight = 10; }, 'values.banner-color.variants', 'sum to 100 (they sum to 90)'],
  ['weight out of range', (d) => { d.values['banner-color'].variants.gray.weight = -5; }, 'values.banner-color.variants.gray.weight', 'from 0 to 100'],
  ['default_variant missing', (d) => { delete d.values['banner-color'].default_variant; }, 'values.banner-color.default_variant', 'is required with variants'],
  ['default_variant unknown', (d) => { d.values['banner-color'].default_variant = 'grey'; }, 'values.banner-color.default_variant', 'must name a declared variant'],
  ['rule variant unknown (multivariate)', (d) => { d.values['banner-color'].rules[0].variant = 'grey'; }, 'values.banner-color.rules[0].variant', 'blue, green, orange, gray'],
];

describe('seed validation', () => {
  it('the fixture is valid', () => {
    expect(() => compileSeed(base())).not.toThrow();
  });

  it.each(cases)('%s -> %s', (_what, mutate, path, message) => {
    const doc = base();
    mutate(doc);
    const issues = issuesOf(doc);
    expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(issues).toHaveLength(1);
  });

  it('a document that is not an object is one issue at the root', () => {
    for (const doc of [null, [], 'flags', 42]) expect(issuesOf(doc)).toEqual([{ path: '', message: expect.stringContaining('must be an object') }]);
  });

  it('reports every problem at once, and the error message lists them with their paths', () => {
    const doc = base();
    nc(doc).rollout_percentage = 200;
    cond0(doc).values = [{}];
    doc.values['max-items'].variants.standard.value = Infinity;
    let message = '';
    try {
      compileSeed(doc);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(issuesOf(doc).map((i) => i.path)).toEqual([
      'values.new-checkout.rollout_percentage',
      'values.new-checkout.rules[1].conditions[0].values[0]',
      'values.max-items.variants.standard.value',
    ]);
    expect(message).toContain('invalid seed flags:\n  values.new-checkout.rollout_percentage: must be a number from 0 to 100');
  });
});
