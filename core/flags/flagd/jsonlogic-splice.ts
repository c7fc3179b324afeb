/**
 * json-logic-engine builds JavaScript *source text* by pasting sub-expressions into templates, and a
 * few of its templates are not parenthesised: `or` / `and` (`engine.truthy(prev = a) ? prev : …`),
 * inlined `missing` / `missing_some`, `all`, and `/` over one computed argument. Pasted into another
 * template without parentheses — `('' + x + ${part})` in `cat`, `(${list} || []).includes(…)` in
 * `in`, `(${array} || [])` in the iterators, `?? ${default}` in `var`, `< ${min}` in `missing_some` —
 * JavaScript's operator precedence regroups them: `{"cat": ["k-", {"or": [{"var": "id"}, "anon"]}]}`
 * really is `('' + "k-" + engine.truthy(prev = id)) ? prev : …`, i.e. it returns `id` itself.
 *
 * To give the same answers we keep such expressions as token sequences and, where the engine pastes
 * them, parse the combined sequence with JavaScript's precedence rules into closures — once, at
 * compile time. (Mixing `??` with `&&`/`||` is a SyntaxError for the engine: a build failure.)
 */
import { BuildError, type Code, type Fn, fnOf } from './jsonlogic-runtime.js';

export type Tok = Fn | '?' | ':' | '||' | '&&' | '??' | '===' | '<' | '+' | '-' | '!';

export class SpliceSyntaxError extends Error {
  override name = 'SpliceSyntaxError';
}

const PREC: Record<string, number> = { '??': 1, '||': 1, '&&': 2, '===': 3, '<': 4, '+': 5, '-': 5 };

function combine(op: string, a: Fn, b: Fn): Fn {
  switch (op) {
    case '||':
      return (st, sc) => (a(st, sc) as any) || b(st, sc);
    case '&&':
      return (st, sc) => (a(st, sc) as any) && b(st, sc);
    case '??':
      return (st, sc) => a(st, sc) ?? b(st, sc);
    case '===':
      return (st, sc) => a(st, sc) === b(st, sc);
    case '<':
      return (st, sc) => (a(st, sc) as any) < (b(st, sc) as any);
    case '+':
      return (st, sc) => (a(st, sc) as any) + (b(st, sc) as any);
    default:
      return (st, sc) => (a(st, sc) as any) - (b(st, sc) as any);
  }
}

/** Parses a token sequence as a JavaScript expression (conditional / binary / `!` / atoms). */
export function parseTokens(toks: readonly Tok[]): Fn {
  let i = 0;
  const unary = (): Fn => {
    const t = toks[i++];
    if (t === '!') {
      const x = unary();
      return (st, sc) => !x(st, sc);
    }
    if (typeof t !== 'function') throw new Error(`internal: unexpected token ${String(t)}`);
    return t;
  };
  const binary = (min: number): { f: Fn; op: string | undefined } => {
    let left: { f: Fn; op: string | undefined } = { f: unary(), op: undefined };
    for (;;) {
      const op = toks[i];
      if (typeof op !== 'string' || !(op in PREC) || PREC[op]! < min) return left;
      i++;
      const right = binary(PREC[op]! + 1);
      const logical = (o: string | undefined) => o === '||' || o === '&&';
      if ((op === '??' && (logical(left.op) || logical(right.op))) || (logical(op) && (left.op === '??' || right.op === '??'))) {
        throw new SpliceSyntaxError('the engine generates `??` mixed with `&&`/`||` here (a SyntaxError)');
      }
      left = { f: combine(op, left.f, right.f), op };
    }
  };
  const conditional = (): Fn => {
    const test = binary(0).f;
    if (toks[i] !== '?') return test;
    i++;
    const then = conditional();
    if (toks[i++] !== ':') throw new Error('internal: expected :');
    const otherwise = conditional();
    return (st, sc) => (test(st, sc) ? then(st, sc) : otherwise(st, sc));
  };
  const f = conditional();
  if (i !== toks.length) throw new Error('internal: trailing tokens');
  return f;
}

/** How a compiled expression pastes into a template (see jsonlogic-splice.ts). */
export const toks = (c: Code): Tok[] => (c.k === 3 ? c.toks : [fnOf(c)]);
export const PREV: Fn = (st) => st.prev;
export const EMPTY: Fn = () => [];

/** Parses pasted tokens; the engine's SyntaxErrors are build failures. */
export function splice(ts: Tok[], path: string): Fn {
  try {
    return parseTokens(ts);
  } catch (e) {
    if (e instanceof SpliceSyntaxError) throw new BuildError(path, e.message);
    throw e;
  }
}

/** `(${x} || [])` — the hole of `in` and of the iterators. */
export function orEmpty(c: Code, path: string): Fn {
  if (c.k !== 3) {
    const f = fnOf(c);
    return (st, sc) => (f(st, sc) as any) || [];
  }
  return splice([...c.toks, '||', EMPTY], path);
}

