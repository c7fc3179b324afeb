import { createHash } from 'node:crypto';
import type { CiEvent, CiProvider } from '../../events/ci.js';
import { parseCircleCI } from './circleci.js';
import { parseGeneric } from './generic.js';
import { parseGitHub } from './github.js';
import { parseGitLab } from './gitlab.js';
import { parseJenkins } from './jenkins.js';
import {
  formatPath,
  isProvider,
  jsonPointer,
  normalizeHeaders,
  type Parser,
  type RawHeaders,
  type WebhookOptions,
} from './shared.js';
import { SIGNATURE_HEADERS, verifyWebhook, type VerifyResult } from './verify.js';

/**
 * The webhook ingestion core: one pure function from an HTTP request to a response and normalized
 * events. Nothing is stored or published here; the caller stores the raw body (keyed by
 * `rawPayload.sha256` on each event), drops deliveries whose `dedupeKey` it has seen, and publishes.
 *
 * Order of checks (each failure returns at once):
 *   1. body size            > maxBodyBytes (default 1 MiB)                     → 413 payload_too_large
 *   2. Content-Type         JSON (application/json, application/*+json, UTF-8);
 *                           GitHub may also use application/x-www-form-urlencoded
 *                           with the JSON in the `payload` field               → 415 unsupported_media_type
 *   3. signature / token    checked on the raw bytes BEFORE any parsing       → 401 signature_missing |
 *                                                                               signature_invalid | signature_stale
 *   4. UTF-8 and JSON                                                         → 400 malformed_body | malformed_json
 *   5. provider headers and schema (path of the first issue in details)       → 400 missing_header | schema_violation
 *   6. ping → 200 { pong }, not ingested → 202 { ignored, reason }, else 202 { accepted, events }
 * Error bodies are `{ error: { code, message, details? } }` and never carry secrets, signatures or stacks.
 */

/** Largest body accepted by default: 1 MiB (GitHub caps payloads at 25 MB; raise it per route if needed). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface IngestRequest {
  provider: CiProvider;
  headers: RawHeaders;
  rawBody: string | Buffer;
  /** Accepted secrets / tokens for this provider, newest first; several during rotation. */
  secrets: readonly string[];
  options?: WebhookOptions;
  /** Receipt time (the generic replay window and `receivedAt` use it). */
  now: Date;
}

export type IngestStatus = 200 | 202 | 400 | 401 | 413 | 415;
export type IngestErrorCode =
  | 'unknown_provider'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'signature_missing'
  | 'signature_invalid'
  | 'signature_stale'
  | 'malformed_body'
  | 'malformed_json'
  | 'missing_header'
  | 'schema_violation';

export interface ErrorBody {
  error: { code: IngestErrorCode; message: string; details?: Record<string, unknown> };
}
export type IngestBody =
  | ErrorBody
  | { pong: true }
  | { ignored: true; reason: string }
  | { accepted: true; events: Array<{ detailType: string; detail: CiEvent['detail'] }> };

export interface IngestResult {
  status: IngestStatus;
  body: IngestBody;
  events?: CiEvent[];
  /** `<provider>:<delivery id>`; present once the request is authenticated and the id is known. */
  dedupeKey?: string;
}

const PARSERS: Readonly<Record<CiProvider, Parser>> = {
  github: parseGitHub,
  gitlab: parseGitLab,
  jenkins: parseJenkins,
  circleci: parseCircleCI,
  generic: parseGeneric,
};

const FORM = 'application/x-www-form-urlencoded';

const fail = (status: IngestStatus, code: IngestErrorCode, message: string, details?: Record<string, unknown>): IngestResult => ({
  status,
  body: { error: details ? { code, message, details } : { code, message } },
});

/** `application/json; charset=utf-8` → { type, charset }. */
function mediaType(header: string | undefined): { type: string; charset?: string } | undefined {
  if (!header) return undefined;
  const [type, ...params] = header.split(';');
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"(.*)"$/, '$1');
  return { type: (type ?? '').trim().toLowerCase(), charset };
}

function acceptedMedia(provider: CiProvider, header: string | undefined): 'json' | 'form' | undefined {
  const m = mediaType(header);
  if (!m || (m.charset !== undefined && m.charset !== 'utf-8' && m.charset !== 'utf8')) return undefined;
  if (m.type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(m.type)) return 'json';
  if (provider === 'github' && m.type === FORM) return 'form';
  return undefined;
}

function signatureMessage(v: Exclude<VerifyResult, { status: 'ok' }>): string {
  switch (v.status) {
    case 'missing':
      return `Signature header ${v.header} is missing`;
    case 'invalid':
      return `Signature in ${v.header} is not valid for this endpoint`;
    case 'stale':
      return `Signature timestamp in ${v.header} is outside the ${v.windowSeconds} s replay window`;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function ingestWebhook(req: IngestRequest): IngestResult {
  const { provider, now } = req;
  const options = req.options ?? {};
  if (!isProvider(provider)) return fail(400, 'unknown_provider', 'Unknown webhook provider');

  const headers = normalizeHeaders(req.headers);
  const body = typeof req.rawBody === 'string' ? Buffer.from(req.rawBody, 'utf8') : req.rawBody;
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  if (body.byteLength > limit) {
    return fail(413, 'payload_too_large', `Body is ${body.byteLength} bytes; the limit is ${limit} bytes`);
  }

  const media = acceptedMedia(provider, headers.get('content-type'));
  if (!media) {
    const accepted = provider === 'github' ? `application/json or ${FORM}` : 'application/json';
    return fail(415, 'unsupported_media_type', `Content-Type must be ${accepted} (UTF-8)`);
  }

  const verdict = verifyWebhook(provider, body, headers, req.secrets, { now, windowSeconds: options.replayWindowSeconds });
  if (verdict.status !== 'ok') {
    return fail(401, `signature_${verdict.status}`, signatureMessage(verdict), {
      header: SIGNATURE_HEADERS[provider],
    });
  }

  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return fail(400, 'malformed_body', 'Body is not valid UTF-8');
  }
  if (media === 'form') {
    const field = new URLSearchParams(text).get('payload');
    if (field === null) return fail(400, 'malformed_body', 'Form body has no "payload" field');
    text = field;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return fail(400, 'malformed_json', 'Body is not valid JSON');
  }

  const rawPayload = { sha256: createHash('sha256').update(body).digest('hex'), bytes: body.byteLength };
  const outcome = PARSERS[provider]({ headers, payload, receivedAt: now.toISOString(), rawPayload, options });
  const dedupeKey = 'deliveryId' in outcome && outcome.deliveryId ? `${provider}:${outcome.deliveryId}` : undefined;

  switch (outcome.kind) {
    case 'rejected': {
      const details = outcome.path ? { path: formatPath(outcome.path), pointer: jsonPointer(outcome.path) } : undefined;
      return fail(400, outcome.code, outcome.message, details);
    }
    case 'ping':
      return { status: 200, body: { pong: true }, dedupeKey };
    case 'ignored':
      return { status: 202, body: { ignored: true, reason: outcome.reason }, dedupeKey };
    case 'events': {
      // Producer-side validation (STYLE 5): a detail that fails its own schema is never handed on.
      for (const e of outcome.events) {
        const r = e.definition.schema.safeParse(e.detail);
        if (!r.success) {
          const path = r.error.issues[0]?.path ?? [];
          return fail(400, 'schema_violation', `Normalized ${e.definition.detailType} is invalid at ${formatPath(path)}`, {
            event: e.definition.detailType,
            path: formatPath(path),
            pointer: jsonPointer(path),
          });
        }
      }
      const events = outcome.events.map((e) => ({ detailType: e.definition.detailType, detail: e.detail }));
      return { status: 202, body: { accepted: true, events }, events: outcome.events, dedupeKey };
    }
  }
}
