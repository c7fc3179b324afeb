import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CiProvider } from '../../events/ci.js';

/**
 * Webhook authentication, one scheme per provider. Pure: no I/O, never throws; the clock is an argument.
 *
 * Comparisons are constant-time and leak no length: both sides are hashed with SHA-256 first and the
 * 32-byte digests are compared with `crypto.timingSafeEqual`. Every secret and every candidate
 * signature is compared (no early exit), so timing does not tell which secret matched.
 * Secrets are a list so they can be rotated: add the new one, switch the sender, drop the old one.
 * Empty secrets are ignored; with none left every request is `invalid` (fail closed).
 */

/** Header that carries each provider's credential (lowercase; HTTP header names are case-insensitive). */
export const SIGNATURE_HEADERS = {
  github: 'x-hub-signature-256',
  gitlab: 'x-gitlab-token',
  jenkins: 'x-lumina-token',
  circleci: 'circleci-signature',
  generic: 'x-lumina-signature',
} as const satisfies Record<CiProvider, string>;

export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;
/** More signature entries than this in one header is treated as malformed (bounds the HMAC work). */
const MAX_SIGNATURE_ENTRIES = 8;

export type VerifyResult =
  | { status: 'ok'; header: string; secretIndex: number }
  | { status: 'missing'; header: string }
  | { status: 'invalid'; header: string; reason: 'malformed' | 'mismatch' | 'no_secret' }
  | { status: 'stale'; header: string; ageSeconds: number; windowSeconds: number };

type Body = Buffer | string;
const bytes = (b: Body): Buffer => (typeof b === 'string' ? Buffer.from(b, 'utf8') : b);
const sha256 = (v: Buffer | string): Buffer => createHash('sha256').update(v).digest();
const hmacHex = (secret: string, ...parts: Buffer[]): string => {
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** Constant-time equality of two values of any lengths (compares their SHA-256 digests). */
export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

const usable = (secrets: readonly string[]): string[] => secrets.filter((s) => typeof s === 'string' && s.length > 0);

/** Index of the first secret whose expected value equals any candidate, checking every pair; -1 if none. */
function firstMatch(secrets: readonly string[], expectedFor: (secret: string) => string, candidates: readonly string[]): number {
  let found = -1;
  secrets.forEach((secret, i) => {
    const expected = expectedFor(secret);
    let hit = false;
    for (const c of candidates) hit = safeEqual(expected, c) || hit;
    if (hit && found === -1) found = i;
  });
  return found;
}

function verdict(header: string, index: number): VerifyResult {
  return index >= 0 ? { status: 'ok', header, secretIndex: index } : { status: 'invalid', header, reason: 'mismatch' };
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
export function verifyGitHub(rawBody: Body, header: string | undefined, secrets: readonly string[]): VerifyResult {
  const name = SIGNATURE_HEADERS.github;
  if (!header) return { status: 'missing', header: name };
  const keys = usable(secrets);
  if (keys.length === 0) return { status: 'invalid', header: name, reason: 'no_secret' };
  const m = /^sha256=(.*)$/.exec(header.trim());
  if (!m || !HEX64.test(m[1]!)) return { status: 'invalid', header: name, reason: 'malformed' };
  const body = bytes(rawBody);
  return verdict(name, firstMatch(keys, (s) => hmacHex(s, body), [m[1]!.toLowerCase()]));
}

/** A shared token sent verbatim in a header (GitLab `X-Gitlab-Token`, Jenkins `X-Lumina-Token`). */
function verifyToken(name: string, header: string | undefined, secrets: readonly string[]): VerifyResult {
  if (!header) return { status: 'missing', header: name };
  const keys = usable(secrets);
  if (keys.length === 0) return { status: 'invalid', header: name, reason: 'no_secret' };
  return verdict(name, firstMatch(keys, (s) => s, [header]));
}

export const verifyGitLab = (header: string | undefined, secrets: readonly string[]) =>
  verifyToken(SIGNATURE_HEADERS.gitlab, header, secrets);
export const verifyJenkins = (header: string | undefined, secrets: readonly string[]) =>
  verifyToken(SIGNATURE_HEADERS.jenkins, header, secrets);

/** `k=v, k=v` → entries; undefined when an entry has no `=`. */
function entries(header: string): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    out.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return out;
}

/** Hex signatures of scheme `v1`, or undefined when the header is malformed or has none. */
function v1Signatures(list: Array<[string, string]>): string[] | undefined {
  const v1 = list.filter(([k]) => k === 'v1').map(([, v]) => v);
  if (v1.length === 0 || v1.length > MAX_SIGNATURE_ENTRIES || !v1.every((v) => HEX64.test(v))) return undefined;
  return v1.map((v) => v.toLowerCase());
}

/**
 * CircleCI: `circleci-signature: v1=<hex HMAC-SHA256 of the raw body>`; the header is a comma-separated
 * list of versioned signatures, so several `v1=` entries (and unknown versions, ignored) may appear.
 */
export function verifyCircleCI(rawBody: Body, header: string | undefined, secrets: readonly string[]): VerifyResult {
  const name = SIGNATURE_HEADERS.circleci;
  if (!header) return { status: 'missing', header: name };
  const keys = usable(secrets);
  if (keys.length === 0) return { status: 'invalid', header: name, reason: 'no_secret' };
  const list = entries(header);
  const sigs = list && list.length <= 2 * MAX_SIGNATURE_ENTRIES ? v1Signatures(list) : undefined;
  if (!sigs) return { status: 'invalid', header: name, reason: 'malformed' };
  const body = bytes(rawBody);
  return verdict(name, firstMatch(keys, (s) => hmacHex(s, body), sigs));
}

/** Our scheme: the value for `X-Lumina-Signature` at `unixSeconds` (for senders and tests). */
export function signGeneric(rawBody: Body, secret: string, unixSeconds: number): string {
  const t = String(Math.trunc(unixSeconds));
  return `t=${t},v1=${hmacHex(secret, Buffer.from(`${t}.`, 'utf8'), bytes(rawBody))}`;
}

/**
 * Generic (ours): `X-Lumina-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 * Several `v1=` entries are allowed (a sender signing with old and new secret during rotation).
 * A correct signature whose `t` is more than `windowSeconds` away from `now` (either direction) is
 * `stale`: a replay. The signature is checked first, so `stale` never confirms a forged header.
 */
export function verifyGeneric(
  rawBody: Body,
  header: string | undefined,
  secrets: readonly string[],
  clock: { now: Date; windowSeconds?: number },
): VerifyResult {
  const name = SIGNATURE_HEADERS.generic;
  if (!header) return { status: 'missing', header: name };
  const keys = usable(secrets);
  if (keys.length === 0) return { status: 'invalid', header: name, reason: 'no_secret' };
  const list = entries(header);
  const ts = list?.filter(([k]) => k === 't') ?? [];
  const sigs = list && list.length <= 2 * MAX_SIGNATURE_ENTRIES ? v1Signatures(list) : undefined;
  if (ts.length !== 1 || !/^\d{1,12}$/.test(ts[0]![1]) || !sigs) return { status: 'invalid', header: name, reason: 'malformed' };
  const t = ts[0]![1];
  const body = bytes(rawBody);
  const prefix = Buffer.from(`${t}.`, 'utf8');
  const index = firstMatch(keys, (s) => hmacHex(s, prefix, body), sigs);
  if (index < 0) return { status: 'invalid', header: name, reason: 'mismatch' };
  const windowSeconds = clock.windowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS;
  const ageSeconds = Math.floor(clock.now.getTime() / 1000) - Number(t);
  if (!(Math.abs(ageSeconds) <= windowSeconds)) return { status: 'stale', header: name, ageSeconds, windowSeconds };
  return { status: 'ok', header: name, secretIndex: index };
}

/** Verifies a request for `provider`; `headers` must have lowercase names (see normalizeHeaders). */
export function verifyWebhook(
  provider: CiProvider,
  rawBody: Body,
  headers: ReadonlyMap<string, string>,
  secrets: readonly string[],
  clock: { now: Date; windowSeconds?: number },
): VerifyResult {
  const header = headers.get(SIGNATURE_HEADERS[provider]);
  switch (provider) {
    case 'github':
      return verifyGitHub(rawBody, header, secrets);
    case 'gitlab':
      return verifyGitLab(header, secrets);
    case 'jenkins':
      return verifyJenkins(header, secrets);
    case 'circleci':
      return verifyCircleCI(rawBody, header, secrets);
    case 'generic':
      return verifyGeneric(rawBody, header, secrets, clock);
  }
}
