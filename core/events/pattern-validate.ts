/**
 * Validation half of the EventBridge event-pattern implementation (see pattern.ts for matching).
 *
 * Rules follow the AWS "Amazon EventBridge event patterns" / "Content filtering" documentation and
 * the behaviour of aws/event-ruler (the engine behind EventBridge): every leaf is a non-empty array
 * whose members are strings, numbers, booleans, null or one-key match expressions; nested objects
 * describe nested event fields; `$or` takes an array of at least two sub-patterns.
 *
 * Errors carry a JSON-ish path to the offending element, e.g. `detail.status[1].numeric`.
 * Messages reuse EventBridge's own wording where it is known.
 */

export type EventPattern = Record<string, unknown>;

export class InvalidEventPatternError extends Error {
  override name = 'InvalidEventPatternError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export const MATCH_OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'anything-but',
  'numeric',
  'exists',
  'wildcard',
  'cidr',
] as const;

const ANYTHING_BUT_NESTED = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard']);
const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(message: string, path: string): never {
  throw new InvalidEventPatternError(message, path);
}

const child = (path: string, key: string) => (path ? `${path}.${key}` : key);
const index = (path: string, i: number) => `${path}[${i}]`;

export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  if (!isPlainObject(pattern)) fail('Event pattern must be a JSON object', '');
  validateObject(pattern, '');
}

function validateObject(obj: Record<string, unknown>, path: string): void {
  const keys = Object.keys(obj);
  if (keys.length === 0) fail('Empty objects are not allowed', path);
  for (const key of keys) {
    const value = obj[key];
    const p = child(path, key);
    if (key === '$or') validateOr(value, p);
    else if (Array.isArray(value)) validateLeaf(value, p);
    else if (isPlainObject(value)) validateObject(value, p);
    else fail(`"${key}" must be an object or an array`, p);
  }
}

function validateOr(value: unknown, path: string): void {
  if (!Array.isArray(value) || value.length < 2) fail('$or must be an array of at least 2 sub-patterns', path);
  value.forEach((sub, i) => {
    if (!isPlainObject(sub)) fail('$or members must be JSON objects', index(path, i));
    validateObject(sub, index(path, i));
  });
}

function validateLeaf(values: unknown[], path: string): void {
  if (values.length === 0) fail('Empty arrays are not allowed', path);
  values.forEach((v, i) => {
    const p = index(path, i);
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail('Numbers must be finite', p);
      return;
    }
    if (isPlainObject(v)) return validateMatchExpression(v, p);
    fail('Match value must be String, number, true, false, or null', p);
  });
}

function validateMatchExpression(expr: Record<string, unknown>, path: string): void {
  const keys = Object.keys(expr);
  if (keys.length !== 1) fail('Only one key allowed in match expression', path);
  const op = keys[0] as string;
  const value = expr[op];
  const p = child(path, op);
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (isPlainObject(value)) {
        const inner = Object.keys(value);
        if (inner.length !== 1 || inner[0] !== 'equals-ignore-case') fail(`Unsupported ${op} pattern: ${inner.join(',') || '{}'}`, p);
        if (typeof value['equals-ignore-case'] !== 'string') fail('equals-ignore-case match pattern must be a string', child(p, 'equals-ignore-case'));
        return;
      }
      if (typeof value !== 'string') fail(`${op} match pattern must be a string`, p);
      return;
    case 'equals-ignore-case':
      if (typeof value !== 'string') fail('equals-ignore-case match pattern must be a string', p);
      return;
    case 'exists':
      if (typeof value !== 'boolean') fail('exists match pattern must be either true or false.', p);
      return;
    case 'wildcard':
      if (typeof value !== 'string') fail('wildcard match pattern must be a string', p);
      wildcardToRegExp(value, p);
      return;
    case 'cidr':
      if (typeof value !== 'string') fail('cidr match pattern must be a string', p);
      parseCidr(value, p);
      return;
    case 'numeric':
      parseNumeric(value, p);
      return;
    case 'anything-but':
      return validateAnythingBut(value, p);
    default:
      fail(`Unrecognized match type ${op}`, p);
  }
}

function validateAnythingBut(value: unknown, path: string): void {
  if (typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail('Numbers must be finite', path);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) fail('Empty arrays are not allowed', path);
    value.forEach((v, i) => {
      if (typeof v !== 'string' && (typeof v !== 'number' || !Number.isFinite(v)))
        fail('Inside anything but list, start|null|boolean is not supported.', index(path, i));
    });
    return;
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1) fail('Only one key allowed in match expression', path);
    const op = keys[0] as string;
    const p = child(path, op);
    if (!ANYTHING_BUT_NESTED.has(op)) fail(`Unsupported anything-but pattern: ${op}`, p);
    const inner = value[op];
    const list = Array.isArray(inner) ? inner : [inner];
    if (list.length === 0) fail('Empty arrays are not allowed', p);
    list.forEach((s, i) => {
      const ip = Array.isArray(inner) ? index(p, i) : p;
      if (typeof s !== 'string') fail(`Inside anything-but/${op} list, number|start|null|boolean is not supported.`, ip);
      if ((op === 'prefix' || op === 'suffix') && s === '') fail('Null prefix/suffix not allowed', ip);
      if (op === 'wildcard') wildcardToRegExp(s, ip);
    });
    return;
  }
  fail('Value of anything-but must be an array or single string/number value.', path);
}

// ---------------------------------------------------------------------------------------------
// numeric

/** A compiled numeric condition: an interval, possibly degenerate (`=`). */
export interface NumericRange {
  lo: number;
  loInclusive: boolean;
  hi: number;
  hiInclusive: boolean;
}

/**
 * `["=", 3]`, `["<", 10]`, `[">", 0]`, `[">", 0, "<=", 5]`: a single comparison, or a lower bound
 * (`>`/`>=`) followed by an upper bound (`<`/`<=`) with bottom < top.
 */
export function parseNumeric(value: unknown, path: string): NumericRange {
  if (!Array.isArray(value)) fail('Value of numeric must be an array.', path);
  if (value.length !== 2 && value.length !== 4) fail('Numeric match must have one comparison or a two-sided range', path);
  const op1 = value[0];
  const n1 = value[1];
  if (typeof op1 !== 'string' || !NUMERIC_OPS.has(op1)) fail(`Unrecognized numeric range operator: ${String(op1)}`, path);
  if (typeof n1 !== 'number' || !Number.isFinite(n1)) fail(`Value of ${op1 === '=' ? 'equals' : op1} must be numeric`, path);
  if (value.length === 4 && op1 !== '>' && op1 !== '>=') fail('Too many elements in numeric expression', path);
  const r: NumericRange = { lo: -Infinity, loInclusive: false, hi: Infinity, hiInclusive: false };
  switch (op1) {
    case '=': return { lo: n1, loInclusive: true, hi: n1, hiInclusive: true };
    case '<': r.hi = n1; break;
    case '<=': r.hi = n1; r.hiInclusive = true; break;
    case '>': r.lo = n1; break;
    case '>=': r.lo = n1; r.loInclusive = true; break;
  }
  if (value.length === 2) return r;
  const op2 = value[2];
  const n2 = value[3];
  if (op2 !== '<' && op2 !== '<=') fail(`Bad numeric range operator: ${String(op2)}`, path);
  if (typeof n2 !== 'number' || !Number.isFinite(n2)) fail(`Value of ${op2} must be numeric`, path);
  if (n2 <= n1) fail('Bottom must be less than top', path);
  r.hi = n2;
  r.hiInclusive = op2 === '<=';
  return r;
}

// ---------------------------------------------------------------------------------------------
// wildcard

/**
 * `*` matches any run of characters (including none); `\*` is a literal asterisk and `\\` a literal
 * backslash. Consecutive wildcards and any other escape are rejected, as EventBridge does.
 */
export function wildcardToRegExp(pattern: string, path: string): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') fail(`Invalid escape character at pos ${i + 1}`, path);
      src += next === '*' ? '\\*' : '\\\\';
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*') fail(`Consecutive wildcard characters at pos ${i + 1}`, path);
      src += '[\\s\\S]*';
    } else {
      src += c.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${src}$`);
}

// ---------------------------------------------------------------------------------------------
// IP addresses

export type ParsedIp = { v: 4; n: bigint } | { v: 6; n: bigint };

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const b = Number(p);
    if (b > 255) return undefined;
    n = (n << 8n) | BigInt(b);
  }
  return n;
}

function parseIPv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined): number[] | undefined => {
    if (!h) return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (part.includes('.')) {
        if (i !== parts.length - 1) return undefined;
        const v4 = parseIPv4(part);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return undefined;
  // An embedded IPv4 tail may only sit at the very end of the address.
  if (halves.length === 2 && (halves[0] ?? '').includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let n = 0n;
  for (const g of all) n = (n << 16n) | BigInt(g);
  return n;
}

/** Parses a textual IPv4 or IPv6 address (no zone id, no brackets); undefined when not an IP. */
export function parseIp(s: string): ParsedIp | undefined {
  if (s.includes(':')) {
    const n = parseIPv6(s);
    return n === undefined ? undefined : { v: 6, n };
  }
  const n = parseIPv4(s);
  return n === undefined ? undefined : { v: 4, n };
}

export interface Cidr {
  v: 4 | 6;
  /** network address with the host bits cleared */
  network: bigint;
  mask: bigint;
}

export function parseCidr(value: string, path: string): Cidr {
  const parts = value.split('/');
  if (parts.length !== 2) fail("Malformed CIDR, one '/' required", path);
  const [addr, bits] = parts as [string, string];
  if (!/^\d{1,3}$/.test(bits)) fail('Malformed CIDR, mask bits must be an integer', path);
  const ip = parseIp(addr);
  if (!ip) fail(`Nonstandard IP address: ${addr}`, path);
  const width = ip.v === 4 ? 32 : 128;
  const prefix = Number(bits);
  if (prefix > width) fail(`Malformed CIDR, mask bits must be between 0 and ${width}`, path);
  const all = (1n << BigInt(width)) - 1n;
  const mask = prefix === 0 ? 0n : (all >> BigInt(width - prefix)) << BigInt(width - prefix);
  return { v: ip.v, network: ip.n & mask, mask };
}
