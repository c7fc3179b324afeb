import http from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { matchRoute, type HandlerName } from '../functions/api/routes.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
export type RawHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface GatewayOptions {
  /** The Lambdas behind the HTTP API, by route handler name (functions/api/routes.ts), invoked with API Gateway v2 events. */
  handlers: Record<HandlerName, ApiHandler>;
  /** Requests with `X-Amz-Target: AWSEvents.*` go to the bus's PutEvents wire protocol. */
  eventBridge: RawHandler;
  /** Local-only routes (not part of the AWS API), by `METHOD /path`; JSON in, JSON out. */
  local?: Record<string, (body: unknown) => Promise<{ status: number; body: unknown }>>;
  log?: (line: string) => void;
}

const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

const error = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  sendJson(res, status, { error: { code, message } }, headers);

function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
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

let requests = 0;
/** Turns a Node request into the API Gateway v2 event the Lambda receives in AWS. */
export function toApiGatewayEvent(req: http.IncomingMessage, url: URL, body: Buffer, routeKey: string, pathParameters: Record<string, string>): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: `local-${process.pid}-${++requests}`,
      routeKey,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body.length ? { body: body.toString('utf8') } : {}),
    isBase64Encoded: false,
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
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const local = opts.local?.[`${method} ${url.pathname}`];
    const route = local ? null : matchRoute(method, url.pathname);
    if (!local && !route) return error(res, 404, 'RouteNotFound', `no route for ${method} ${url.pathname}`);
    if (route && 'allowed' in route) return error(res, 405, 'MethodNotAllowed', `${method} is not allowed on ${url.pathname}`, { allow: route.allowed.join(', ') });
    const body = await readBody(req);
    if (body === 'too-large') return error(res, 413, 'PayloadTooLarge', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
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
    const result = await opts.handlers[route!.handler](toApiGatewayEvent(req, url, body, route!.routeKey, route!.pathParameters));
    const headers: Record<string, string> = {};
    for (const k in result.headers) headers[k] = String(result.headers[k]);
    const out = result.body ?? '';
    headers['content-length'] = String(Buffer.byteLength(out));
    res.writeHead(result.statusCode ?? 200, headers);
    res.end(out);
  }
}
