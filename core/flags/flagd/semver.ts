/**
 * The subset of node-semver (v7) that flagd-core's `sem_ver` uses — `parse` (strict), `coerce` for
 * partial numeric versions, and `compare` — reimplemented so the runtime has no dependency on it.
 *
 * flagd's version normalisation (flagd-core `normalizeVersion`): strip one leading `v`/`V`; parse
 * strictly (SemVer 2.0, surrounding whitespace trimmed, a further `v` tolerated, ≤ 256 chars); if that
 * fails and the string is `\d+` or `\d+.\d+`, coerce it to `X.0.0` / `X.Y.0`; otherwise invalid.
 */

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Numeric identifiers (below MAX_SAFE_INTEGER) as numbers, the rest as strings. */
  prerelease: (string | number)[];
  /** `major.minor.patch[-prerelease]` — build metadata never takes part in comparisons. */
  version: string;
}

const MAX_LENGTH = 256;
const NUM = '0|[1-9]\\d*';
const PRE_ID = `(?:\\d*[a-zA-Z-][a-zA-Z0-9-]*|${NUM})`;
const FULL = new RegExp(
  `^v?(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*))?$`,
);
const COERCE = /(^|[^\d])(\d{1,16})(?:\.(\d{1,16}))?(?:\.(\d{1,16}))?(?:$|[^\d])/;
const PARTIAL = /^\d+(\.\d+)?$/;
const NUMERIC = /^[0-9]+$/;

/** node-semver `parse(version)` with default options: null when invalid. */
export function parseSemVer(version: string): SemVer | null {
  if (version.length > MAX_LENGTH) return null;
  const m = FULL.exec(version.trim());
  if (!m) return null;
  const major = +m[1]!;
  const minor = +m[2]!;
  const patch = +m[3]!;
  if (major > Number.MAX_SAFE_INTEGER || minor > Number.MAX_SAFE_INTEGER || patch > Number.MAX_SAFE_INTEGER) return null;
  const prerelease = m[4]
    ? m[4].split('.').map((id) => {
        if (NUMERIC.test(id)) {
          const num = +id;
          if (num >= 0 && num < Number.MAX_SAFE_INTEGER) return num;
        }
        return id;
      })
    : [];
  let v = `${major}.${minor}.${patch}`;
  if (prerelease.length) v += `-${prerelease.join('.')}`;
  return { major, minor, patch, prerelease, version: v };
}

/** node-semver `coerce(version)` (left-to-right, no prerelease) for strings. */
function coerce(version: string): SemVer | null {
  const m = COERCE.exec(version);
  if (!m) return null;
  return parseSemVer(`${m[2]!}.${m[3] || '0'}.${m[4] || '0'}`);
}

/** flagd-core's `normalizeVersion`: accepts anything, stringifies it (`String(raw)`). */
export function normalizeVersion(raw: unknown): SemVer | null {
  const str = String(raw).replace(/^[vV]/, '');
  const strict = parseSemVer(str);
  if (strict) return strict;
  if (PARTIAL.test(str)) return coerce(str);
  return null;
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  const anum = NUMERIC.test(String(a));
  const bnum = NUMERIC.test(String(b));
  if (anum && bnum) {
    a = +a;
    b = +b;
  }
  return a === b ? 0 : anum && !bnum ? -1 : bnum && !anum ? 1 : a < b ? -1 : 1;
}

/** node-semver `compare(a, b)`: -1, 0 or 1 (precedence per SemVer 2.0; build metadata ignored). */
export function compareSemVer(a: SemVer, b: SemVer): number {
  if (a.version === b.version) return 0;
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  const ap = a.prerelease;
  const bp = b.prerelease;
  if (ap.length && !bp.length) return -1;
  if (!ap.length && bp.length) return 1;
  if (!ap.length && !bp.length) return 0;
  for (let i = 0; ; i++) {
    const x = ap[i];
    const y = bp[i];
    if (x === undefined && y === undefined) return 0;
    if (y === undefined) return 1;
    if (x === undefined) return -1;
    if (x !== y) return compareIdentifiers(x, y);
  }
}
