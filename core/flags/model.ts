/**
 * The internal flag model both flag formats (the seed's and flagd's) compile to. Evaluation is a
 * pure function of (compiled flag, context, time); results use OpenFeature's reasons and error codes,
 * so the seed endpoint, OFREP and in-process callers all speak the same language.
 */

export type FlagValue = boolean | string | number | { [key: string]: unknown } | unknown[];
export type FlagType = 'boolean' | 'string' | 'number' | 'object';

/** OpenFeature resolution reasons we produce. */
export type Reason = 'STATIC' | 'DEFAULT' | 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED' | 'ERROR';

/** OpenFeature error codes (OFREP uses the same strings). */
export type ErrorCode = 'FLAG_NOT_FOUND' | 'PARSE_ERROR' | 'TYPE_MISMATCH' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL';

/** Unix seconds, or a function returning them when asked (see CompiledFlag.evaluate). */
export type NowSeconds = number | (() => number);
export const readNow = (now: NowSeconds): number => (typeof now === 'function' ? now() : now);

export type FlagMetadata = Record<string, string | number | boolean>;

/** Evaluation context: `targetingKey` plus any attributes (OpenFeature's shape). */
export interface EvaluationContext {
  targetingKey?: string;
  [attribute: string]: unknown;
}

export interface Resolution {
  key: string;
  /** Absent on errors, and for flagd's "use the code default" (no defaultVariant, no match): reason DEFAULT, no value. */
  value?: FlagValue;
  variant?: string;
  reason: Reason;
  errorCode?: ErrorCode;
  errorMessage?: string;
  metadata: FlagMetadata;
}

export interface CompiledFlag {
  key: string;
  /** Type of the variants' values (all variants of a flag share one type). */
  type: FlagType;
  metadata: FlagMetadata;
  /**
   * `now` is the evaluation time in Unix seconds (`$flagd.timestamp`, the seed format's `$now`), or a
   * function returning it — read only when the flag's rules use the time, so the hot path of a static
   * or time-independent flag never touches the clock. Never throws: errors are resolutions with reason ERROR.
   */
  evaluate(context: EvaluationContext, now: NowSeconds): Resolution;
}

export interface FlagSet {
  /** Which format it was compiled from. */
  format: 'seed' | 'flagd';
  flags: ReadonlyMap<string, CompiledFlag>;
  /** Set-level metadata (flagd's top-level `metadata`). */
  metadata: FlagMetadata;
}

/** A flags document that does not validate: every problem with its exact JSON path. */
export class InvalidFlagsError extends Error {
  override name = 'InvalidFlagsError';
  constructor(
    readonly format: 'seed' | 'flagd' | 'unknown',
    readonly issues: { path: string; message: string }[],
  ) {
    super(`invalid ${format} flags:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
  }
}

/** Formats a path like `flags.new-checkout.targeting.if[0]` from path segments. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

export function typeOf(value: unknown): FlagType | null {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' && Number.isFinite(value)) return 'number';
  if (value !== null && typeof value === 'object') return 'object';
  return null;
}
