/**
 * flagd flag definitions (https://flagd.dev/reference/flag-definitions/, schema
 * https://flagd.dev/schema/v0/flags.json) → the internal model. Targeting is compiled once into
 * closures (jsonlogic.ts) that reproduce @openfeature/flagd-core 4.0.1 / json-logic-engine 5.0.7
 * results exactly; evaluation allocates one small state object and returns pre-built, frozen
 * resolutions.
 *
 * Resolution rules (flagd-core 4.0.1 `FeatureFlag.evaluate` + `FlagdCore.resolve`):
 *
 * | situation                                              | reason          | value / variant           | error code  |
 * | ------------------------------------------------------ | --------------- | ------------------------- | ----------- |
 * | state DISABLED                                         | DISABLED        | none (use code default)   |             |
 * | no targeting (absent or `{}`), defaultVariant set      | STATIC          | defaultVariant            |             |
 * | no targeting, no defaultVariant (null / absent / "")   | DEFAULT         | none (use code default)   |             |
 * | targeting returns null / undefined, defaultVariant set | DEFAULT         | defaultVariant            |             |
 * | targeting returns null / undefined, no defaultVariant  | DEFAULT         | none (use code default)   |             |
 * | targeting returns x: `String(x)` names a variant       | TARGETING_MATCH | that variant (true → "true", 1 → "1") |   |
 * |   … and x came from `fractional` (option, on by default)| SPLIT          | that variant              |             |
 * | `String(x)` is not a variant (incl. false → "false")   | ERROR           | none                      | GENERAL     |
 * | targeting throws at run time (NaN arithmetic, …)       | ERROR           | none                      | GENERAL     |
 * | targeting cannot be built (only with validation 'compat'; strict mode rejects the document) | ERROR | none | PARSE_ERROR |
 * | flag key not in the set (caller's job)                 | ERROR           | none                      | FLAG_NOT_FOUND |
 * | value type ≠ requested type (caller's job)             | ERROR           | none                      | TYPE_MISMATCH |
 *
 * Metadata: the set's `metadata` overlaid with the flag's (flag wins), on every resolution.
 * Evaluation context: the caller's context plus `$flagd: { flagKey, timestamp }` (`targetingKey` is an
 * ordinary attribute).
 */
import * as z from 'zod';
import { type CompiledFlag, type EvaluationContext, type FlagMetadata, type FlagSet, type FlagType, type FlagValue, InvalidFlagsError, type NowSeconds, type Resolution, formatPath, typeOf } from '../model.js';
import { type Origins, compileLogic } from './jsonlogic.js';
import { OPERATORS } from './jsonlogic-common.js';
import { BuildError, type EvalState, type Fn } from './jsonlogic-runtime.js';
import { RefError, RefResolver } from './refs.js';
import { type Issue, TargetingValidator } from './validate.js';

export interface FlagdCompileOptions {
  /**
   * 'strict' (default): the document must follow flagd's schema, and targeting that can only fail
   * (unknown operators or `$ref`s, wrong arities, constant expressions that throw, names that are not
   * variants…) is rejected with exact paths. 'compat': load like flagd-core — such targeting is
   * evaluated as flagd-core would, or resolves to ERROR / PARSE_ERROR for that flag only.
   */
  validation?: 'strict' | 'compat';
  /** Report SPLIT (instead of flagd's TARGETING_MATCH) when the variant came from `fractional`. Default true. */
  splitReason?: boolean;
}

const Metadata = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: 'metadata values are strings, numbers or booleans' }));
const Document = z.object({
  $schema: z.string().optional(),
  flags: z.record(z.string().min(1, 'a flag key is a non-empty string'), z.unknown()),
  $evaluators: z.record(z.string().min(1), z.unknown()).optional(),
  metadata: Metadata.optional(),
});
const Flag = (compat: boolean) =>
  z.object({
    state: z.enum(['ENABLED', 'DISABLED'], { error: 'state is "ENABLED" or "DISABLED"' }),
    variants: z.record(z.string(), z.unknown(), { error: 'variants is an object of name → value' }),
    defaultVariant: z.string({ error: 'defaultVariant is a variant name or null' }).nullable().optional(),
    targeting: compat ? z.record(z.string(), z.unknown()).nullable().optional() : z.record(z.string(), z.unknown(), { error: 'targeting is a JSONLogic object' }).optional(),
    metadata: Metadata.optional(),
  });

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function zodIssues(error: z.ZodError, prefix: PropertyKey[]): Issue[] {
  return error.issues.map((i) => ({ path: formatPath([...prefix, ...i.path]), message: i.message }));
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Compiles a parsed flagd document; throws {@link InvalidFlagsError} listing every problem. */
export function compileFlagd(doc: unknown, options: FlagdCompileOptions = {}): FlagSet {
  const compat = options.validation === 'compat';
  const splitReason = options.splitReason ?? true;
  const issues: Issue[] = [];
  const top = Document.safeParse(doc);
  if (!top.success) issues.push(...zodIssues(top.error, []));
  const d: Record<string, unknown> = isObj(doc) ? doc : {};
  const flags = isObj(d.flags) ? d.flags : {};
  const evaluators = isObj(d.$evaluators) ? d.$evaluators : {};
  const setMetadata: FlagMetadata = top.success ? (top.data.metadata ?? {}) : {};

  const validator = new TargetingValidator(evaluators, issues);
  const resolver = new RefResolver(evaluators);
  if (!compat) {
    for (const name of Object.keys(evaluators)) {
      validator.evaluator(name);
      try {
        resolver.evaluator(name);
      } catch (e) {
        if (e instanceof RefError) issues.push({ path: e.path, message: e.message });
        else throw e;
      }
    }
  }

  const compiled = new Map<string, CompiledFlag>();
  const FlagSchema = Flag(compat);
  for (const [key, raw] of Object.entries(flags)) {
    const at = ['flags', key];
    const parsed = FlagSchema.safeParse(raw);
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, at));
      continue;
    }
    const f = parsed.data;
    const path = formatPath(at);
    const before = issues.length;
    const variantNames = Object.keys(f.variants);
    const type = checkVariants(f.variants, at, compat, issues);
    let defaultVariant = f.defaultVariant ?? undefined;
    if (compat && defaultVariant === '') defaultVariant = undefined;
    if (defaultVariant !== undefined && !Object.hasOwn(f.variants, defaultVariant)) {
      issues.push({ path: formatPath([...at, 'defaultVariant']), message: `"${defaultVariant}" is not one of the variants (${variantNames.join(', ')})` });
    }
    const targeting = f.targeting && Object.keys(f.targeting).length > 0 ? f.targeting : undefined;
    let fn: Fn | 'parse-error' | undefined;
    if (targeting) {
      if (!compat) validator.targeting(targeting, `${path}.targeting`, new Set(variantNames));
      if (compat || issues.length === before) fn = compileTargeting(targeting, `${path}.targeting`, resolver, compat, splitReason, issues);
    }
    if (issues.length > before || !type) continue;
    const metadata = deepFreeze({ ...setMetadata, ...(f.metadata ?? {}) });
    // Copies: the caller's document is never frozen or aliased.
    const variants = deepFreeze(structuredClone(f.variants)) as Record<string, FlagValue>;
    compiled.set(key, makeFlag(key, f.state, variants, type, defaultVariant, fn, metadata));
  }
  if (issues.length) {
    const seen = new Set<string>();
    const unique = issues.filter((i) => !seen.has(`${i.path}\0${i.message}`) && !!seen.add(`${i.path}\0${i.message}`));
    throw new InvalidFlagsError('flagd', unique);
  }
  return { format: 'flagd', flags: compiled, metadata: deepFreeze({ ...setMetadata }) };
}

/** All variants share one type; values are booleans, strings, finite numbers or JSON objects. */
function checkVariants(variants: Record<string, unknown>, at: PropertyKey[], compat: boolean, issues: Issue[]): FlagType | undefined {
  const names = Object.keys(variants);
  if (names.length === 0) {
    issues.push({ path: formatPath([...at, 'variants']), message: 'a flag needs at least one variant' });
    return undefined;
  }
  let type: FlagType | undefined;
  let ok = true;
  for (const name of names) {
    const p = formatPath([...at, 'variants', name]);
    const value = variants[name];
    const t = typeOf(value);
    if (name === '' && !compat) issues.push({ path: p, message: 'a variant name is a non-empty string' });
    if (t === null || (Array.isArray(value) && !compat)) {
      issues.push({ path: p, message: 'a variant value is a boolean, string, number or JSON object' });
      ok = false;
    } else if (type === undefined) type = t;
    else if (t !== type) {
      issues.push({ path: p, message: `all variants of a flag have the same type: this one is ${t}, the first is ${type}` });
      ok = false;
    }
  }
  return ok ? type : undefined;
}

/** flagd-core builds every non-empty object as an operation: find what it would reject. */
function unknownOperation(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const bad = unknownOperation(n);
      if (bad) return bad;
    }
    return undefined;
  }
  if (!isObj(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length === 0) return undefined;
  if (keys.length > 1 || !OPERATORS.has(keys[0]!)) return keys.join(', ');
  const args = node[keys[0]!];
  // missing_some's key list is passed through as data, not built.
  if (keys[0] === 'missing_some' && Array.isArray(args) && Array.isArray(args[1])) return unknownOperation(args[0]);
  return unknownOperation(args);
}

function containsFractional(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(containsFractional);
  if (!isObj(node)) return false;
  return Object.entries(node).some(([k, v]) => k === 'fractional' || containsFractional(v));
}

function compileTargeting(targeting: unknown, path: string, resolver: RefResolver, compat: boolean, splitReason: boolean, issues: Issue[]): Fn | 'parse-error' {
  let tree: unknown;
  try {
    tree = resolver.resolve(targeting, path);
  } catch (e) {
    if (!(e instanceof RefError)) throw e;
    if (compat) return 'parse-error';
    issues.push({ path: e.path, message: e.message });
    return 'parse-error';
  }
  if (compat && unknownOperation(tree) !== undefined) return 'parse-error';
  try {
    const split = splitReason && containsFractional(tree);
    return compileLogic(tree, path, { root: true, tail: true, split }, resolver.origins as Origins);
  } catch (e) {
    // flagd-core: a targeting its engine cannot build makes the flag resolve to PARSE_ERROR.
    if (!compat) {
      if (e instanceof BuildError) issues.push({ path: e.path, message: e.message });
      else issues.push({ path, message: `targeting cannot be compiled (${e instanceof Error ? e.message : String(e)})` });
    }
    return 'parse-error';
  }
}

function makeFlag(
  key: string,
  state: 'ENABLED' | 'DISABLED',
  variants: Record<string, FlagValue>,
  type: FlagType,
  defaultVariant: string | undefined,
  targeting: Fn | 'parse-error' | undefined,
  metadata: FlagMetadata,
): CompiledFlag {
  const res = (r: Omit<Resolution, 'key' | 'metadata'>): Resolution => Object.freeze({ key, ...r, metadata });
  const withVariant = (variant: string, reason: Resolution['reason']) => res({ value: variants[variant], variant, reason });
  const disabled = res({ reason: 'DISABLED' });
  const byDefault = defaultVariant === undefined ? res({ reason: 'DEFAULT' }) : withVariant(defaultVariant, 'DEFAULT');
  const general = res({ reason: 'ERROR', errorCode: 'GENERAL', errorMessage: `Error evaluating targeting rule for flag '${key}'` });
  const match = new Map<string, Resolution>();
  const split = new Map<string, Resolution>();
  for (const name of Object.keys(variants)) {
    match.set(name, withVariant(name, 'TARGETING_MATCH'));
    split.set(name, withVariant(name, 'SPLIT'));
  }
  const base = { key, type, metadata };
  if (state === 'DISABLED') return { ...base, evaluate: () => disabled };
  if (targeting === undefined) {
    const fixed = defaultVariant === undefined ? byDefault : withVariant(defaultVariant, 'STATIC');
    return { ...base, evaluate: () => fixed };
  }
  if (targeting === 'parse-error') {
    const parseError = res({ reason: 'ERROR', errorCode: 'PARSE_ERROR', errorMessage: `Invalid targeting configuration for flag '${key}'` });
    return { ...base, evaluate: () => parseError };
  }
  const fn = targeting;
  return {
    ...base,
    evaluate(context: EvaluationContext, nowSeconds: NowSeconds): Resolution {
      const ctx = (context ?? {}) as Record<string, unknown>;
      const st: EvalState = { ctx, flagKey: key, now: nowSeconds, prev: undefined, flagd: undefined, root: undefined, split: false };
      let name: string;
      try {
        const r: unknown = fn(st, ctx);
        if (r === null || r === undefined) return byDefault;
        name = typeof r === 'string' ? r : (r as { toString(): string }).toString();
      } catch {
        return general;
      }
      const hit = (st.split ? split : match).get(name);
      return hit ?? res({ reason: 'ERROR', errorCode: 'GENERAL', errorMessage: `Variant '${name}' not found in flag with key '${key}'` });
    },
  };
}
