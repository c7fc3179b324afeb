/**
 * Strict validation of flagd targeting, against flagd's published targeting schema
 * (https://flagd.dev/schema/v0/targeting.json) plus checks for rules that can only misbehave:
 * unknown operators, wrong arities, malformed `fractional` buckets, unparseable `sem_ver` literals,
 * unknown or cyclic `$ref`s, and targeting that can return a name that is not one of the flag's
 * variants. Every problem is reported with its exact path.
 */
import { OPERATORS } from './jsonlogic-common.js';
import { MAX_WEIGHT_SUM, semVerOperators } from './ops.js';
import { normalizeVersion } from './semver.js';

export interface Issue {
  path: string;
  message: string;
}

const child = (path: string, seg: string | number) => (typeof seg === 'number' ? `${path}[${seg}]` : path ? `${path}.${seg}` : seg);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** [min, max] argument counts (flagd schema; `<`/`<=` also take 3 for "between"). */
const ARITY: Record<string, [number, number]> = {
  '==': [2, 2], '===': [2, 2], '!=': [2, 2], '!==': [2, 2], '>': [2, 2], '>=': [2, 2], '<': [2, 3], '<=': [2, 3],
  '%': [2, 2], '/': [2, 2], in: [2, 2], map: [2, 2], filter: [2, 2], all: [2, 2], none: [2, 2], some: [2, 2],
  substr: [2, 3], reduce: [3, 3], '*': [2, Infinity], if: [1, Infinity], '?:': [1, Infinity], or: [1, Infinity],
  and: [1, Infinity], '+': [1, Infinity], '-': [1, Infinity], max: [1, Infinity], min: [1, Infinity],
  merge: [1, Infinity], cat: [1, Infinity], starts_with: [2, 2], ends_with: [2, 2], sem_ver: [3, 3],
};

/** Operations whose result is a boolean (as a targeting result: variant "true" / "false"). */
const BOOLEAN_OPS = new Set(['==', '===', '!=', '!==', '<', '<=', '>', '>=', '!', '!!', 'in', 'all', 'none', 'some', 'starts_with', 'ends_with', 'sem_ver']);

export class TargetingValidator {
  private readonly validatedEvaluators = new Set<string>();

  constructor(
    private readonly evaluators: Record<string, unknown>,
    private readonly issues: Issue[],
  ) {}

  /** Validates an `$evaluators` entry once (structure only: it has no variants of its own). */
  evaluator(name: string): void {
    if (this.validatedEvaluators.has(name)) return;
    this.validatedEvaluators.add(name);
    const body = this.evaluators[name];
    const path = child('$evaluators', name);
    if (!isObj(body)) this.issues.push({ path, message: 'an evaluator is a JSONLogic object' });
    else new Walk(this, this.issues, undefined, [name], undefined).node(body, path, false);
  }

  /** Validates a flag's targeting; `variants` are the flag's variant names. */
  targeting(node: unknown, path: string, variants: ReadonlySet<string>): void {
    new Walk(this, this.issues, variants, [], undefined).node(node, path, true);
  }

  /**
   * Resolves a `$ref` name (an issue when unknown, unless `quiet`). Cycles are reported where refs
   * are substituted (compile.ts); here the stack only stops the recursion.
   */
  refTarget(name: unknown, path: string, stack: readonly string[], quiet: boolean): unknown {
    const fail = (message: string) => {
      if (!quiet) this.issues.push({ path, message });
      return undefined;
    };
    if (typeof name !== 'string') return fail('a $ref names an entry of $evaluators');
    if (!Object.hasOwn(this.evaluators, name)) return fail(`unknown evaluator '${name}' (not in $evaluators)`);
    if (stack.includes(name)) return undefined;
    this.evaluator(name);
    return this.evaluators[name];
  }
}

/**
 * One walk over targeting. `variants` (when set) enables the tail check; `reportAt` (when set) means
 * we are inside a `$ref`'d evaluator: only tail problems are reported, at the `$ref`.
 */
class Walk {
  constructor(
    private readonly v: TargetingValidator,
    private readonly issues: Issue[],
    private readonly variants: ReadonlySet<string> | undefined,
    private readonly stack: readonly string[],
    private readonly reportAt: string | undefined,
  ) {}

  private issue(path: string, message: string, tailProblem = false): void {
    if (this.reportAt === undefined) this.issues.push({ path, message });
    else if (tailProblem) this.issues.push({ path: this.reportAt, message: `${message} (via evaluator '${this.stack.at(-1)}')` });
  }

  /** A literal (or constant) that can be the targeting result. */
  private result(value: unknown, path: string): void {
    if (!this.variants || value === null) return;
    if (typeof value === 'object') return this.issue(path, `targeting can return ${Array.isArray(value) ? 'an array' : 'an object'}, which does not name a variant`, true);
    const name = String(value);
    if (!this.variants.has(name)) this.issue(path, `targeting can return ${show(value)}, which is not a variant of this flag (variants: ${[...this.variants].join(', ')})`, true);
  }

  node(node: unknown, path: string, tail: boolean): void {
    if (Array.isArray(node)) {
      if (tail) this.result(node, path);
      node.forEach((n, i) => this.node(n, child(path, i), false));
      return;
    }
    if (!isObj(node)) {
      if (tail) this.result(node, path);
      return;
    }
    const keys = Object.keys(node);
    if (keys.length === 0) {
      if (tail) this.result(node, path);
      return;
    }
    if (keys.includes('$ref')) {
      if (keys.length > 1) return this.issue(path, `a $ref stands alone (found also ${keys.filter((k) => k !== '$ref').join(', ')})`);
      const at = child(path, '$ref');
      const body = this.v.refTarget(node.$ref, at, this.stack, this.reportAt !== undefined);
      if (body !== undefined && tail && this.variants && isObj(body)) {
        new Walk(this.v, this.issues, this.variants, [...this.stack, node.$ref as string], this.reportAt ?? at).node(body, at, true);
      }
      return;
    }
    if (keys.length > 1) return this.issue(path, `an operation has exactly one key (found ${keys.join(', ')})`);
    const op = keys[0]!;
    if (!OPERATORS.has(op)) return this.issue(path, `unknown operator '${op}'`);
    const at = child(path, op);
    this.op(op, node[op], at, tail);
  }

  private args(raw: unknown, path: string, op: string): unknown[] | undefined {
    const [min, max] = ARITY[op] ?? [0, Infinity];
    if (!Array.isArray(raw)) {
      this.issue(path, `${op} takes an array of ${min === max ? min : `${min}${max === Infinity ? '+' : `–${max}`}`} arguments`);
      return undefined;
    }
    if (raw.length < min || raw.length > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.issue(path, `${op} takes ${want} argument${(max === Infinity ? min : max) === 1 ? '' : 's'}, got ${raw.length}`);
      return undefined;
    }
    return raw;
  }

  private op(op: string, raw: unknown, path: string, tail: boolean): void {
    if (tail && this.variants && BOOLEAN_OPS.has(op)) {
      for (const b of ['true', 'false']) {
        if (!this.variants.has(b)) this.issue(path, `targeting can return ${b} (the result of ${op}), but the flag has no variant "${b}"`, true);
      }
    }
    switch (op) {
      case 'var':
        return this.var(raw, path);
      case 'missing':
        if (!Array.isArray(raw) || !raw.every((k) => typeof k === 'string')) this.issue(path, 'missing takes an array of key strings');
        return;
      case 'missing_some':
        if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== 'number' || !Array.isArray(raw[1]) || !raw[1].every((k) => typeof k === 'string')) {
          this.issue(path, 'missing_some takes [minimum, [key strings]]');
        }
        return;
      case '!':
      case '!!':
        if (Array.isArray(raw) && raw.length !== 1) return this.issue(path, `${op} takes one argument, got ${raw.length}`);
        return this.node(Array.isArray(raw) ? raw[0] : raw, Array.isArray(raw) ? child(path, 0) : path, false);
      case 'fractional':
        return this.fractional(raw, path, tail);
      case 'sem_ver':
        return this.semVer(raw, path);
      case 'starts_with':
      case 'ends_with': {
        const args = this.args(raw, path, op);
        args?.forEach((a, i) => {
          if (isObj(a)) this.node(a, child(path, i), false);
          else if (typeof a !== 'string') this.issue(child(path, i), `${op} compares strings; ${show(a)} is not a string`);
        });
        return;
      }
    }
    const args = this.args(raw, path, op);
    if (!args) return;
    const branch = (i: number) => {
      if (op === 'or' || op === 'and') return tail;
      if (!tail || (op !== 'if' && op !== '?:')) return false;
      if (args.length <= 2) return i === args.length - 1;
      return i % 2 === 1 || i === args.length - 1;
    };
    args.forEach((a, i) => this.node(a, child(path, i), branch(i)));
  }

  private var(raw: unknown, path: string): void {
    const key = Array.isArray(raw) ? raw[0] : raw;
    const keyPath = Array.isArray(raw) ? child(path, 0) : path;
    if (Array.isArray(raw)) {
      if (raw.length === 0) return this.issue(path, 'var takes a key, or [key, default]');
      if (typeof key !== 'string') return this.issue(keyPath, 'the key of var is a string');
      raw.slice(1).forEach((d, i) => {
        if (d !== null && typeof d === 'object') this.issue(child(path, i + 1), 'the default of var is a string, number, boolean or null');
      });
    }
    if (isObj(key)) return this.node(key, keyPath, false);
    if (typeof key !== 'string') return;
    if (key.startsWith('$flagd.') && key !== '$flagd.flagKey' && key !== '$flagd.timestamp') {
      this.issue(keyPath, `unknown flagd property '${key}' (flagd provides $flagd.flagKey and $flagd.timestamp)`);
    }
    if (key.includes('../')) this.issue(keyPath, `'../' (parent scope) paths are not supported`);
  }

  private semVer(raw: unknown, path: string): void {
    const args = this.args(raw, path, 'sem_ver');
    if (!args) return;
    const op = args[1];
    if (typeof op !== 'string' || !semVerOperators.includes(op)) {
      this.issue(child(path, 1), `sem_ver operator must be one of ${semVerOperators.join(' ')}; got ${show(op)}`);
    }
    for (const i of [0, 2]) {
      const a = args[i];
      if (isObj(a)) this.node(a, child(path, i), false);
      else if (typeof a !== 'string' || !normalizeVersion(a)) this.issue(child(path, i), `${show(a)} is not a semantic version`);
    }
  }

  private fractional(raw: unknown, path: string, tail: boolean): void {
    if (!Array.isArray(raw) || raw.length === 0) return this.issue(path, 'fractional takes [bucketing expression?, [variant, weight?], ...]');
    let start = 0;
    const first = raw[0];
    if (isObj(first)) {
      this.node(first, child(path, 0), false);
      start = 1;
    } else if (!Array.isArray(first)) {
      return this.issue(child(path, 0), `the bucketing key must be an expression (a literal ${show(first)} puts everyone in the same bucket)`);
    }
    if (raw.length === start) return this.issue(path, 'fractional needs at least one [variant, weight] bucket');
    let total = 0;
    for (let i = start; i < raw.length; i++) {
      const bucket = raw[i];
      const at = child(path, i);
      if (!Array.isArray(bucket) || bucket.length < 1 || bucket.length > 2) {
        this.issue(at, 'a bucket is [variant] or [variant, weight]');
        continue;
      }
      this.node(bucket[0], child(at, 0), tail);
      if (bucket.length === 2) {
        const w = bucket[1];
        if (isObj(w)) this.node(w, child(at, 1), false);
        else if (typeof w !== 'number' || !Number.isInteger(w) || w < 0) this.issue(child(at, 1), `a weight is a non-negative integer (or an expression); got ${show(w)}`);
        else total += w;
      } else total += 1;
    }
    if (total > MAX_WEIGHT_SUM) this.issue(path, `the weights add up to ${total}, more than ${MAX_WEIGHT_SUM}`);
  }
}
