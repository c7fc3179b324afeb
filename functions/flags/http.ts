import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RateLimiter } from '../../core/flags/rate-limit.js';
import type { EvaluationContext, Resolution } from '../../core/flags/model.js';
import { bulkEtag, evaluateAll, evaluateFlag, type LoadedFlags } from '../../core/flags/service.js';
import { presentedKey, type ApiKeys } from './auth.js';

/**
 * Flag evaluation over HTTP: the seed's `POST /feature-flags/evaluate` and the OpenFeature Remote
 * Evaluation Protocol (OFREP) — single, bulk with ETag/If-None-Match, configuration. One handler
 * serves both runtimes (API Gateway v2 events; the local gateway produces the same).
 */

export interface FlagSource {
  /** The flags in force: last good configuration (a failed reload keeps serving the previous one). */
  current(): Promise<LoadedFlags>;
}

export interface FlagsDeps {
  source: FlagSource;
  apiKeys: ApiKeys;
  limiter?: RateLimiter;
  nowSeconds?: () => number;
}

export const MAX_FLAGS_BODY_BYTES = 64 * 1024;

type Result = APIGatewayProxyStructuredResultV2;
const JSON_HEADERS = { 'content-type': 'application/json' };
const respond = (status: number, body?: unknown, headers: Record<string, string> = {}): Result => ({
  statusCode: status,
  headers: { ...(body === undefined ? {} : JSON_HEADERS), ...headers },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const NO_HEADERS: Record<string, string | undefined> = {};
/** API Gateway's v2 payload (and the local gateway, like node:http) delivers header names lowercased. */
const headersOf = (event: APIGatewayProxyEventV2): Record<string, string | undefined> => event.headers ?? NO_HEADERS;
const JSON_TYPE = /^application\/(.+\+)?json\b/i;
const NOT_BLANK = /\S/;

/** Parses `{ context }` (OFREP) or the whole body; an absent body or context is an empty context. */
function parseBody(event: APIGatewayProxyEventV2, headers: Record<string, string | undefined>): Record<string, unknown> {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  // A UTF-8 character is at most 3 bytes per UTF-16 code unit: only long strings need counting.
  if (raw.length * 3 > MAX_FLAGS_BODY_BYTES && Buffer.byteLength(raw) > MAX_FLAGS_BODY_BYTES) throw new RequestError(413, 'PAYLOAD_TOO_LARGE', `request bodies are limited to ${MAX_FLAGS_BODY_BYTES} bytes`);
  if (!NOT_BLANK.test(raw)) return {};
  const type = headers['content-type'] ?? '';
  if (type && !JSON_TYPE.test(type)) throw new RequestError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send JSON with Content-Type: application/json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new RequestError(400, 'PARSE_ERROR', `request body is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new RequestError(400, 'PARSE_ERROR', 'request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function contextOf(body: Record<string, unknown>): EvaluationContext {
  const ctx = body.context;
  if (ctx === undefined || ctx === null) return {};
  if (typeof ctx !== 'object' || Array.isArray(ctx)) throw new RequestError(400, 'INVALID_CONTEXT', 'context must be a JSON object');
  const tk = (ctx as Record<string, unknown>).targetingKey;
  if (tk !== undefined && typeof tk !== 'string') throw new RequestError(400, 'INVALID_CONTEXT', 'context.targetingKey must be a string');
  return ctx as EvaluationContext;
}

/** OFREP success/failure item. A "code default" resolution (no value) omits `value`, per OFREP ADR 0006. */
export function ofrepItem(r: Resolution) {
  if (r.errorCode) return { key: r.key, errorCode: r.errorCode, errorDetails: r.errorMessage ?? r.errorCode, ...(Object.keys(r.metadata).length ? { metadata: r.metadata } : {}) };
  return {
    key: r.key,
    reason: r.reason,
    ...(r.variant !== undefined ? { variant: r.variant } : {}),
    ...(r.value !== undefined ? { value: r.value } : {}),
    metadata: r.metadata,
  };
}

type Handler = (event: APIGatewayProxyEventV2, body: Record<string, unknown>, headers: Record<string, string | undefined>, deps: FlagsDeps) => Promise<Result>;

const systemNow = () => Math.floor(Date.now() / 1000);
/** The clock as a function: flags whose rules do not use the time never read it. */
const now = (deps: FlagsDeps) => deps.nowSeconds ?? systemNow;

const routes: Record<string, Handler> = {
  'POST /feature-flags/evaluate': async (_e, body, _h, deps) => {
    const key = body.flag_key;
    if (typeof key !== 'string' || !key) throw new RequestError(400, 'INVALID_REQUEST', 'flag_key is required and must be a non-empty string');
    const context = contextOf(body);
    const { set } = await deps.source.current();
    const r = evaluateFlag(set, key, context, now(deps));
    if (r.errorCode === 'FLAG_NOT_FOUND') throw new RequestError(404, 'FLAG_NOT_FOUND', `flag ${key} does not exist`);
    const enabled = r.errorCode ? false : typeof r.value === 'boolean' ? r.value : r.reason !== 'DISABLED' && r.value !== undefined;
    return respond(200, {
      flag_key: key,
      enabled,
      variant: r.variant ?? null,
      reason: r.reason,
      timestamp: new Date().toISOString(),
      ...(r.value !== undefined ? { value: r.value } : {}),
      ...(r.errorCode ? { error_code: r.errorCode, error_message: r.errorMessage } : {}),
    });
  },

  'POST /ofrep/v1/evaluate/flags/{key}': async (e, body, _h, deps) => {
    const key = e.pathParameters?.key ?? '';
    const context = contextOf(body);
    const { set } = await deps.source.current();
    const r = evaluateFlag(set, key, context, now(deps));
    if (r.errorCode === 'FLAG_NOT_FOUND') return respond(404, ofrepItem(r));
    if (r.errorCode) return respond(400, ofrepItem(r));
    return respond(200, ofrepItem(r));
  },

  'POST /ofrep/v1/evaluate/flags': async (_e, body, headers, deps) => {
    const context = contextOf(body);
    const loaded = await deps.source.current();
    const etag = bulkEtag(loaded.version, context);
    const inm = headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) return respond(304, undefined, { etag });
    return respond(200, { flags: evaluateAll(loaded.set, context, now(deps)).map(ofrepItem) }, { etag });
  },

  'GET /ofrep/v1/configuration': async () =>
    respond(200, {
      name: 'lumina',
      capabilities: {
        cacheInvalidation: { polling: { enabled: true, minPollingIntervalMs: 30_000 } },
        flagEvaluation: { supportedTypes: ['int', 'float', 'string', 'boolean', 'object'] },
      },
    }),
};

const isOfrep = (routeKey: string) => routeKey.includes('/ofrep/');

function errorResult(routeKey: string, e: RequestError, key?: string): Result {
  if (!isOfrep(routeKey)) return respond(e.status, { error: { code: e.code, message: e.message } });
  if (e.status === 401 || e.status === 403 || e.status === 413 || e.status === 415) return respond(e.status, { errorDetails: e.message });
  return respond(e.status, { ...(key !== undefined ? { key } : {}), errorCode: e.code, errorDetails: e.message });
}

/** Dispatches on `routeKey`; auth and rate limit first, then parse, then evaluate. Never throws. */
export async function handleFlags(event: APIGatewayProxyEventV2, deps: FlagsDeps): Promise<Result> {
  const route = routes[event.routeKey];
  const key = event.routeKey.endsWith('{key}') ? event.pathParameters?.key : undefined;
  if (!route) return respond(404, { error: { code: 'RouteNotFound', message: `no route ${event.routeKey}` } });
  const headers = headersOf(event);
  try {
    const presented = presentedKey(headers);
    if (deps.apiKeys.required && !deps.apiKeys.verify(presented)) {
      throw new RequestError(401, 'UNAUTHORIZED', presented ? 'the API key is not valid' : 'an API key is required: send X-API-Key or Authorization: Bearer <key>');
    }
    if (deps.limiter) {
      const caller = presented ? `key:${presented.slice(0, 64)}` : `ip:${event.requestContext?.http?.sourceIp ?? 'unknown'}`;
      const verdict = deps.limiter.take(caller);
      if (!verdict.allowed) {
        const r = errorResult(event.routeKey, new RequestError(429, 'RATE_LIMITED', `rate limit reached; retry in ${verdict.retryAfterSeconds} s`), key);
        return { ...r, headers: { ...(r.headers as Record<string, string>), 'retry-after': String(verdict.retryAfterSeconds) } };
      }
    }
    return await route(event, parseBody(event, headers), headers, deps);
  } catch (e) {
    if (e instanceof RequestError) return errorResult(event.routeKey, e, key);
    throw e;
  }
}
