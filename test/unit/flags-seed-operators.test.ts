import { describe, expect, it } from 'vitest';
import type { EvaluationContext } from '../../core/flags/model.js';
import { OPERATORS } from '../../core/flags/seed/conditions.js';
import { compileSeed } from '../../core/flags/seed/compile.js';
import { compareSemver, parseIsoInstant, parseSemver } from '../../core/flags/seed/scalars.js';

const NOW = Date.parse('2025-06-01T12:00:00Z') / 1000;

/** Whether one condition matches `context` (a rule serving `on` in a flag that is otherwise off). */
function matches(condition: Record<string, unknown>, context: EvaluationContext, now = NOW): boolean {
  const set = compileSeed({
    flags: { f: { name: 'F' } },
    values: { f: { enabled: true, rollout_percentage: 0, rules: [{ name: 'r', enabled: true, conditions: [condition] }] } },
  });
  const r = set.flags.get('f')!.evaluate(context, now);
  expect(['TARGETING_MATCH', 'DEFAULT']).toContain(r.reason);
  return r.reason === 'TARGETING_MATCH';
}

type Row = [operator: string, values: unknown[] | undefined, attribute: unknown, expected: boolean];

// [operator, config values, the context's `a` attribute (undefined: absent), match?]
const rows: Row[] = [
  ['equals', ['pro'], 'pro', true],
  ['equals', ['pro'], 'Pro', false], // case-sensitive
  ['equals', ['pro', 'team'], 'team', true], // OR
  ['equals', [1], 1, true],
  ['equals', [1], '1', false], // no coercion
  ['equals', ['1'], 1, false],
  ['equals', [true], true, true],
  ['equals', [true], 'true', false],
  ['equals', ['pro'], ['pro'], false], // arrays are not scalars
  ['equals', ['pro'], undefined, false],
  ['in', ['US', 'CA'], 'CA', true],
  ['in', ['US', 'CA'], 'GB', false],
  ['not_equals', ['pro'], 'free', true],
  ['not_equals', ['pro'], 'pro', false],
  ['not_equals', ['pro'], undefined, false], // absent fails negated operators too
  ['not_equals', ['pro'], null, false],
  ['not_equals', ['pro'], { plan: 'x' }, false], // unusable type: no match
  ['not_in', ['US', 'CA'], 'GB', true],
  ['not_in', ['US', 'CA'], 'US', false], // AND
  ['not_in', ['1'], 1, true],
  ['starts_with', ['https://', 'http://'], 'http://x', true],
  ['starts_with', ['https://'], 'HTTPS://x', false],
  ['starts_with', ['1'], 12, false],
  ['ends_with', ['@lumina.dev'], 'ann@lumina.dev', true],
  ['ends_with', ['@lumina.dev'], 'ann@lumina.dev.evil', false],
  ['contains', ['beta'], 'pre-beta-2', true],
  ['contains', ['beta'], 'alpha', false],
  ['contains', ['beta'], ['beta'], false], // strings only
  ['not_contains', ['test', 'qa'], 'prod', true],
  ['not_contains', ['test', 'qa'], 'qa-2', false],
  ['not_contains', ['test'], 5, false],
  ['gt', [10], 11, true],
  ['gt', [10], 10, false],
  ['gt', [10], '11', false], // numeric strings are not coerced
  ['gt', [10, 5], 6, true], // OR: greater than the smallest
  ['gte', [10], 10, true],
  ['gte', [10], 9.99, false],
  ['lt', [0], -1, true],
  ['lt', [0], 0, false],
  ['lt', [1, 5], 3, true], // OR: less than the largest
  ['lte', [2.5], 2.5, true],
  ['lte', [2.5], 2.51, false],
  ['semver_eq', ['1.2.3'], 'v1.2.3', true],
  ['semver_eq', ['1.2.3'], '1.2.3+build.7', true], // build metadata ignored
  ['semver_eq', ['1.2.3'], '1.2.3-rc.1', false],
  ['semver_eq', ['1.2.3'], '1.2', false], // invalid in the context: no match
  ['semver_neq', ['1.2.3', '1.2.4'], '1.2.5', true],
  ['semver_neq', ['1.2.3', '1.2.4'], '1.2.4', false], // AND
  ['semver_neq', ['1.2.3'], 'garbage', false],
  ['semver_gt', ['1.9.9'], '1.10.0', true], // numeric, not lexical
  ['semver_gt', ['1.0.0'], '1.0.0', false],
  ['semver_gt', ['1.0.0-rc.1'], '1.0.0', true], // a release is above its pre-releases
  ['semver_gte', ['2.0.0'], '2.0.0', true],
  ['semver_gte', ['2.0.0'], '2.0.0-beta', false],
  ['semver_lt', ['2.0.0'], '2.0.0-alpha', true],
  ['semver_lt', ['2.0.0'], '01.0.0', false], // leading zero: invalid
  ['semver_lt', ['1.0.0-alpha.beta'], '1.0.0-alpha.1', true], // numeric identifiers sort first
  ['semver_lte', ['1.0.0-beta.2'], '1.0.0-beta.11', false],
  ['semver_lte', ['1.0.0-beta.11'], '1.0.0-beta.2', true],
  ['semver_lte', ['99999999999999999999.0.0'], '99999999999999999998.9.9', true], // no precision limit
  ['before', ['2025-01-01'], '2024-12-31T23:59:59Z', true],
  ['before', ['2025-01-01'], '2025-01-01T00:00:00Z', false],
  ['before', ['2025-01-01T02:00:00+02:00'], '2025-01-01T00:00:00.001Z', false], // offsets respected
  ['before', [1735689600000], 1735689599999, true], // epoch ms
  ['before', ['2025-01-01'], new Date('2024-06-01T00:00:00Z'), true], // Date attributes
  ['before', ['2025-01-01'], '2024-12-31T23:59:59', false], // no offset: not an instant
  ['before', ['2025-01-01'], '1735689599999', false], // numeric strings are not coerced
  ['after', ['2025-01-01', '2030-01-01'], '2025-06-01', true], // OR: after the earliest
  ['after', ['2025-01-01'], '2024-02-30', false], // impossible date
  ['after', ['2025-01-01'], 'soon', false],
  ['exists', undefined, 'x', true],
  ['exists', [], 0, true],
  ['exists', undefined, false, true],
  ['exists', undefined, undefined, false],
  ['exists', undefined, null, false],
  ['not_exists', undefined, undefined, true],
  ['not_exists', undefined, null, true],
  ['not_exists', [], '', false],
];

describe('seed operators', () => {
  it.each(rows)('%s %j on %j -> %s', (operator, values, attribute, expected) => {
    const condition = { attribute: 'a', operator, ...(values ? { values } : {}) };
    const context: EvaluationContext = attribute === undefined ? { targetingKey: 'k' } : { targetingKey: 'k', a: attribute };
    expect(matches(condition, context)).toBe(expected);
  });

  it('the table covers every operator, matching and not matching', () => {
    for (const op of OPERATORS) {
      expect(rows.some(([o, , , e]) => o === op && e), `${op} match`).toBe(true);
      expect(rows.some(([o, , , e]) => o === op && !e), `${op} no match`).toBe(true);
    }
  });

  it('every condition of a rule must match (AND)', () => {
    const conditions = [
      { attribute: 'plan', operator: 'in', values: ['pro'] },
      { attribute: 'country', operator: 'in', values: ['US'] },
    ];
    const set = compileSeed({ flags: { f: { name: 'F' } }, values: { f: { enabled: true, rollout_percentage: 0, rules: [{ name: 'r', enabled: true, conditions }] } } });
    const f = set.flags.get('f')!;
    expect(f.evaluate({ plan: 'pro', country: 'US' }, NOW).value).toBe(true);
    expect(f.evaluate({ plan: 'pro', country: 'CA' }, NOW).value).toBe(false);
  });
});

describe('seed attributes', () => {
  it.each([
    ['nested path', 'user.plan', { user: { plan: 'pro' } }, true],
    ['literal dotted key wins', 'user.plan', { 'user.plan': 'pro', user: { plan: 'free' } }, true],
    ['deep path', 'a.b.c', { a: { b: { c: 'pro' } } }, true],
    ['missing parent', 'user.plan', { plan: 'pro' }, false],
    ['arrays are not indexed', 'users.0', { users: ['pro'] }, false],
    ['inherited properties are ignored', 'user.toString', { user: {} }, false],
    ['targetingKey', 'targetingKey', { targetingKey: 'pro' }, true],
  ])('%s', (_name, attribute, context, expected) => {
    const operator = attribute === 'user.toString' ? 'exists' : 'equals';
    const values = operator === 'exists' ? undefined : ['pro'];
    expect(matches({ attribute, operator, values }, context as EvaluationContext)).toBe(expected);
  });

  it('$now is the evaluation time in epoch ms', () => {
    const c = { attribute: '$now', operator: 'after', values: ['2025-06-01T11:59:59Z'] };
    expect(matches(c, {}, NOW)).toBe(true);
    expect(matches(c, {}, NOW - 2)).toBe(false);
    expect(matches({ attribute: '$now', operator: 'gte', values: [NOW * 1000] }, { $now: 0 }, NOW)).toBe(true);
  });
});

describe('seed scalars', () => {
  it('orders versions as in SemVer 2.0.0 §11', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '2.0.0', '2.1.0', '2.1.1', '10.0.0'];
    const parsed = ordered.map((v) => parseSemver(v)!);
    for (let i = 0; i < parsed.length; i++) {
      for (let j = 0; j < parsed.length; j++) expect(compareSemver(parsed[i]!, parsed[j]!)).toBe(Math.sign(i - j));
    }
  });

  it.each(['1.2', '1.2.3.4', '01.2.3', '1.02.3', '1.2.3-', '1.2.3-01', '1.2.3+', 'V1.2.3', ' 1.2.3', '1.2.3-a..b', 'vv1.2.3'])('rejects version %j', (v) => {
    expect(parseSemver(v)).toBeNull();
  });

  it.each([
    ['2025-06-01', Date.UTC(2025, 5, 1)],
    ['2024-02-29T23:59:59.999Z', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['2025-06-01T09:30+02:00', Date.UTC(2025, 5, 1, 7, 30)],
    ['2025-06-01T09:30:00.1234-01:30', Date.UTC(2025, 5, 1, 11, 0, 0, 123)],
    ['0001-01-01', Date.UTC(2000, 0, 1) - 730119 * 86_400_000],
  ])('parses instant %s', (text, expected) => {
    expect(parseIsoInstant(text)).toBe(expected);
  });

  it.each(['2025-06-01T09:30:00', '2025-13-01', '2025-02-29', '2025-06-01T24:00Z', '2025-06-01T10:60Z', '2025-06-01T10:00:60Z', '2025/06/01', '20250601', '2025-06-01T10:00Z junk', '2025-06-01T10:00+25:00'])(
    'rejects instant %j',
    (text) => expect(parseIsoInstant(text)).toBeNull(),
  );
});
