/**
 * Amazon EventBridge event-pattern matching, pure and dependency-free.
 *
 * Semantics (AWS docs "Amazon EventBridge event patterns", "Content filtering", aws/event-ruler):
 * - A pattern mirrors the event's structure; fields not named in the pattern are ignored. Every field
 *   named must match (AND); the values in a leaf array are alternatives (OR).
 * - A leaf matches a primitive event value (string, number, boolean, null). When the event holds an
 *   array there, the leaf matches if any element matches (nested arrays are flattened). Objects are
 *   not leaves: a leaf pattern never matches an object value, and `{exists:false}` treats one as absent.
 * - A nested pattern applied to an array of objects matches if one element matches the whole nested
 *   pattern (EventBridge's array-consistent matching: two fields must come from the same element).
 * - A field absent from the event (or under a missing / non-object parent) matches only
 *   `{exists:false}`. `null` is a value: it matches `null` and `{exists:true}`, and "" only matches "".
 * - Operators: prefix / suffix (optionally `{equals-ignore-case}`), equals-ignore-case, wildcard,
 *   anything-but (value, list, or nested prefix / suffix / equals-ignore-case / wildcard), numeric
 *   (JSON numbers only, never numeric strings), cidr (IPv4 / IPv6 string addresses), exists, and `$or`.
 *
 * Patterns are compiled once into closures; `matches` caches compilations per pattern object.
 */
import {
  type Cidr,
  type EventPattern,
  type NumericRange,
  isPlainObject,
  parseCidr,
  parseIp,
  parseNumeric,
  validatePattern,
  wildcardToRegExp,
} from './pattern-validate.js';

export { InvalidEventPatternError, validatePattern } from './pattern-validate.js';
export type { EventPattern } from './pattern-validate.js';

type Leaf = string | number | boolean | null;
type LeafPredicate = (v: Leaf) => boolean;

interface NodeMatcher {
  /** Matches the event value found at this node's position (undefined when absent). */
  match: (v: unknown) => boolean;
  /** Whether the node is satisfied when the event has no value here at all. */
  absent: boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;
const fold = (s: string) => s.toLowerCase();

function isLeaf(v: unknown): v is Leaf {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

// ---------------------------------------------------------------------------------------------
// leaf operators

function stringTest(op: 'prefix' | 'suffix' | 'equals' | 'wildcard', arg: string, ignoreCase: boolean): (s: string) => boolean {
  if (op === 'wildcard') {
    const re = wildcardToRegExp(arg, '');
    return (s) => re.test(s);
  }
  if (ignoreCase) {
    const a = fold(arg);
    if (op === 'prefix') return (s) => fold(s).startsWith(a);
    if (op === 'suffix') return (s) => fold(s).endsWith(a);
    return (s) => fold(s) === a;
  }
  if (op === 'prefix') return (s) => s.startsWith(arg);
  if (op === 'suffix') return (s) => s.endsWith(arg);
  return (s) => s === arg;
}

function numericTest(r: NumericRange): LeafPredicate {
  const { lo, hi, loInclusive, hiInclusive } = r;
  return (v) =>
    typeof v === 'number' && (loInclusive ? v >= lo : v > lo) && (hiInclusive ? v <= hi : v < hi);
}

function cidrTest(c: Cidr): LeafPredicate {
  return (v) => {
    if (typeof v !== 'string') return false;
    const ip = parseIp(v);
    return ip !== undefined && ip.v === c.v && (ip.n & c.mask) === c.network;
  };
}

function anythingButTest(arg: unknown): LeafPredicate {
  if (isPlainObject(arg)) {
    const [op, inner] = Object.entries(arg)[0] as [string, unknown];
    const list = (Array.isArray(inner) ? inner : [inner]) as string[];
    const kind = op === 'equals-ignore-case' ? 'equals' : (op as 'prefix' | 'suffix' | 'wildcard');
    const tests = list.map((s) => stringTest(kind, s, op === 'equals-ignore-case'));
    // Non-strings can't have the excluded prefix/suffix/shape, so they pass.
    return (v) => typeof v !== 'string' || !tests.some((t) => t(v));
  }
  const list = Array.isArray(arg) ? arg : [arg];
  const strings = new Set(list.filter((x): x is string => typeof x === 'string'));
  const numbers = new Set(list.filter((x): x is number => typeof x === 'number'));
  return (v) => !(typeof v === 'string' ? strings.has(v) : typeof v === 'number' && numbers.has(v));
}

function operatorTest(expr: Record<string, unknown>, path: string): LeafPredicate | 'exists' | 'not-exists' {
  const [op, arg] = Object.entries(expr)[0] as [string, unknown];
  switch (op) {
    case 'exists':
      return arg ? 'exists' : 'not-exists';
    case 'prefix':
    case 'suffix': {
      const ignoreCase = isPlainObject(arg);
      const t = stringTest(op, ignoreCase ? (arg['equals-ignore-case'] as string) : (arg as string), ignoreCase);
      return (v) => typeof v === 'string' && t(v);
    }
    case 'equals-ignore-case':
    case 'wildcard': {
      const t = stringTest(op === 'wildcard' ? 'wildcard' : 'equals', arg as string, op === 'equals-ignore-case');
      return (v) => typeof v === 'string' && t(v);
    }
    case 'numeric':
      return numericTest(parseNumeric(arg, path));
    case 'cidr':
      return cidrTest(parseCidr(arg as string, path));
    case 'anything-but':
      return anythingButTest(arg);
    default:
      // unreachable after validation
      return () => false;
  }
}

function compileLeaf(values: unknown[], path: string): NodeMatcher {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  let matchTrue = false;
  let matchFalse = false;
  let matchNull = false;
  let existsTrue = false;
  let existsFalse = false;
  const others: LeafPredicate[] = [];
  for (const v of values) {
    if (typeof v === 'string') strings.add(v);
    else if (typeof v === 'number') numbers.add(v);
    else if (v === true) matchTrue = true;
    else if (v === false) matchFalse = true;
    else if (v === null) matchNull = true;
    else {
      const t = operatorTest(v as Record<string, unknown>, path);
      if (t === 'exists') existsTrue = true;
      else if (t === 'not-exists') existsFalse = true;
      else others.push(t);
    }
  }
  const hasStrings = strings.size > 0;
  const hasNumbers = numbers.size > 0;
  const pred: LeafPredicate = existsTrue
    ? () => true
    : (v) => {
        switch (typeof v) {
          case 'string':
            if (hasStrings && strings.has(v)) return true;
            break;
          case 'number':
            if (hasNumbers && numbers.has(v)) return true;
            break;
          case 'boolean':
            if (v ? matchTrue : matchFalse) return true;
            break;
          default:
            if (matchNull) return true;
        }
        for (let i = 0; i < others.length; i++) if ((others[i] as LeafPredicate)(v)) return true;
        return false;
      };

  // Returns 1 when a leaf matched, 0 when leaves were seen but none matched, -1 when there were none.
  const scan = (arr: readonly unknown[]): number => {
    let seen = -1;
    for (let i = 0; i < arr.length; i++) {
      const el = arr[i];
      if (Array.isArray(el)) {
        const r = scan(el);
        if (r === 1) return 1;
        if (r === 0) seen = 0;
      } else if (isLeaf(el)) {
        if (pred(el)) return 1;
        seen = 0;
      }
    }
    return seen;
  };

  const match = (v: unknown): boolean => {
    if (isLeaf(v)) return pred(v);
    if (Array.isArray(v)) {
      const r = scan(v);
      return r === 1 || (r === -1 && existsFalse);
    }
    return existsFalse; // absent, or an object (not a leaf)
  };
  return { match, absent: existsFalse };
}

// ---------------------------------------------------------------------------------------------
// objects and $or

function compileObject(pattern: Record<string, unknown>, path: string): NodeMatcher {
  const leafKeys: string[] = [];
  const leafFns: Array<(v: unknown) => boolean> = [];
  const nestedKeys: string[] = [];
  const nestedFns: Array<(v: unknown) => boolean> = [];
  const ors: NodeMatcher[][] = [];
  let absent = true;

  for (const key of Object.keys(pattern)) {
    const value = pattern[key];
    const p = path ? `${path}.${key}` : key;
    if (key === '$or') {
      const subs = (value as Record<string, unknown>[]).map((sub, i) => compileObject(sub, `${p}[${i}]`));
      ors.push(subs);
      absent &&= subs.some((s) => s.absent);
    } else if (Array.isArray(value)) {
      const m = compileLeaf(value, p);
      leafKeys.push(key);
      leafFns.push(m.match);
      absent &&= m.absent;
    } else {
      const m = compileObject(value as Record<string, unknown>, p);
      nestedKeys.push(key);
      nestedFns.push(m.match);
      absent &&= m.absent;
    }
  }

  const matchObject = (o: Record<string, unknown>): boolean => {
    for (let i = 0; i < leafKeys.length; i++) {
      const k = leafKeys[i] as string;
      if (!(leafFns[i] as (v: unknown) => boolean)(hasOwn.call(o, k) ? o[k] : undefined)) return false;
    }
    for (let i = 0; i < nestedKeys.length; i++) {
      const k = nestedKeys[i] as string;
      if (!(nestedFns[i] as (v: unknown) => boolean)(hasOwn.call(o, k) ? o[k] : undefined)) return false;
    }
    for (const alternatives of ors) {
      let any = false;
      for (const alt of alternatives) {
        if (alt.match(o)) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    return true;
  };

  const matchArray = (arr: readonly unknown[]): boolean => {
    if (arr.length === 0) return absent;
    for (const el of arr) if (match(el)) return true;
    return false;
  };

  function match(v: unknown): boolean {
    if (typeof v === 'object' && v !== null) {
      return Array.isArray(v) ? matchArray(v) : matchObject(v as Record<string, unknown>);
    }
    return absent; // missing, or a primitive where an object was expected
  }

  return { match, absent };
}

// ---------------------------------------------------------------------------------------------
// public API

/** Validates the pattern and compiles it into a reusable predicate. */
export function compilePattern(pattern: unknown): (event: unknown) => boolean {
  validatePattern(pattern);
  return compileObject(pattern, '').match;
}

const cache = new WeakMap<object, (event: unknown) => boolean>();

/**
 * Whether `event` matches `pattern`. The compiled form is cached per pattern object, so do not mutate
 * a pattern after it has been used (compile a new object instead).
 */
export function matches(pattern: EventPattern, event: unknown): boolean {
  let fn = cache.get(pattern);
  if (!fn) {
    fn = compilePattern(pattern);
    cache.set(pattern, fn);
  }
  return fn(event);
}
