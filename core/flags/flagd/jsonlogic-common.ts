/**
 * Pieces shared by the two evaluation modes (jsonlogic.ts: json-logic-engine's compiled mode,
 * jsonlogic-interp.ts: its interpreter): the operator tables, `isDeterministic`, flagd's custom
 * operations and the SPLIT tail marking.
 */
import { type Code, type EvalState, fail, fnOf } from './jsonlogic-runtime.js';
import { endsWith, fractional, semVer, startsWith } from './ops.js';

export interface Cx {
  /** true: data is the root context (+ `$flagd`); false: an iterator element. */
  root: boolean;
  /** The value of this expression can become the targeting result (for the SPLIT option). */
  tail: boolean;
  /** Mark tail leaves (SPLIT reason option). */
  split: boolean;
}

export const COMPARATORS = new Set<string>(['==', '===', '!=', '!==', '<', '<=', '>', '>=']);
export const ITERATORS = new Set<string>(['map', 'filter', 'all', 'none', 'some', 'reduce']);
export const CUSTOM = new Set<string>(['fractional', 'sem_ver', 'starts_with', 'ends_with']);
const LAZY = new Set<string>(['if', '?:', 'or', 'and', ...COMPARATORS, ...ITERATORS]);
export const SIMPLE = ['!', '!!', 'in', 'cat', 'substr', '+', '-', '*', '/', '%', 'min', 'max', 'merge'];
/** Every operation we implement (flagd's targeting schema plus `?:`). */
export const OPERATORS = new Set<string>([...LAZY, ...SIMPLE, ...CUSTOM, 'var', 'missing', 'missing_some']);
export const OPTIMIZE_UNARY = new Set<string>(['var', '+', '-', '!', '!!', 'cat']);

/** Raised at compile time for what the engine would only hit when (lazily) optimizing at run time. */
export class EagerError extends Error {
  override name = 'EagerError';
}

export const opOf = (node: object): string | undefined => Object.keys(node)[0];
export const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** json-logic-engine `isDeterministic` (operators are assumed known: unknown ones are rejected earlier). */
export function isDet(node: unknown, insideIter: boolean): boolean {
  if (Array.isArray(node)) return node.every((n) => isDet(n, insideIter));
  if (!isObj(node)) return true;
  const op = opOf(node);
  if (op === undefined) return true;
  const data: any = node[op];
  if (op === 'var') return insideIter && !String(data).includes('../../');
  if (op === 'missing') return Array.isArray(data) && data.length === 0;
  if (op === 'missing_some' || CUSTOM.has(op)) return false;
  if (ITERATORS.has(op)) return isDet(data?.[0], insideIter) && isDet(data?.[1], true);
  return isDet(data, insideIter);
}

/**
 * A custom operation. flagd-core's `getLoggerFromContext` throws unless the current data is the
 * evaluation context object itself — inside an iterator that only holds for an element that *is* the
 * context (`{"map": [{"merge": {"var": ""}}, …]}`).
 */
export function customCall(op: string, root: boolean): (st: EvalState, args: unknown, sc: unknown) => unknown {
  const call = customBody(op);
  const noLogger = () => fail('Logger not found in context');
  // While constant folding the data is a bare `{}`: no logger either.
  if (root) return (st, args, sc) => (st.folding ? noLogger() : call(st, args, sc));
  return (st, args, sc) => (sc !== undefined && sc === st.root ? call(st, args, sc) : noLogger());
}

function customBody(op: string): (st: EvalState, args: unknown, sc: unknown) => unknown {
  switch (op) {
    case 'fractional':
      return (st, args) => fractional(args, st.flagKey, st.ctx.targetingKey);
    case 'sem_ver':
      return (_st, args) => semVer(args);
    case 'starts_with':
      return (_st, args) => startsWith(args);
    default:
      return (_st, args) => endsWith(args);
  }
}

/** Wraps a tail leaf so the evaluation knows whether the result came from `fractional`. */
export function markTail(code: Code, cx: Cx, fromFractional: boolean): Code {
  if (!cx.tail || !cx.split) return code;
  const f = fnOf(code);
  return {
    k: 2,
    f: (st, sc) => {
      const v = f(st, sc);
      st.split = fromFractional;
      return v;
    },
  };
}

export const sub = (cx: Cx, tail: boolean): Cx => (cx.tail === tail ? cx : { ...cx, tail });
export const elem = (cx: Cx): Cx => ({ ...cx, root: false, tail: false });

export const child = (path: string, seg: string | number): string => (typeof seg === 'number' ? `${path}[${seg}]` : path ? `${path}.${seg}` : seg);
