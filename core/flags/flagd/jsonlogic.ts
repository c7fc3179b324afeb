/**
 * JSONLogic → JavaScript closures, compiled once per flag. The semantics are those of
 * json-logic-engine 5.0.7's *compiled* mode (`engine.build`), which is what flagd-core 4.0.1 runs, so
 * results match flagd-core value for value. Notably reproduced:
 *  - deterministic sub-expressions are folded at build time with the interpreter (jsonlogic-interp.ts);
 *    a failing fold fails the build (→ PARSE_ERROR / InvalidFlagsError);
 *  - loose comparisons: `a OP compareCheck(b, prev)` — numeric unless both sides are string/null;
 *  - the generated code's shared `prev` register: `(prev = A) == compareCheck(B, prev)` reads `prev`
 *    *after* B ran, so when B itself writes `prev` (a `var`, `and`/`or`, a comparison…) the check sees B
 *    instead of A. We keep the register in {@link EvalState.prev} and write it exactly where the
 *    engine's code does;
 *  - `cat` concatenates with `'' + x` (null → "null"), arithmetic pre-coerces and throws on NaN,
 *    `var` uses `?.` / `??` (a null value takes the default), `if` with < 3 arguments is interpreted.
 * A runtime throw means reason ERROR / GENERAL, as in flagd-core.
 */
import { COMPARATORS, CUSTOM, type Cx, EagerError, child, customCall, isDet, isObj, markTail, sub } from './jsonlogic-common.js';
import { type CompilerApi, arith, iterate, missing, missingSome, reduce } from './jsonlogic-compiled-ops.js';
import { iNode, ifMethod } from './jsonlogic-interp.js';
import { PREV, type Tok, orEmpty, splice, toks } from './jsonlogic-splice.js';
import { bucketList, defaultBucketKey, fractional, pick } from './ops.js';
import {
  BuildError,
  CMP,
  type CmpOp,
  type Code,
  type EvalState,
  type Fn,
  INVALID_ARGUMENTS,
  catMethod,
  coerceArray,
  compareCheck,
  fail,
  flagdObject,
  fnOf,
  inMethod,
  isConst,
  lit,
  maxMethod,
  mergeMethod,
  minMethod,
  rootObject,
  splitPath,
  substrMethod,
  truthy,
  truthyValue,
  varMethod,
} from './jsonlogic-runtime.js';

export type { Cx } from './jsonlogic-common.js';

/** Where nodes substituted from `$evaluators` come from, for error paths. */
export type Origins = WeakMap<object, string>;

/** JSON.stringify renders -0 as 0 when the engine inlines a folded number. */
const inline = (v: unknown): Code => (typeof v === 'number' && Number.isFinite(v) ? lit(v === 0 ? 0 : v) : isPrimitive(v) ? lit(v) : { k: 1, v });

function isPrimitive(v: unknown): boolean {
  return v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** Compiles targeting in the engine's compiled mode. Throws {@link BuildError} where `engine.build` fails. */
export function compileLogic(node: unknown, path: string, cx: Cx, origins: Origins): Fn {
  return fnOf(new Compiler(origins).node(node, path, cx));
}

class Compiler implements CompilerApi {
  constructor(private readonly origins: Origins) {}

  node(node: unknown, path: string, cx: Cx): Code {
    if (Array.isArray(node)) return markTail(this.array(node, path, sub(cx, false)), cx, false);
    if (!isObj(node)) return markTail(lit(node), cx, false);
    const keys = Object.keys(node);
    const op = keys[0];
    if (op === undefined) return markTail(lit(node), cx, false);
    path = this.origins.get(node) ?? path;
    if (keys.length > 1) throw new BuildError(path, `an operation has exactly one key (found ${keys.join(', ')})`);
    if (isDet(node, false)) return markTail(this.fold(node, path), cx, false);
    const at = child(path, op);
    const raw: any = node[op];
    if (op === 'if' || op === '?:') return this.if(raw, at, cx);
    if (op === 'or' || op === 'and') return this.andOr(op === 'or', raw, at, cx);
    return markTail(this.op(op, raw, at, sub(cx, false)), cx, op === 'fractional');
  }

  /** `engine.run(node)` at build time: the interpreter on data `{}`. */
  private fold(node: object, path: string): Code {
    let v: unknown;
    try {
      v = fnOf(iNode(node, { root: false, tail: false, split: false }))(emptyState(), {});
    } catch (e) {
      const why = e instanceof EagerError || e instanceof Error ? e.message : String(e);
      throw new BuildError(path, `this constant expression fails when evaluated (${why})`);
    }
    return inline(v);
  }

  private array(items: unknown[], path: string, cx: Cx): Code {
    const codes = items.map((n, i) => this.node(n, child(path, i), cx));
    if (codes.every(isConst)) return lit(codes.map((c) => (c as { v: unknown }).v));
    const fs = codes.map(fnOf);
    return {
      k: 2,
      f: (st, sc) => {
        const out = new Array<unknown>(fs.length);
        for (let i = 0; i < fs.length; i++) out[i] = fs[i]!(st, sc);
        return out;
      },
    };
  }

  fn(node: unknown, path: string, cx: Cx): Fn {
    return fnOf(this.node(node, path, cx));
  }

  private if(raw: any, path: string, cx: Cx): Code {
    // Fewer than 3 arguments (or not an array): `if.method` interprets its arguments at run time.
    if (!Array.isArray(raw) || raw.length < 3) return { k: 2, f: ifMethod(raw, cx) };
    const data = [...(raw as unknown[])];
    if (data.length % 2 !== 1) data.push(null);
    const last = data.length - 1;
    const onFalse = this.fn(data[last], child(path, last), cx);
    const conds: Fn[] = [];
    const thens: Fn[] = [];
    for (let i = 0; i < last; i += 2) {
      conds.push(this.fn(data[i], child(path, i), sub(cx, false)));
      thens.push(this.fn(data[i + 1], child(path, i + 1), cx));
    }
    if (conds.length === 1) {
      const [c, t] = [conds[0]!, thens[0]!];
      return { k: 2, f: (st, sc) => (truthy(c(st, sc)) ? t(st, sc) : onFalse(st, sc)) };
    }
    return {
      k: 2,
      f: (st, sc) => {
        for (let i = 0; i < conds.length; i++) if (truthy(conds[i]!(st, sc))) return thens[i]!(st, sc);
        return onFalse(st, sc);
      },
    };
  }

  /** `engine.truthy(prev = x) ? prev : …` — returns the deciding operand, writes `prev`. */
  private andOr(isOr: boolean, raw: any, path: string, cx: Cx): Code {
    if (!Array.isArray(raw)) return { k: 2, f: () => fail(INVALID_ARGUMENTS) };
    if (raw.length === 0) return markTail(lit(null), cx, false);
    const items = raw.map((n, i) => this.fn(n, child(path, i), cx));
    const ts: Tok[] = [];
    for (const item of items) {
      if (!isOr) ts.push('!');
      ts.push((st, sc) => truthyValue((st.prev = item(st, sc))), '?', PREV, ':');
    }
    ts.push(PREV);
    return {
      k: 3,
      toks: ts,
      f: (st, sc) => {
        let v: unknown;
        for (let i = 0; i < items.length; i++) {
          v = items[i]!(st, sc);
          st.prev = v;
          if (truthy(v) === isOr) return v;
        }
        return v;
      },
    };
  }

  private op(op: string, raw: any, path: string, cx: Cx): Code {
    if (COMPARATORS.has(op)) return this.compare(op as CmpOp, raw, path, cx);
    switch (op) {
      case 'map':
      case 'filter':
      case 'some':
      case 'none':
      case 'all':
        return iterate(this, op, raw, path, cx);
      case 'reduce':
        return reduce(this, raw, path, cx);
    }
    // Non-lazy operations receive a non-object argument wrapped in an array.
    const lower: any = !raw || typeof raw !== 'object' ? [raw] : raw;
    switch (op) {
      case 'var':
        return this.var(lower, path, cx);
      case 'missing':
        return missing(this, lower, path, cx);
      case 'missing_some':
        return missingSome(this, lower, path, cx);
      case 'in': {
        if (!Array.isArray(lower)) return this.generic(inMethod, lower, path, cx, false);
        const a = this.fn(lower[0], child(path, 0), cx);
        const b = orEmpty(this.node(lower[1], child(path, 1), cx), child(path, 1));
        return { k: 2, f: (st, sc) => (b(st, sc) as any).includes(a(st, sc)) };
      }
      case 'cat': {
        if (!Array.isArray(lower)) return this.generic(catMethod, lower, path, cx, true);
        const codes = lower.map((n, i) => this.node(n, child(path, i), cx));
        if (codes.some((c) => c.k === 3)) {
          const ts: Tok[] = [() => ''];
          for (const c of codes) ts.push('+', ...toks(c));
          return { k: 2, f: splice(ts, path) };
        }
        const parts = codes.map(fnOf);
        return {
          k: 2,
          f: (st, sc) => {
            let s = '';
            for (let i = 0; i < parts.length; i++) s += parts[i]!(st, sc) as string;
            return s;
          },
        };
      }
      case '!':
      case '!!': {
        const x = this.fn(Array.isArray(lower) ? lower[0] : lower, Array.isArray(lower) ? child(path, 0) : path, cx);
        return op === '!' ? { k: 2, f: (st, sc) => !truthy(x(st, sc)) } : { k: 2, f: (st, sc) => truthy(x(st, sc)) };
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return arith(this, op, lower, path, cx);
      case 'substr':
        return this.generic(substrMethod, lower, path, cx, false);
      case 'min':
        return this.generic(minMethod, lower, path, cx, false);
      case 'max':
        return this.generic(maxMethod, lower, path, cx, false);
      case 'merge':
        return this.generic(mergeMethod, lower, path, cx, false);
    }
    if (op === 'fractional' && cx.root && Array.isArray(lower)) {
      const fast = this.fractional(lower, path, cx);
      if (fast) return fast;
    }
    if (CUSTOM.has(op)) {
      const call = customCall(op, cx.root);
      const input = this.input(lower, path, cx, false);
      return { k: 2, f: (st, sc) => call(st, input(st, sc), sc) };
    }
    throw new BuildError(path, `unknown operator '${op}'`);
  }

  /**
   * `fractional` whose buckets are constant (the usual case): validate them once and only compute the
   * bucketing key per call. Same results as the generic call, including a leading expression that
   * turns out not to be a string (then it is a bucket, as in flagd-core).
   */
  private fractional(lower: unknown[], path: string, cx: Cx): Code | undefined {
    const codes = lower.map((n, i) => this.node(n, child(path, i), cx));
    const first = codes[0];
    const dynamicFirst = first !== undefined && !isConst(first);
    const rest = codes.slice(dynamicFirst ? 1 : 0);
    if (!rest.every(isConst)) return undefined;
    const values = rest.map((c) => (c as { v: unknown }).v);
    if (!dynamicFirst) {
      const keyed = typeof values[0] === 'string';
      const buckets = values.length ? bucketList(values, keyed ? 1 : 0) : null;
      const key = keyed ? (values[0] as string) : undefined;
      return {
        k: 2,
        f: (st) => {
          const bucketBy = key ?? defaultBucketKey(st.flagKey, st.ctx.targetingKey); // may throw, as in flagd-core
          return buckets && pick(bucketBy, buckets);
        },
      };
    }
    const f0 = fnOf(first);
    const buckets = bucketList(values, 0);
    return {
      k: 2,
      f: (st, sc) => {
        const v0 = f0(st, sc);
        if (typeof v0 === 'string') return buckets && pick(v0, buckets);
        return fractional([v0, ...values], st.flagKey, st.ctx.targetingKey);
      },
    };
  }

  /** The argument of a method call the engine does not inline (`coerceArray` unless optimizeUnary). */
  input(lower: any, path: string, cx: Cx, unary: boolean): Fn {
    if (unary && Array.isArray(lower) && lower.length === 1 && !Array.isArray(lower[0])) return this.fn(lower[0], child(path, 0), cx);
    const f = this.fn(lower, path, cx);
    return unary || Array.isArray(lower) ? f : (st, sc) => coerceArray(f(st, sc));
  }

  private generic(body: (data: any) => unknown, lower: any, path: string, cx: Cx, unary: boolean): Code {
    const input = this.input(lower, path, cx, unary);
    return { k: 2, f: (st, sc) => body(input(st, sc)) };
  }

  private compare(op: CmpOp, raw: any, path: string, cx: Cx): Code {
    if (!Array.isArray(raw) || raw.length < 2) return { k: 2, f: () => fail(INVALID_ARGUMENTS) };
    const cmp = CMP[op];
    const strict = op.length === 3;
    const fs = raw.map((n, i) => this.fn(n, child(path, i), cx));
    const [a, b] = [fs[0]!, fs[1]!];
    if (fs.length === 2) {
      return {
        k: 2,
        f: (st, sc) => {
          const x = a(st, sc);
          st.prev = x;
          const y = b(st, sc);
          return cmp(x, compareCheck(y, st.prev, strict));
        },
      };
    }
    // ((prev = A) op (prev = check(B, prev))) && prev op (prev = check(C, prev)) && …
    return {
      k: 2,
      f: (st, sc) => {
        const x = a(st, sc);
        st.prev = x;
        const y = compareCheck(b(st, sc), st.prev, strict);
        st.prev = y;
        if (!cmp(x, y)) return false;
        for (let i = 2; i < fs.length; i++) {
          const left = st.prev;
          const z = compareCheck(fs[i]!(st, sc), st.prev, strict);
          st.prev = z;
          if (!cmp(left, z)) return false;
        }
        return true;
      },
    };
  }

  private var(lower: any, path: string, cx: Cx): Code {
    const root = cx.root;
    const generic = (): Code => {
      const input = this.input(lower, path, cx, true);
      return { k: 2, f: (st, sc) => varMethod(st, sc, root, input(st, sc)) };
    };
    if (!Array.isArray(lower) || lower.length > 2) return generic();
    const key: unknown = lower[0];
    if (key === undefined || key === null || key === '') return { k: 2, f: root ? (st) => rootObject(st) : (_st, sc) => sc };
    if (typeof key !== 'string' && typeof key !== 'number') return generic();
    const name = String(key);
    if (name.includes('../')) return generic();
    const parts = splitPath(name);
    const defCode = this.node(lower[1] === undefined ? null : lower[1], child(path, 1), cx);
    const def = fnOf(defCode);
    const first = parts[0]!;
    const rest = parts.slice(1);
    // context?.[p0]?.[p1]… ?? default, then `typeof (prev = v) === 'function' ? null : prev`.
    const start: Fn = !root
      ? (_st, sc) => (sc == null ? undefined : (sc as any)[first])
      : first === '$flagd'
        ? (st) => flagdObject(st)
        : (st) => st.ctx[first];
    const finish = (st: EvalState, sc: unknown, v: unknown) => {
      if (v == null) v = def(st, sc);
      st.prev = v;
      return typeof v === 'function' ? null : v;
    };
    if (defCode.k === 3) {
      // `(context?.[a]?.[b] ?? ${default})` with an unparenthesised default.
      const access: Fn = (st, sc) => {
        let v: any = start(st, sc);
        for (let i = 0; i < rest.length && v != null; i++) v = v[rest[i]!];
        return v ?? undefined;
      };
      const inner = splice([access, '??', ...defCode.toks], child(path, 1));
      return {
        k: 2,
        f: (st, sc) => {
          const v = (st.prev = inner(st, sc));
          return typeof v === 'function' ? null : v;
        },
      };
    }
    if (rest.length === 0) return { k: 2, f: (st, sc) => finish(st, sc, start(st, sc)) };
    if (rest.length === 1) {
      const p1 = rest[0]!;
      return {
        k: 2,
        f: (st, sc) => {
          const v: any = start(st, sc);
          return finish(st, sc, v == null ? undefined : v[p1]);
        },
      };
    }
    return {
      k: 2,
      f: (st, sc) => {
        let v: any = start(st, sc);
        for (let i = 0; i < rest.length && v != null; i++) v = v[rest[i]!];
        return finish(st, sc, v);
      },
    };
  }

}

/** The state a build-time fold runs in: data `{}`, no context, no logger for custom operations. */
const emptyState = (): EvalState => ({ ctx: {}, flagKey: '', now: 0, prev: undefined, flagd: undefined, root: undefined, split: false, folding: true });

