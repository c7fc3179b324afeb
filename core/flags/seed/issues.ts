/** Validation plumbing for the seed compiler: an issue collector with exact JSON paths, and safe readers. */
import { formatPath, type FlagValue } from '../model.js';

export type Path = readonly (string | number)[];

/** Collects every validation problem of a document (the compiler reports them all at once). */
export class Issues {
  readonly list: { path: string; message: string }[] = [];
  add(path: Path, message: string): void {
    this.list.push({ path: formatPath(path), message });
  }
  get count(): number {
    return this.list.length;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own property only: an inherited `flags` or `__proto__` never counts as present. */
export function own(obj: Record<string, unknown>, key: string): unknown {
  return hasOwn.call(obj, key) ? obj[key] : undefined;
}

/** Reports every own key of `obj` not in `allowed` as an unknown property (typos must not pass silently). */
export function checkKeys(issues: Issues, obj: Record<string, unknown>, allowed: readonly string[], path: Path): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) issues.add([...path, key], `unknown property (allowed: ${allowed.join(', ')})`);
  }
}

/** A number in [0, 100], or an issue. */
export function checkPercentage(issues: Issues, value: unknown, path: Path): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    issues.add(path, 'must be a number from 0 to 100');
    return undefined;
  }
  return value;
}

const MAX_DEPTH = 64;

/**
 * Deep-copies and deep-freezes a JSON value (objects, arrays, strings, finite numbers, booleans, and
 * `null` below the top level), so a compiled flag can hand the same value to every caller and nobody
 * can change it afterwards, the caller of `compileSeed` included. Anything else is an issue.
 */
export function freezeJson(issues: Issues, value: unknown, path: Path, depth = 0): FlagValue | null | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    issues.add(path, 'must be a finite number');
    return undefined;
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH) {
    issues.add(path, `is nested deeper than ${MAX_DEPTH} levels`);
    return undefined;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(freezeJson(issues, value[i], [...path, i], depth + 1));
    return Object.freeze(out) as unknown[];
  }
  if (isRecord(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const entries = Object.keys(value).map((k) => [k, freezeJson(issues, value[k], [...path, k], depth + 1)] as const);
    return Object.freeze(Object.fromEntries(entries));
  }
  issues.add(path, `must be a JSON value (got ${typeof value})`);
  return undefined;
}
