/**
 * The *interpreted* evaluation mode of json-logic-engine 5.0.7 (`engine.run` → `optimize`), compiled
 * ahead of time into closures. flagd-core's compiled functions fall back to it in three places, so we
 * need it for bit-exact parity:
 *  - constant folding: every deterministic sub-expression is evaluated once at build time by
 *    `engine.run(node)` (data `{}`), and a failure there fails the whole build (PARSE_ERROR);
 *  - `if` / `?:` with fewer than 3 arguments are not inlined: `if.method` interprets its arguments at
 *    run time (so e.g. `cat` skips nulls and comparisons coerce to numbers there);
 *  - `var` with a computed key / more than 2 arguments.
 * In this mode a failure found while "optimizing" (constant folding, eagerly optimized idioms) only
 * surfaces when the enclosing lazily-run argument is evaluated: {@link unit} models that boundary.
 */
import { COMPARATORS, CUSTOM, type Cx, EagerError, OPERATORS, OPTIMIZE_UNARY, customCall, elem, isDet, isObj, markTail, opOf, sub } from './jsonlogic-common.js';
import {
  CMP,
  type CmpOp,
  type Code,
  type EvalState,
  type Fn,
  NAN,
  pre,
  INVALID_ARGUMENTS,
  assertFlat,
  catMethod,
  coerceArray,
  dataGet,
  dataOf,
  divMethod,
  fail,
  fnOf,
  inMethod,
  interpCompare,
  isConst,
  lit,
  maxMethod,
  mergeMethod,
  minMethod,
  minusMethod,
  missingMethod,
  missingSomeMethod,
  modMethod,
  notMethod,
  plusMethod,
  rootGet,
  splitPath,
  substrMethod,
  timesMethod,
  truthy,
  varMethod,
} from './jsonlogic-runtime.js';

/** A lazily-run argument (`runOptimizedOrFallback`): optimization failures throw when it runs. */
export function unit(node: unknown, cx: Cx): Fn {
  try {
    const f = fnOf(iNode(node, cx));
    // `engine.run(logic, data = {})`: a fold (`result()`) passes no data, which becomes `{}` here.
    return cx.root ? f : (st, sc) => f(st, sc === undefined ? {} : sc);
  } catch (e) {
    // Anything the optimizer throws (EagerError, or a TypeError on a malformed shape) surfaces at run time.
    const msg = e instanceof Error ? e.message : 'invalid targeting';
    return () => fail(msg);
  }
}

/** Compiles `node` in interpreted mode. Throws {@link EagerError} for optimize-time failures. */
export function iNode(node: unknown, cx: Cx): Code {
  if (Array.isArray(node)) {
    const items = node.map((n) => iNode(n, sub(cx, false)));
    if (items.every(isConst)) return markTail(lit(items.map((c) => (c as { v: unknown }).v)), cx, false);
    const fs = items.map(fnOf);
    return markTail({ k: 2, f: (st, sc) => fs.map((f) => f(st, sc)) }, cx, false);
  }
  if (!isObj(node)) return markTail(lit(node), cx, false);
  const op = opOf(node);
  if (op === undefined) return markTail(lit(node), cx, false);
  const raw: any = node[op];
  const idiom = idioms(op, raw, cx);
  if (idiom) return idiom;
  if (Object.keys(node).length > 1 || !OPERATORS.has(op)) throw new EagerError(`unknown operator '${op}'`);
  const det = isDet(node, false);
  const passTail = op === 'if' || op === '?:' || op === 'or' || op === 'and';
  const code = method(op, raw, passTail ? cx : sub(cx, false));
  if (det && !isConst(code)) return markTail(lit(foldNow(fnOf(code))), cx, false);
  return passTail ? code : markTail(code, cx, op === 'fractional');
}

/** Evaluates a deterministic expression now (the optimizer's `result()`); failures are eager. */
function foldNow(f: Fn): unknown {
  const st: EvalState = { ctx: {}, flagKey: '', now: 0, prev: undefined, flagd: undefined, root: undefined, split: false, folding: true };
  try {
    return f(st, undefined);
  } catch (e) {
    throw new EagerError(e instanceof Error ? e.message : 'constant expression fails');
  }
}

/** `checkIdioms`: shapes the optimizer rewrites (and optimizes eagerly). */
function idioms(op: string, raw: any, cx: Cx): Code | undefined {
  if ((op === 'if' || op === '?:') && Array.isArray(raw) && raw.length === 3) {
    const c = iNode(raw[0], sub(cx, false));
    const t = iNode(raw[1], cx);
    const e = iNode(raw[2], cx);
    if (isConst(c)) return truthy(c.v) ? t : e;
    const [cf, tf, ef] = [fnOf(c), fnOf(t), fnOf(e)];
    return { k: 2, f: (st, sc) => (truthy(cf(st, sc)) ? tf(st, sc) : ef(st, sc)) };
  }
  if (op === 'filter' && Array.isArray(raw) && raw.length === 2) {
    const m = iNode(raw[1], elem(cx));
    if (isConst(m)) return markTail(truthy(m.v) ? iNode(raw[0], sub(cx, false)) : lit([]), cx, false);
  }
  if (COMPARATORS.has(op) && Array.isArray(raw) && (raw.length === 2 || raw.length === 3)) {
    const o = op as CmpOp;
    const codes = raw.map((n) => iNode(n, sub(cx, false)));
    const [a, b, c] = codes.map(fnOf) as [Fn, Fn, Fn | undefined];
    const f: Fn =
      c === undefined
        ? (st, sc) => interpCompare(o, a(st, sc), b(st, sc))
        : (st, sc) => {
            const x = a(st, sc);
            const p = b(st, sc);
            return interpCompare(o, x, p) && interpCompare(o, p, c(st, sc));
          };
    const code: Code = codes.every(isConst) ? lit(foldNow(f)) : { k: 2, f };
    return markTail(code, cx, false);
  }
  if (op === 'reduce' && Array.isArray(raw)) {
    const [root, mapper, def] = raw as [unknown, any, unknown];
    if (mapper === null || mapper === undefined) throw new EagerError('reduce without a mapper');
    for (const sym of ['+', '*'] as const) {
      const args = mapper[sym];
      if (args && args.length === 2 && (args[0] || 0).var && (args[1] || 0).var) {
        const acc = args[0].var === 'accumulator' || args[1].var === 'accumulator';
        const cur = args[0].var === 'current' || args[1].var === 'current';
        const d = sym === '+' ? def || 0 : def === undefined ? 1 : def;
        if (acc && cur) return iNode({ [sym]: [{ [sym]: root }, d] }, cx);
      }
    }
  }
  return undefined;
}

/** The input of a non-lazy method (`getMethod`'s argument shaping). */
function argsOf(op: string, raw: any, cx: Cx): Fn {
  const unary = OPTIMIZE_UNARY.has(op);
  let args = raw;
  if ((!args || typeof args !== 'object') && !unary) args = [args];
  if (Array.isArray(args) && args.length === 1 && unary && !Array.isArray(args[0])) args = args[0];
  if (Array.isArray(args)) {
    const items = args.map((a) => iNode(a, cx));
    if (items.every(isConst)) {
      const v = items.map((c) => (c as { v: unknown }).v);
      return () => v;
    }
    const fs = items.map(fnOf);
    return (st, sc) => fs.map((f) => f(st, sc));
  }
  const f = fnOf(iNode(args, cx));
  return unary ? f : (st, sc) => coerceArray(f(st, sc));
}

function method(op: string, raw: any, cx: Cx): Code {
  const root = cx.root;
  switch (op) {
    case 'if':
    case '?:':
      return { k: 2, f: ifMethod(raw, cx) };
    case 'or':
    case 'and': {
      if (!Array.isArray(raw)) return { k: 2, f: () => fail(INVALID_ARGUMENTS) };
      const items = raw.map((a) => unit(a, cx));
      const isOr = op === 'or';
      return {
        k: 2,
        f: (st, sc) => {
          if (!items.length) return null;
          let v: unknown;
          for (const it of items) {
            v = it(st, sc);
            if (truthy(v) === isOr) return v;
          }
          return v;
        },
      };
    }
    case 'var':
      return varCode(raw, cx);
    case 'map':
    case 'filter':
    case 'some':
    case 'all':
    case 'none':
    case 'reduce':
      return { k: 2, f: iterMethod(op, raw, cx) };
  }
  if (COMPARATORS.has(op)) {
    // Lengths 2 and 3 are idioms; the method itself handles the rest.
    if (!Array.isArray(raw) || raw.length <= 1) return { k: 2, f: () => fail(INVALID_ARGUMENTS) };
    const cmp = CMP[op as CmpOp];
    const strict = op.length === 3;
    const items = raw.map((a) => unit(a, cx));
    return {
      k: 2,
      f: (st, sc) => {
        let prev: any = items[0]!(st, sc);
        for (let i = 1; i < items.length; i++) {
          const cur: any = items[i]!(st, sc);
          const strs = (typeof cur === 'string' || cur === null) && (typeof prev === 'string' || prev === null);
          if ((strict || strs) && !cmp(prev, cur)) return false;
          if (Number.isNaN(+pre(cur)) && prev !== null) fail(NAN);
          if (i === 1 && Number.isNaN(+pre(prev))) fail(NAN);
          if (!cmp(+prev, +cur)) return false;
          prev = cur;
        }
        return true;
      },
    };
  }
  const input = argsOf(op, raw, cx);
  if (CUSTOM.has(op)) {
    const call = customCall(op, root);
    return { k: 2, f: (st, sc) => call(st, input(st, sc), sc) };
  }
  const body = SIMPLE_BODIES[op];
  if (body) return { k: 2, f: (st, sc) => body(input(st, sc)) };
  if (op === 'missing') return { k: 2, f: (st, sc) => missingMethod(st, sc, root, input(st, sc)) };
  if (op === 'missing_some') return { k: 2, f: (st, sc) => missingSomeMethod(st, sc, root, input(st, sc)) };
  throw new EagerError(`unknown operator '${op}'`);
}

const SIMPLE_BODIES: Record<string, (data: any) => unknown> = {
  '+': plusMethod,
  '-': minusMethod,
  '*': timesMethod,
  '/': divMethod,
  '%': modMethod,
  min: minMethod,
  max: maxMethod,
  merge: mergeMethod,
  substr: substrMethod,
  in: inMethod,
  cat: catMethod,
  '!': notMethod,
  '!!': (v: any) => !notMethod(v),
};

/** `var` as the optimizer builds it (fast paths included, with their quirks). */
function varCode(raw: any, cx: Cx): Code {
  const root = cx.root;
  let args = raw;
  if (Array.isArray(args) && args.length === 1 && !Array.isArray(args[0])) args = args[0];
  if (Array.isArray(args)) {
    const input = argsOf('var', args, cx);
    return { k: 2, f: (st, sc) => varMethod(st, sc, root, input(st, sc)) };
  }
  const keyCode = iNode(args, sub(cx, false));
  if (!isConst(keyCode)) {
    const kf = fnOf(keyCode);
    return { k: 2, f: (st, sc) => varMethod(st, sc, root, kf(st, sc)) };
  }
  const key: any = keyCode.v;
  if (!key) {
    return {
      k: 2,
      f: (st, sc) => {
        const d = dataOf(st, sc, root);
        return d === null || d === undefined || typeof d === 'function' ? null : d;
      },
    };
  }
  // The optimizer calls `key.includes(…)` (fine for strings and arrays) and `key.startsWith(…)`.
  if (typeof key !== 'number' && typeof key.includes !== 'function') throw new EagerError('invalid var key');
  const k = key as string | number;
  if (typeof k === 'number' || (!k.includes('.') && !k.includes('\\'))) {
    const name = String(k);
    return {
      k: 2,
      f: (st, sc) => {
        if (!root && !sc) return null;
        const v = dataGet(st, sc, root, name);
        return v === undefined || typeof v === 'function' ? null : v;
      },
    };
  }
  if (typeof k.startsWith !== 'function') throw new EagerError('invalid var key');
  if (!k.startsWith('../')) {
    const path = splitPath(k);
    if (path.length === 2 || path.length === 3) {
      const [a, b, c] = path as [string, string, string | undefined];
      return {
        k: 2,
        f: (st, sc) => {
          // `data && data[a] && data[a][b] (&& data[a][b][c])`: falsy intermediates leak through.
          let v: any = root ? true : sc;
          if (v) v = root ? rootGet(st, a) : (v as any)[a];
          if (v) v = v[b];
          if (c !== undefined && v) v = v[c];
          return typeof v !== 'function' && v !== undefined ? v : null;
        },
      };
    }
  }
  return { k: 2, f: (st, sc) => varMethod(st, sc, root, k) };
}

/** `if.method`: arguments are interpreted lazily. */
export function ifMethod(raw: any, cx: Cx): Fn {
  if (!Array.isArray(raw)) return () => fail(INVALID_ARGUMENTS);
  if (raw.length === 1) return unit(raw[0], cx);
  if (raw.length < 2) return () => null;
  const input = [...(raw as unknown[])];
  if (input.length % 2 !== 1) input.push(null);
  const onFalse = unit(input.pop(), cx);
  const conds: Fn[] = [];
  const thens: Fn[] = [];
  for (let i = 0; i < input.length; i += 2) {
    conds.push(unit(input[i], sub(cx, false)));
    thens.push(unit(input[i + 1], cx));
  }
  return (st, sc) => {
    for (let i = 0; i < conds.length; i++) if (truthy(conds[i]!(st, sc))) return thens[i]!(st, sc);
    return onFalse(st, sc);
  };
}

function iterMethod(op: string, raw: any, cx: Cx): Fn {
  if (!Array.isArray(raw)) return () => fail(INVALID_ARGUMENTS);
  const [selRaw, mapRaw, defRaw] = raw as unknown[];
  const sel = unit(selRaw, sub(cx, false));
  const map = unit(mapRaw, elem(cx));
  if (op === 'reduce') {
    const def = unit(defRaw, sub(cx, false));
    return (st, sc) => {
      const d = assertFlat(def(st, sc));
      const s: any = sel(st, sc) || [];
      const fn = (accumulator: unknown, current: unknown) => assertFlat(map(st, { accumulator, current }));
      return d === undefined ? s.reduce(fn) : s.reduce(fn, d);
    };
  }
  if (op === 'map' || op === 'filter') {
    return (st, sc) => {
      const s: any = sel(st, sc) || [];
      return op === 'map' ? s.map((i: unknown) => map(st, i)) : s.filter((i: unknown) => truthy(map(st, i)));
    };
  }
  const some: Fn = (st, sc) => {
    const s: any = sel(st, sc) || [];
    for (let i = 0; i < s.length; i++) if (truthy(map(st, s[i]))) return true;
    return false;
  };
  if (op === 'some') return some;
  if (op === 'none') return (st, sc) => !some(st, sc);
  return (st, sc) => {
    const s: any = sel(st, sc) || [];
    if (Array.isArray(s) && s.length === 0) return false;
    for (let i = 0; i < s.length; i++) if (!truthy(map(st, s[i]))) return false;
    return true;
  };
}
