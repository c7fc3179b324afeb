/**
 * Runtime primitives of our JSONLogic: the value semantics of json-logic-engine 5.0.7 (the engine
 * flagd-core 4.0.1 uses) — truthiness, numeric pre-coercion, loose comparison checks, dotted paths —
 * and the operation bodies that both evaluation modes share. All of it is plain functions over values;
 * the compilers (jsonlogic.ts, jsonlogic-interp.ts) only wire closures together.
 */
import { readNow, type NowSeconds } from '../model.js';
import type { Tok } from './jsonlogic-splice.js';

/** Per-evaluation state shared by all closures of one flag evaluation. */
export interface EvalState {
  ctx: Record<string, unknown>;
  flagKey: string;
  /** `$flagd.timestamp` source (Unix seconds; floored when read). */
  now: NowSeconds;
  /** json-logic-engine's compiled functions share one `prev` register; we emulate it (see jsonlogic.ts). */
  prev: unknown;
  flagd: { flagKey: string; timestamp: number } | undefined;
  root: Record<string, unknown> | undefined;
  /** Set by tail-position leaves when the SPLIT reason option is on. */
  split: boolean;
  /** Constant folding: the data is a plain `{}` (`engine.run(logic, data = {})`), no `$flagd`. */
  folding?: true;
}

/** A compiled expression. `sc` is the current iterator element (ignored by root-scope closures). */
export type Fn = (st: EvalState, sc: unknown) => unknown;

/**
 * Compilation result: 0 = literal inlined in the engine's code, 1 = folded non-primitive, 2 = dynamic,
 * 3 = dynamic and not parenthesised in the engine's code (see jsonlogic-splice.ts): `toks` is how
 * it pastes into another template, `f` how it evaluates on its own.
 */
export type Code = { k: 0; v: unknown } | { k: 1; v: unknown } | { k: 2; f: Fn } | { k: 3; f: Fn; toks: Tok[] };

export const lit = (v: unknown): Code => ({ k: 0, v });
export const isConst = (c: Code): c is { k: 0 | 1; v: unknown } => c.k === 0 || c.k === 1;

export function fnOf(c: Code): Fn {
  if (c.k === 2 || c.k === 3) return c.f;
  const v = c.v;
  return () => v;
}

/** A runtime failure of targeting (flagd: reason ERROR, code GENERAL). */
export class TargetingEvalError extends Error {
  override name = 'TargetingEvalError';
}

/** The engine would fail to build this targeting (flagd: reason ERROR, code PARSE_ERROR). */
export class BuildError extends Error {
  override name = 'BuildError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export function fail(message: string): never {
  throw new TargetingEvalError(message);
}

export const NAN = 'not a number';
export const INVALID_ARGUMENTS = 'invalid arguments';

// ---------------------------------------------------------------------------------------------------
// Value semantics

/** `engine.truthy`: JSONLogic truthiness (empty arrays/objects are falsy). */
export const truthy = (v: any): boolean => !!truthyValue(v);

/** `engine.truthy` itself: the falsy value unchanged, a boolean for arrays / plain objects, else the value. */
export function truthyValue(v: any): unknown {
  if (!v) return v;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') {
    if (v[Symbol.iterator]) {
      if ('length' in v && v.length === 0) return false;
      if ('size' in v && v.size === 0) return false;
    }
    if (v.constructor.name === 'Object') return Object.keys(v).length > 0;
  }
  return v;
}

/** `precoerceNumber`: rejects NaN and non-null objects before a numeric `+x`. */
export function pre(item: any): any {
  if (Number.isNaN(item)) fail(NAN);
  if (!item) return item;
  if (typeof item === 'object') fail(NAN);
  return item;
}

/** `+precoerceNumber(x)`. */
export const num = (x: unknown): number => +pre(x);

/** `compareCheck(item, prev, strict)` of compiled comparisons. */
export function compareCheck(item: any, prev: any, strict: boolean): any {
  if (strict || ((typeof item === 'string' || item === null) && (typeof prev === 'string' || prev === null))) return item;
  if (Number.isNaN(+pre(item)) && prev !== null) fail(NAN);
  if (Number.isNaN(+pre(prev))) fail(NAN);
  if (prev === null && !item) return null;
  if (item === null && !prev) return 0;
  return item;
}

export type CmpOp = '==' | '===' | '!=' | '!==' | '<' | '<=' | '>' | '>=';
export const CMP: Record<CmpOp, (a: any, b: any) => boolean> = {
  '==': (a, b) => a == b,
  '===': (a, b) => a === b,
  '!=': (a, b) => a != b,
  '!==': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** The interpreter's comparison (`checkIdioms` comparisonFunc): numeric unless both are string/null. */
export function interpCompare(op: CmpOp, a: any, b: any): boolean {
  const f = CMP[op];
  if (op.length === 3) return f(a, b);
  if ((typeof a === 'string' || a === null) && (typeof b === 'string' || b === null)) return f(a, b);
  if (Number.isNaN(+pre(a))) fail(NAN);
  if (Number.isNaN(+pre(b)) && a !== null) fail(NAN);
  return f(+a, +b);
}

export const coerceArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** `assertAllowedDepth(item, 0)`: reduce accumulators may not nest objects. */
export function assertFlat(item: any): any {
  if (!item || typeof item !== 'object') return item;
  const vals: unknown[] = Array.isArray(item) ? item : Object.values(item);
  for (const v of vals) if (typeof v === 'object' && v) fail('exceeded allowed depth');
  return item;
}

const paths = new Map<string, string[]>();
/** json-logic-engine `splitPath`: `.`-separated, `\.` / `\/` / `\\` escapes. */
export function splitPath(str: string): string[] {
  const hit = paths.get(str);
  if (hit) return hit;
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < str.length; i++) {
    const char = str[i];
    if (char === '\\') {
      if (str[i + 1] === '.' || str[i + 1] === '/') current += str[++i];
      else if (str[i + 1] === '\\') {
        current += '\\';
        i++;
      } else current += '\\';
    } else if (char === '.') {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (parts.length !== str.length) parts.push(current);
  if (paths.size > 2048) paths.clear();
  paths.set(str, parts);
  return parts;
}

// ---------------------------------------------------------------------------------------------------
// The root context: the caller's context plus `$flagd` (flagd-core evaluates `{...ctx, $flagd}`).

export function flagdObject(st: EvalState): { flagKey: string; timestamp: number } {
  return (st.flagd ??= { flagKey: st.flagKey, timestamp: Math.floor(readNow(st.now)) });
}

/** `root[key]` without materialising the merged root object. */
export function rootGet(st: EvalState, key: string): unknown {
  return key === '$flagd' && !st.folding ? flagdObject(st) : st.ctx[key];
}

export function rootObject(st: EvalState): Record<string, unknown> {
  if (st.folding) return st.ctx;
  return (st.root ??= { ...st.ctx, $flagd: flagdObject(st) });
}

/** Property access on the current data: the root (with `$flagd`) or an iterator element. */
export function dataGet(st: EvalState, sc: unknown, root: boolean, key: string): unknown {
  if (root) return rootGet(st, key);
  return sc == null ? undefined : (sc as any)[key];
}

export const dataOf = (st: EvalState, sc: unknown, root: boolean): unknown => (root ? rootObject(st) : sc);

// ---------------------------------------------------------------------------------------------------
// Operation bodies shared by the generic (non-inlined) paths of both modes.

/** `var` (interpreted implementation): `key` or `[key, default]`; null values are kept, undefined → default. */
export function varMethod(st: EvalState, sc: unknown, root: boolean, key: any): unknown {
  let b: unknown;
  if (Array.isArray(key)) {
    b = key[1];
    key = key[0];
  }
  const notFound = b === undefined ? null : b;
  if (key === undefined || key === '' || key === null) {
    const d = dataOf(st, sc, root);
    return typeof d === 'function' ? null : d;
  }
  const parts = splitPath(String(key));
  let cur: any = parts.length === 0 ? dataOf(st, sc, root) : undefined; // e.g. String([]) === ''
  for (let i = 0; i < parts.length; i++) {
    if (i === 0) {
      if (!root && (sc === null || sc === undefined)) return notFound;
      cur = dataGet(st, sc, root, parts[0]!);
    } else {
      if (cur === null || cur === undefined) return notFound;
      cur = cur[parts[i]!];
    }
    if (cur === undefined) return notFound;
  }
  return typeof cur === 'function' ? null : cur;
}

/** `missing`: the keys (original items) whose dotted path is undefined. */
export function missingMethod(st: EvalState, sc: unknown, root: boolean, checked: any): unknown[] {
  if (!checked.length) return [];
  const out: unknown[] = [];
  for (let i = 0; i < checked.length; i++) {
    const path = splitPath(String(checked[i]));
    let found = true;
    let data: any = sc;
    for (let j = 0; j < path.length; j++) {
      // The root object (context + $flagd) is always truthy.
      if (!(root && j === 0) && !data) {
        found = false;
        break;
      }
      data = root && j === 0 ? rootGet(st, path[0]!) : data[path[j]!];
      if (data === undefined) {
        found = false;
        break;
      }
    }
    if (!found) out.push(checked[i]);
  }
  return out;
}

export function missingSomeMethod(st: EvalState, sc: unknown, root: boolean, args: any): unknown[] {
  const [needCount, options] = args;
  const missing = missingMethod(st, sc, root, options);
  if (options.length - missing.length >= needCount) return [];
  return missing;
}

export function plusMethod(data: any): number {
  if (!data) return 0;
  if (typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean') return pre(+data);
  if (typeof data === 'object' && !Array.isArray(data)) fail(NAN);
  let res = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] && typeof data[i] === 'object') fail(NAN);
    res += +data[i];
  }
  if (Number.isNaN(res)) fail(NAN);
  return res;
}

export function timesMethod(data: any): number {
  if (data.length === 0) return 1;
  let res = 1;
  for (let i = 0; i < data.length; i++) {
    if (data[i] && typeof data[i] === 'object') fail(NAN);
    res *= +data[i];
  }
  if (Number.isNaN(res)) fail(NAN);
  return res;
}

export function divMethod(data: any): number {
  if (data[0] && typeof data[0] === 'object') fail(NAN);
  if (data.length === 0) fail(INVALID_ARGUMENTS);
  if (data.length === 1) {
    if (!+data[0]) fail(NAN);
    return 1 / +data[0];
  }
  let res = +data[0];
  for (let i = 1; i < data.length; i++) {
    if ((data[i] && typeof data[i] === 'object') || !data[i]) fail(NAN);
    res /= +data[i];
  }
  if (Number.isNaN(res) || res === Infinity) fail(NAN);
  return res;
}

export function minusMethod(data: any): number {
  if (!data) return 0;
  if (typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean') return pre(-data);
  if (typeof data === 'object' && !Array.isArray(data)) fail(NAN);
  if (data[0] && typeof data[0] === 'object') fail(NAN);
  if (data.length === 0) fail(INVALID_ARGUMENTS);
  if (data.length === 1) return -data[0];
  let res = data[0];
  for (let i = 1; i < data.length; i++) {
    if (data[i] && typeof data[i] === 'object') fail(NAN);
    res -= +data[i];
  }
  if (Number.isNaN(res)) fail(NAN);
  return res;
}

export function modMethod(data: any): number {
  if (data[0] && typeof data[0] === 'object') fail(NAN);
  if (data.length < 2) fail(INVALID_ARGUMENTS);
  let res = +data[0];
  for (let i = 1; i < data.length; i++) {
    if (data[i] && typeof data[i] === 'object') fail(NAN);
    res %= +data[i];
  }
  if (Number.isNaN(res)) fail(NAN);
  return res;
}

function extreme(data: any, max: boolean): number {
  if (!data.length || typeof data[0] !== 'number') fail(INVALID_ARGUMENTS);
  let m = data[0];
  for (let i = 1; i < data.length; i++) {
    if (typeof data[i] !== 'number') fail(INVALID_ARGUMENTS);
    if (max ? data[i] > m : data[i] < m) m = data[i];
  }
  return m;
}
export const maxMethod = (data: any): number => extreme(data, true);
export const minMethod = (data: any): number => extreme(data, false);

export const inMethod = (data: any): boolean => (data[1] || []).includes(data[0]);

export function mergeMethod(args: any): unknown[] {
  if (!Array.isArray(args)) return [args];
  const out: unknown[] = [];
  for (const a of args) {
    if (Array.isArray(a)) for (const x of a) out.push(x);
    else out.push(a);
  }
  return out;
}

export function substrMethod(data: any): string {
  const [string, from, end] = data;
  if (end < 0) {
    const result = string.substr(from);
    return result.substr(0, result.length + end);
  }
  return string.substr(from, end);
}

/** `cat` (interpreted implementation): skips null/undefined. */
export function catMethod(arr: any): string {
  if (typeof arr === 'string') return arr;
  if (!Array.isArray(arr)) return arr.toString();
  let res = '';
  for (let i = 0; i < arr.length; i++) {
    if (arr[i] === null || arr[i] === undefined) continue;
    res += arr[i];
  }
  return res;
}

export const notMethod = (v: any): boolean => (Array.isArray(v) ? !truthy(v[0]) : !truthy(v));
