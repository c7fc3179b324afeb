/**
 * Parsers shared by the seed operators: semantic versions (SemVer 2.0.0) and instants (ISO-8601 or
 * epoch milliseconds). Both are strict: anything not matching the grammar is `null`, never a guess.
 */

// ---------------------------------------------------------------------------------------------
// SemVer 2.0.0 (https://semver.org), with an optional leading `v`

export interface SemVer {
  /** major, minor, patch as decimal digit strings without leading zeros (compared by length, then text: no precision limit). */
  core: [string, string, string];
  /** Pre-release identifiers; empty for a release. Build metadata is parsed and dropped (it has no precedence). */
  prerelease: string[];
}

const NUM = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUM}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER_RE = new RegExp(
  `^v?(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?$`,
);
const NUMERIC_ID = /^\d+$/;

/** Parses `1.2.3`, `v1.2.3-rc.1+build.5`; `null` for anything that is not strict SemVer 2.0.0. */
export function parseSemver(text: string): SemVer | null {
  if (text.length > 256) return null;
  const m = SEMVER_RE.exec(text);
  if (!m) return null;
  return { core: [m[1]!, m[2]!, m[3]!], prerelease: m[4] === undefined ? [] : m[4].split('.') };
}

/** Compares two digit strings without leading zeros as unbounded integers. */
function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SemVer precedence (spec §11): -1, 0 or 1. Build metadata is ignored, so `1.0.0+a` equals `1.0.0+b`. */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (let i = 0; i < 3; i++) {
    const c = compareDigits(a.core[i]!, b.core[i]!);
    if (c !== 0) return c;
  }
  const pa = a.prerelease;
  const pb = b.prerelease;
  // A release has higher precedence than any of its pre-releases.
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const xn = NUMERIC_ID.test(x);
    const yn = NUMERIC_ID.test(y);
    // Numeric identifiers compare numerically and sort before alphanumeric ones (which compare in ASCII order).
    if (xn && yn) return compareDigits(x, y);
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}

// ---------------------------------------------------------------------------------------------
// Instants: ISO-8601 / RFC 3339 strings, or epoch milliseconds

// YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fraction]] followed by a mandatory Z or ±HH:MM offset.
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2}))?$/;

/**
 * Parses an ISO-8601 calendar date (`2025-06-01`, midnight UTC) or date-time with an explicit offset
 * (`2025-06-01T09:30:00Z`, `2025-06-01T11:30:00.250+02:00`) to epoch milliseconds. A date-time
 * without an offset is rejected rather than read in the machine's time zone (which would not be
 * deterministic). Out-of-range fields (month 13, Feb 30, hour 24, second 60) are rejected.
 */
export function parseIsoInstant(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1) return null; // e.g. 2025-02-30
  date.setUTCHours(h, mi, s, ms);
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return date.getTime() - offsetMinutes * 60_000;
}

/**
 * An instant from a condition value or a context attribute: a finite number is epoch milliseconds,
 * a string must be ISO-8601 (see `parseIsoInstant`), a `Date` (OpenFeature contexts may hold one)
 * is its time. Numeric strings are not coerced. `null` for anything else.
 */
export function toInstant(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return parseIsoInstant(value);
  if (value instanceof Date) {
    const t = value.getTime();
    return Number.isFinite(t) ? t : null;
  }
  return null;
}
