/**
 * Compiled-mode templates of json-logic-engine 5.0.7 for `missing` / `missing_some`, arithmetic and
 * the array operations (see jsonlogic.ts for the overall model).
 */
import { type Cx, child } from './jsonlogic-common.js';
import {
  BuildError,
  type Code,
  type EvalState,
  type Fn,
  INVALID_ARGUMENTS,
  assertFlat,
  fail,
  flagdObject,
  fnOf,
  lit,
  missingMethod,
  missingSomeMethod,
  num,
  pre,
  truthy,
} from './jsonlogic-runtime.js';
import { EMPTY, PREV, type Tok, orEmpty, splice, toks } from './jsonlogic-splice.js';

/** What the templates need from the compiler. */
export interface CompilerApi {
  node(node: unknown, path: string, cx: Cx): Code;
  fn(node: unknown, path: string, cx: Cx): Fn;
  input(lower: any, path: string, cx: Cx, unary: boolean): Fn;
}

/** The engine inlines `missing` of one or two plain keys (unparenthesised); else `missing.method`. */
export function missingOf(keys: unknown[], cx: Cx): Code | undefined {
  const root = cx.root;
  const simple = (k: unknown): k is string => typeof k === 'string' && !k.includes('.');
  const getter =
    (k: string): Fn =>
    (st, sc) =>
      root ? (k === '$flagd' ? flagdObject(st) : st.ctx[k]) : ((sc || 0) as any)[k];
  const UNDEF: Fn = () => undefined;
  const list =
    (...ks: string[]): Fn =>
    () => [...ks];
  if (keys.length === 0) return { k: 2, f: EMPTY };
  const [k0, k1] = keys;
  if (keys.length === 1 && simple(k0)) {
    const g0 = getter(k0);
    return { k: 3, toks: [g0, '===', UNDEF, '?', list(k0), ':', EMPTY], f: (st, sc) => (g0(st, sc) === undefined ? [k0] : []) };
  }
  if (keys.length === 2 && simple(k0) && simple(k1)) {
    const [g0, g1] = [getter(k0), getter(k1)];
    return {
      k: 3,
      toks: [g0, '===', UNDEF, '?', g1, '===', UNDEF, '?', list(k0, k1), ':', list(k0), ':', g1, '===', UNDEF, '?', list(k1), ':', EMPTY],
      f: (st, sc) => {
        const m0 = g0(st, sc) === undefined;
        const m1 = g1(st, sc) === undefined;
        return m0 ? (m1 ? [k0, k1] : [k0]) : m1 ? [k1] : [];
      },
    };
  }
  return undefined;
}

export function missing(api: CompilerApi, lower: any, path: string, cx: Cx): Code {
  const root = cx.root;
  const inlined = Array.isArray(lower) ? missingOf(lower, cx) : undefined;
  if (inlined) return inlined;
  const input = api.input(lower, path, cx, false);
  return { k: 2, f: (st, sc) => missingMethod(st, sc, root, input(st, sc)) };
}

export function missingSome(api: CompilerApi, lower: any, path: string, cx: Cx): Code {
  const root = cx.root;
  if (!Array.isArray(lower)) throw new BuildError(path, 'missing_some needs [minimum, [keys]]');
  const [needCount, options] = lower as [unknown, unknown];
  if (!Array.isArray(options)) {
    const input = api.fn(lower, path, cx);
    return { k: 2, f: (st, sc) => missingSomeMethod(st, sc, root, input(st, sc)) };
  }
  // `${options.length} - (prev = MISSING).length < ${NEED} ? prev : []` — options are not evaluated.
  const inlined = missingOf(options, cx);
  const miss = inlined ? fnOf(inlined) : (st: EvalState, sc: unknown) => missingMethod(st, sc, root, options);
  const needCode = api.node(needCount, child(path, 0), cx);
  const need = fnOf(needCode);
  const total = options.length;
  const missLength: Fn = (st, sc) => (st.prev = miss(st, sc) as unknown[]).length;
  const ts: Tok[] = [() => total, '-', missLength, '<', ...toks(needCode), '?', PREV, ':', EMPTY];
  const f: Fn =
    needCode.k === 3
      ? splice(ts, path)
      : (st, sc) => {
          const lhs = total - (missLength(st, sc) as number);
          return lhs < (need(st, sc) as number) ? st.prev : [];
        };
  return { k: 3, toks: ts, f };
}

/** One operand of `+ - * / %` (`numberCoercion`): literals are coerced at build time. */
export function term(api: CompilerApi, node: unknown, path: string, cx: Cx): { c: number; zero: boolean } | Fn {
  const bad = () => new BuildError(path, 'not a number');
  if (Array.isArray(node)) throw bad();
  if (typeof node === 'number') return { c: +node, zero: node === 0 };
  if (typeof node === 'boolean') return { c: +node, zero: false };
  if (typeof node === 'string') {
    const n = +node;
    if (Number.isNaN(n)) throw bad();
    return { c: n, zero: n === 0 };
  }
  const code = api.node(node, path, cx);
  if (code.k === 2 || code.k === 3) {
    const f = code.f;
    return (st, sc) => num(f(st, sc));
  }
  const v = code.v;
  if (code.k === 1) return () => num(v);
  if (typeof v === 'number') return { c: v, zero: v === 0 };
  if (typeof v === 'string') {
    const n = +v;
    if (Number.isNaN(n)) throw bad();
    return { c: n, zero: n === 0 };
  }
  if (v === true || v === false || v === null) return { c: v === true ? 1 : 0, zero: false };
  throw bad();
}

export function arith(api: CompilerApi, op: '+' | '-' | '*' | '/' | '%', lower: any, path: string, cx: Cx): Code {
  if (!Array.isArray(lower)) return arithOf(op, api.fn(lower, path, cx));
  const n = lower.length;
  if (n === 0 && op !== '+' && op !== '*') throw new BuildError(path, 'needs at least one argument');
  if (n < 2 && op === '%') throw new BuildError(path, 'needs at least two arguments');
  if (n === 0) return lit(op === '+' ? 0 : 1);
  const items: unknown[] = op === '/' && n === 1 ? [1, lower[0]] : lower;
  const terms = items.map((x, i) => {
    const at = child(path, op === '/' && n === 1 ? 0 : i);
    const t = term(api, x, at, cx);
    if (op !== '/' || i === 0) return t;
    if (typeof t !== 'function') {
      if (t.zero) throw new BuildError(at, 'division by zero');
      const c = t.c;
      return () => pre(c || NaN) as number;
    }
    return (st: EvalState, sc: unknown) => pre(t(st, sc) || NaN) as number;
  });
  const fs: Fn[] = terms.map((t) => (typeof t === 'function' ? t : () => t.c));
  if (op === '-' && fs.length === 1) {
    const f = fs[0]!;
    return { k: 2, f: (st, sc) => -pre(f(st, sc)) };
  }
  const combine = ARITH[op];
  return {
    k: 2,
    f: (st, sc) => {
      let acc = fs[0]!(st, sc) as number;
      for (let i = 1; i < fs.length; i++) acc = combine(acc, fs[i]!(st, sc) as number);
      return pre(acc);
    },
  };
}

/** `+ - * / %` over one computed argument (the engine's reduce forms). */
export function arithOf(op: '+' | '-' | '*' | '/' | '%', x: Fn): Code {
  const size = (v: any, n: number) => (Array.isArray(v) && v.length >= n ? v : fail(INVALID_ARGUMENTS));
  switch (op) {
    case '+':
      return { k: 2, f: (st, sc) => { const v: any = (st.prev = x(st, sc)); return Array.isArray(v) ? v.reduce((a: any, b) => +a + num(b), 0) : pre(+v); } };
    case '-':
      return { k: 2, f: (st, sc) => { const v: any = (st.prev = x(st, sc)); return Array.isArray(v) ? (v.length === 1 ? -pre(v[0]) : size(v, 1).reduce((a: any, b: any) => num(a) - num(b))) : -pre(+v); } };
    case '*':
      return { k: 2, f: (st, sc) => (x(st, sc) as any).reduce((a: any, b: any) => num(a) * num(b), 1) };
    case '/': {
      // `assertSize(prev = X, 1) && prev.length === 1 ? 1 / pre(prev[0] || NaN) : prev.reduce(…)` (unparenthesised)
      const checked: Fn = (st, sc) => size((st.prev = x(st, sc)), 1);
      const prevLength: Fn = (st) => (st.prev as any).length;
      const inverse: Fn = (st) => 1 / pre((st.prev as any)[0] || NaN);
      const reduced: Fn = (st) => (st.prev as any).reduce((a: any, b: any) => num(a) / num(b || NaN));
      return {
        k: 3,
        toks: [checked, '&&', prevLength, '===', () => 1, '?', inverse, ':', reduced],
        f: (st, sc) => (checked(st, sc) && prevLength(st, sc) === 1 ? inverse(st, sc) : reduced(st, sc)),
      };
    }
    default:
      return { k: 2, f: (st, sc) => size(x(st, sc), 2).reduce((a: any, b: any) => num(a) % num(b)) };
  }
}

export function iterate(api: CompilerApi, op: 'map' | 'filter' | 'some' | 'none' | 'all', raw: any, path: string, cx: Cx): Code {
  if (!Array.isArray(raw)) throw new BuildError(path, `${op} needs [array, logic]`);
  if (raw[1] === undefined) throw new BuildError(path, `${op} needs [array, logic]`);
  const selCode = api.node(raw[0], child(path, 0), cx);
  const body = api.fn(raw[1], child(path, 1), { ...cx, root: false, tail: false });
  const run = (st: EvalState, s: any): unknown => {
    const saved = st.prev; // the body is a separate function with its own `prev`
    let r: unknown;
    if (op === 'map') r = s.map((i: unknown) => body(st, i));
    else if (op === 'filter') r = s.filter((i: unknown) => truthy(body(st, i)));
    else if (op === 'all') r = s.every((i: unknown) => truthy(body(st, i)));
    else r = s.some((i: unknown) => truthy(body(st, i)));
    st.prev = saved;
    return op === 'none' ? !r : r;
  };
  if (op === 'all') {
    // `Array.isArray(prev = S) && prev.length === 0 ? false : (prev || [])["every"](…)` (unparenthesised)
    const sel = fnOf(selCode);
    const isArray: Fn = (st, sc) => Array.isArray((st.prev = sel(st, sc)));
    const prevLength: Fn = (st) => (st.prev as any).length;
    const every: Fn = (st) => run(st, (st.prev as any) || []);
    return {
      k: 3,
      toks: [isArray, '&&', prevLength, '===', () => 0, '?', () => false, ':', every],
      f: (st, sc) => (isArray(st, sc) && prevLength(st, sc) === 0 ? false : every(st, sc)),
    };
  }
  const sel = orEmpty(selCode, child(path, 0));
  return { k: 2, f: (st, sc) => run(st, sel(st, sc)) };
}

export function reduce(api: CompilerApi, raw: any, path: string, cx: Cx): Code {
  if (!Array.isArray(raw) || raw[1] === undefined) throw new BuildError(path, 'reduce needs [array, logic, initial]');
  const sel = orEmpty(api.node(raw[0], child(path, 0), cx), child(path, 0));
  const body = api.fn(raw[1], child(path, 1), { ...cx, root: false, tail: false });
  const def = raw[2] === undefined ? undefined : api.fn(raw[2], child(path, 2), cx);
  return {
    k: 2,
    f: (st, sc) => {
      const s: any = sel(st, sc);
      const d = def ? assertFlat(def(st, sc)) : undefined;
      const saved = st.prev;
      const step = (accumulator: unknown, current: unknown) => assertFlat(body(st, { accumulator, current }));
      const r: unknown = def ? s.reduce(step, d) : s.reduce(step);
      st.prev = saved;
      return r;
    },
  };
}

const ARITH: Record<'+' | '-' | '*' | '/' | '%', (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};

