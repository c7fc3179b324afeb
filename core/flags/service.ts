import { createHash } from 'node:crypto';
import { compileFlagd } from './flagd/compile.js';
import { InvalidFlagsError, type EvaluationContext, type FlagSet, type NowSeconds, type Resolution } from './model.js';
import { compileSeed } from './seed/compile.js';

/**
 * Format-independent flag service: detect the format, compile once, evaluate by key. Both formats
 * compile to one model (core/flags/model.ts), so every endpoint serves either.
 */

export type FlagFormat = 'seed' | 'flagd';

/** The seed format has top-level `values`; flagd's flags carry `state`/`variants`. */
export function detectFormat(doc: unknown): FlagFormat {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new InvalidFlagsError('unknown', [{ path: '', message: 'a flags document is a JSON object' }]);
  const d = doc as Record<string, unknown>;
  if ('values' in d) return 'seed';
  if ('flags' in d) {
    const flags = d.flags;
    if (flags && typeof flags === 'object') {
      const first = Object.values(flags as Record<string, unknown>)[0];
      if (first && typeof first === 'object' && ('state' in first || 'variants' in first || 'defaultVariant' in first)) return 'flagd';
      if (Object.keys(flags).length === 0 && '$schema' in d) return 'flagd';
    }
    return 'seed';
  }
  throw new InvalidFlagsError('unknown', [{ path: '', message: 'expected the seed format (`flags` + `values`) or the flagd format (`flags` with `state`, `variants`, `defaultVariant`)' }]);
}

export interface LoadedFlags {
  set: FlagSet;
  /** Content hash of the document: changes whenever the flags change. */
  version: string;
  loadedAt: string;
}

/** Compiles a flags document (seed or flagd format); throws InvalidFlagsError with exact paths. */
export function loadFlags(doc: unknown, now = new Date()): LoadedFlags {
  const format = detectFormat(doc);
  const set = format === 'seed' ? compileSeed(doc) : compileFlagd(doc);
  return { set, version: contentHash(doc), loadedAt: now.toISOString() };
}

/** A stable JSON rendering (sorted keys) so equal documents and contexts hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export const contentHash = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);

export function evaluateFlag(set: FlagSet, key: string, context: EvaluationContext, nowSeconds: NowSeconds): Resolution {
  const flag = set.flags.get(key);
  if (!flag) return { key, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', errorMessage: `flag ${key} does not exist`, metadata: { ...set.metadata } };
  return flag.evaluate(context, nowSeconds);
}

export function evaluateAll(set: FlagSet, context: EvaluationContext, nowSeconds: NowSeconds): Resolution[] {
  const out: Resolution[] = [];
  for (const flag of set.flags.values()) out.push(flag.evaluate(context, nowSeconds));
  return out;
}

/**
 * ETag of a bulk evaluation: the same flags and the same context give the same answers, so the
 * client's cached result is still good (OFREP bulk evaluation with If-None-Match → 304).
 * Flags using `$flagd.timestamp` may change with time alone; they are rare and documented.
 */
export function bulkEtag(flagsVersion: string, context: EvaluationContext): string {
  return `"${createHash('sha256').update(flagsVersion).update('\0').update(canonicalJson(context)).digest('base64url').slice(0, 27)}"`;
}
