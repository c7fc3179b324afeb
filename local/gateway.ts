import { isUtf8 } from 'node:buffer';
import http from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { matchRoute, type HandlerName } from '../functions/api/routes.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Webhook routes take what API Gateway takes (10 MB), so the handler answers size itself (ingest's 413). */
export const WEBHOOK_MAX_BODY_BYTES = 10 * 1024 * 1024;

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
export type RawHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface GatewayOptions {
  /** The Lambdas behind the HTTP API, by route handler name (functions/api/routes.ts), invoked with API Gateway v2 events. */
  handlers: Record<HandlerName, ApiHandler>;
  /** Requests with `X-Amz-Target: AWSEvents.*` go to the bus's PutEvents wire protocol. */
  eventBridge: RawHandler;
  /** Local-only routes (not part of the AWS API), by `METHOD /path`; JSON in, JSON out. */
  local?: Record<string, (body: unknown) => Promise<{ status: number; body: unknown }>>;
  /** `GET /` and `GET /ui/*`: the dashboard (local/ui.ts), when set. */
  ui?: { matches: (pathname: string) => boolean; serve: (pathname: string, res: http.ServerResponse) => Promise<void> };
  log?: (line: string) => void;
}

const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

const error = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  sendJson(res, status, { error: { code, message } }, headers);

function readBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve('too-large');
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The parts of a request target the gateway uses. */
export interface Target {
  pathname: string;
  /** `?…` or empty. */
  search: string;
}

/**
 * Splits `req.url` without `new URL()` (a measurable share of a flag evaluation's cost) when the path
 * is plain; anything a URL parser would rewrite (percent-escapes, dot segments, backslashes, an
 * absolute-form target) still goes through WHATWG URL, so routing sees the same path either way.
 */
export function parseTarget(raw: string | undefined): Target {
  const target = raw || '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (path.charCodeAt(0) === 47 /* / */ && !/%|\/\.|\\/.test(path)) return { pathname: path, search: q < 0 ? '' : target.slice(q) };
  const url = new URL(target, 'http://localhost');
  return { pathname: url.pathname, search: url.search };
}

/**
 * Resolves in the event loop's next check phase, together with every other request that became ready
 * in the same poll phase. Answering a batch of connections in one turn instead of each as its body
 * arrives cut the server's CPU per request from 33–40 µs to 21–22 µs on a bare node:http server under
 * 64 keep-alive connections (fewer loop turns and wake-ups per response; measured with autocannon and
 * process.cpuUsage, see the README's flags-http notes). Latency cost: at most one loop turn.
 */
const waiting: (() => void)[] = [];
const flush = () => {
  const ready = waiting.splice(0);
  for (const resume of ready) resume();
};
export const nextTurn = () =>
  new Promise<void>((resolve) => {
    if (waiting.push(resolve) === 1) setImmediate(flush);
  });

let requests = 0;
/** Turns a Node request into the API Gateway v2 event the Lambda receives in AWS (header names lowercased, as there). */
export function toApiGatewayEvent(req: http.IncomingMessage, target: Target, body: Buffer, routeKey: string, pathParameters: Record<string, string>): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const raw = req.headers; // node:http has lowercased the names already
  for (const k in raw) {
    const v = raw[k];
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  let query: Record<string, string> | undefined;
  if (target.search.length > 1) {
    query = {};
    for (const [k, v] of new URLSearchParams(target.search)) query[k] = k in query ? `${query[k]},${v}` : v;
  }
  const now = Date.now();
  const binary = body.length > 0 && !isUtf8(body);
  return {
    version: '2.0',
    routeKey,
    rawPath: target.pathname,
    rawQueryString: target.search.slice(1),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path: target.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: `local-${process.pid}-${++requests}`,
      routeKey,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    // As API Gateway does for binary payloads: bytes that are not UTF-8 travel base64-encoded, never re-decoded.
    ...(body.length ? { body: binary ? body.toString('base64') : body.toString('utf8') } : {}),
    isBase64Encoded: binary,
  };
}

/** One HTTP surface for the whole local system: API routes, the EventBridge endpoint, local-only helpers. */
export function createGateway(opts: GatewayOptions): http.Server {
  return http.createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      opts.log?.(`gateway error: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) error(res, 500, 'InternalError', 'internal error; see the runtime log');
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('AWSEvents.')) return opts.eventBridge(req, res);
    const url = parseTarget(req.url);
    const method = (req.method ?? 'GET').toUpperCase();
    if (opts.ui && method === 'GET' && opts.ui.matches(url.pathname)) return opts.ui.serve(url.pathname, res);
    const local = opts.local?.[`${method} ${url.pathname}`];
    const route = local ? null : matchRoute(method, url.pathname);
    if (!local && !route) return error(res, 404, 'RouteNotFound', `no route for ${method} ${url.pathname}`);
    if (route && 'allowed' in route) return error(res, 405, 'MethodNotAllowed', `${method} is not allowed on ${url.pathname}`, { allow: route.allowed.join(', ') });
    const limit = route && 'handler' in route && route.handler === 'webhooks' ? WEBHOOK_MAX_BODY_BYTES : MAX_BODY_BYTES;
    const body = await readBody(req, limit);
    if (body === 'too-large') return error(res, 413, 'PayloadTooLarge', `request bodies are limited to ${limit} bytes`);
    if (local) {
      if (body.length && !/^application\/(.+\+)?json\b/.test(req.headers['content-type'] ?? '')) {
        return error(res, 415, 'UnsupportedMediaType', 'send JSON with Content-Type: application/json');
      }
      let parsed: unknown;
      try {
        parsed = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch (e) {
        return error(res, 400, 'MalformedJson', `request body is not valid JSON: ${(e as Error).message}`);
      }
      const out = await local(parsed);
      return sendJson(res, out.status, out.body);
    }
    await nextTurn();
    const result = await opts.handlers[route!.handler](toApiGatewayEvent(req, url, body, route!.routeKey, route!.pathParameters));
    const out = result.body ?? '';
    const headers: string[] = [];
    for (const k in result.headers) if (k !== 'content-length') headers.push(k, String(result.headers[k]));
    headers.push('content-length', String(Buffer.byteLength(out)));
    res.writeHead(result.statusCode ?? 200, headers);
    res.end(out);
  }
}
