/**
 * Seed rule conditions: `{ "attribute": "user.plan", "operator": "in", "values": ["pro", "team"] }`,
 * validated and compiled once into a closure `(context, nowMs) => boolean`. The semantics are
 * documented at the top of `compile.ts` and in `README.md`; in short:
 * - the attribute is read from the context (see `compileAttribute`); `null` / missing is "absent",
 *   and an absent attribute fails every operator except `not_exists`;
 * - an attribute whose type does not suit the operator (a number for `starts_with`, a numeric string
 *   for `gt`, an invalid version for `semver_gt`, ...) is no match, never an error;
 * - several values: OR for the positive operators (any value matches), AND for the negated ones
 *   (`not_equals`, `not_in`, `not_contains`, `semver_neq`: the attribute differs from every value);
 * - string comparisons are case-sensitive (exact UTF-16 code units, no normalisation).
 */
import { checkKeys, isRecord, own, type Issues, type Path } from './issues.js';
import { compareSemver, parseSemver, toInstant, type SemVer } from './scalars.js';

export const OPERATORS = [
  'equals', 'not_equals', 'in', 'not_in',
  'starts_with', 'ends_with', 'contains', 'not_contains',
  'gt', 'gte', 'lt', 'lte',
  'semver_eq', 'semver_neq', 'semver_gt', 'semver_gte', 'semver_lt', 'semver_lte',
  'before', 'after',
  'exists', 'not_exists',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** A compiled condition. `nowMs` is the evaluation time (the `$now` attribute). */
export type Condition = (context: Record<string, unknown>, nowMs: number) => boolean;
type Getter = (context: Record<string, unknown>, nowMs: number) => unknown;
type Test = (present: unknown) => boolean;

/** Reserved attribute: the evaluation time in epoch milliseconds (for `before` / `after` schedules). */
export const NOW_ATTRIBUTE = '$now';

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Reads an attribute: `targetingKey` (or any plain name) is a top-level property; a dotted name
 * (`user.plan`) is first looked up as a literal top-level key (flat OpenFeature contexts often use
 * dotted keys), and otherwise walked through nested objects. Only own properties are read; arrays
 * are not indexed. `$now` is the evaluation time.
 */
export function compileAttribute(attribute: string): Getter {
  if (attribute === NOW_ATTRIBUTE) return (_ctx, nowMs) => nowMs;
  const segments = attribute.split('.');
  if (segments.length === 1) return (ctx) => (hasOwn.call(ctx, attribute) ? ctx[attribute] : undefined);
  return (ctx) => {
    if (hasOwn.call(ctx, attribute)) return ctx[attribute];
    let node: unknown = ctx;
    for (const segment of segments) {
      if (typeof node !== 'object' || node === null || Array.isArray(node) || !hasOwn.call(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
    return node;
  };
}

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

type Parse<T> = (value: unknown) => { value: T } | { error: string };
interface OperatorSpec {
  /** Validates one configured value: the parsed value, or the reason it is invalid. */
  parse: Parse<unknown>;
  /** Builds the test of a present attribute value from all the configured (parsed) values. */
  build: (values: unknown[]) => Test;
}
const spec = <T>(parse: Parse<T>, build: (values: T[]) => Test): OperatorSpec => ({ parse, build: build as (values: unknown[]) => Test });

const scalar: Parse<Scalar> = (v) => (isScalar(v) ? { value: v } : { error: 'must be a string, a finite number or a boolean' });
const text: Parse<string> = (v) => (typeof v === 'string' ? { value: v } : { error: 'must be a string' });
const num: Parse<number> = (v) =>
  typeof v === 'number' && Number.isFinite(v) ? { value: v } : { error: 'must be a finite number (numeric strings are not accepted)' };
const semver: Parse<SemVer> = (v) => {
  const parsed = typeof v === 'string' ? parseSemver(v) : null;
  return parsed ? { value: parsed } : { error: `must be a semantic version (SemVer 2.0.0, optional leading "v"), got ${describe(v)}` };
};
const instant: Parse<number> = (v) => {
  const t = typeof v === 'string' || typeof v === 'number' ? toInstant(v) : null;
  return t === null
    ? { error: `must be an ISO-8601 date (YYYY-MM-DD) or date-time with Z or an offset, or epoch milliseconds, got ${describe(v)}` }
    : { value: t };
};

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v) : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

const min = (xs: number[]) => xs.reduce((a, b) => (b < a ? b : a));
const max = (xs: number[]) => xs.reduce((a, b) => (b > a ? b : a));
const lowest = (xs: SemVer[]) => xs.reduce((a, b) => (compareSemver(b, a) < 0 ? b : a));
const highest = (xs: SemVer[]) => xs.reduce((a, b) => (compareSemver(b, a) > 0 ? b : a));
const semverOf = (v: unknown): SemVer | null => (typeof v === 'string' ? parseSemver(v) : null);
/** `cmp` is the comparison of the context's version with the threshold. */
const semverTest = (threshold: SemVer, ok: (cmp: number) => boolean): Test => (v) => {
  const s = semverOf(v);
  return s !== null && ok(compareSemver(s, threshold));
};
const strings = (test: (s: string, x: string) => boolean, every: boolean) => (xs: string[]): Test =>
  every ? (v) => typeof v === 'string' && xs.every((x) => test(v, x)) : (v) => typeof v === 'string' && xs.some((x) => test(v, x));
const member = (negate: boolean) => (xs: Scalar[]): Test => {
  const set = new Set<unknown>(xs); // SameValueZero: 1 and "1" and true stay distinct
  return negate ? (v) => isScalar(v) && !set.has(v) : (v) => isScalar(v) && set.has(v);
};

const SPECS: Record<Exclude<Operator, 'exists' | 'not_exists'>, OperatorSpec> = {
  equals: spec(scalar, member(false)),
  in: spec(scalar, member(false)),
  not_equals: spec(scalar, member(true)),
  not_in: spec(scalar, member(true)),
  starts_with: spec(text, strings((s, x) => s.startsWith(x), false)),
  ends_with: spec(text, strings((s, x) => s.endsWith(x), false)),
  contains: spec(text, strings((s, x) => s.includes(x), false)),
  not_contains: spec(text, strings((s, x) => !s.includes(x), true)),
  // OR over the values: `gt [a, b]` is "greater than the smallest", `lt [a, b]` "less than the largest".
  gt: spec(num, (xs) => { const m = min(xs); return (v) => typeof v === 'number' && v > m; }),
  gte: spec(num, (xs) => { const m = min(xs); return (v) => typeof v === 'number' && v >= m; }),
  lt: spec(num, (xs) => { const m = max(xs); return (v) => typeof v === 'number' && v < m; }),
  lte: spec(num, (xs) => { const m = max(xs); return (v) => typeof v === 'number' && v <= m; }),
  semver_eq: spec(semver, (xs) => (v) => { const s = semverOf(v); return s !== null && xs.some((x) => compareSemver(s, x) === 0); }),
  semver_neq: spec(semver, (xs) => (v) => { const s = semverOf(v); return s !== null && xs.every((x) => compareSemver(s, x) !== 0); }),
  semver_gt: spec(semver, (xs) => semverTest(lowest(xs), (c) => c > 0)),
  semver_gte: spec(semver, (xs) => semverTest(lowest(xs), (c) => c >= 0)),
  semver_lt: spec(semver, (xs) => semverTest(highest(xs), (c) => c < 0)),
  semver_lte: spec(semver, (xs) => semverTest(highest(xs), (c) => c <= 0)),
  // `before` any value = before the latest; `after` any value = after the earliest.
  before: spec(instant, (xs) => { const m = max(xs); return (v) => { const t = toInstant(v); return t !== null && t < m; }; }),
  after: spec(instant, (xs) => { const m = min(xs); return (v) => { const t = toInstant(v); return t !== null && t > m; }; }),
};

const isAbsent = (v: unknown): boolean => v === undefined || v === null;

/** Validates an attribute name: non-empty dotted segments; `$`-names are reserved (only `$now` exists). */
function checkAttribute(issues: Issues, attribute: unknown, path: Path): attribute is string {
  if (typeof attribute !== 'string' || attribute === '') {
    issues.add(path, 'must be a non-empty string');
    return false;
  }
  if (attribute.split('.').some((s) => s === '')) {
    issues.add(path, `has an empty segment: "${attribute}" (use dotted names like "user.plan")`);
    return false;
  }
  if (attribute.startsWith('$') && attribute !== NOW_ATTRIBUTE) {
    issues.add(path, `"${attribute}" is reserved: the only $-attribute is ${NOW_ATTRIBUTE}`);
    return false;
  }
  return true;
}

/** Validates one condition at `path` and compiles it; `null` (with issues added) when invalid. */
export function compileCondition(issues: Issues, raw: unknown, path: Path): Condition | null {
  if (!isRecord(raw)) {
    issues.add(path, 'must be an object { attribute, operator, values }');
    return null;
  }
  const before = issues.count;
  checkKeys(issues, raw, ['attribute', 'operator', 'values'], path);
  const attribute = own(raw, 'attribute');
  const attributeOk = checkAttribute(issues, attribute, [...path, 'attribute']);
  const op = own(raw, 'operator');
  const values = own(raw, 'values');
  const valuesPath = [...path, 'values'];
  if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op)) {
    issues.add([...path, 'operator'], `unknown operator ${describe(op)} (one of: ${OPERATORS.join(', ')})`);
    return null;
  }
  const operator = op as Operator;
  if (operator === 'exists' || operator === 'not_exists') {
    if (values !== undefined && !(Array.isArray(values) && values.length === 0)) issues.add(valuesPath, `must be absent or empty for ${operator}`);
    if (!attributeOk || issues.count > before) return null;
    const get = compileAttribute(attribute);
    return operator === 'exists' ? (ctx, now) => !isAbsent(get(ctx, now)) : (ctx, now) => isAbsent(get(ctx, now));
  }
  if (!Array.isArray(values) || values.length === 0) {
    issues.add(valuesPath, `must be a non-empty array for ${operator}`);
    return null;
  }
  const { parse, build } = SPECS[operator];
  const parsed: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const result = parse(values[i]);
    if ('error' in result) issues.add([...valuesPath, i], `${result.error} (operator ${operator})`);
    else parsed.push(result.value);
  }
  if (!attributeOk || issues.count > before) return null;
  const get = compileAttribute(attribute);
  const test = build(parsed);
  return (ctx, now) => {
    const v = get(ctx, now);
    return !isAbsent(v) && test(v);
  };
}
