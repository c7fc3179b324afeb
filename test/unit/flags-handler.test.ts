import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { loadFlags } from '../../core/flags/service.js';
import { ApiKeys } from '../../functions/flags/auth.js';
import { makeFlagsHandler } from '../../functions/flags/handler-factory.js';
import type { FlagSource } from '../../functions/flags/http.js';
import { localContext } from '../../functions/tasks/bindings.js';

const event = (body: unknown): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'POST /ofrep/v1/evaluate/flags/{key}',
    rawPath: '/ofrep/v1/evaluate/flags/beta',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters: { key: 'beta' },
    requestContext: { http: { method: 'POST', path: '/ofrep/v1/evaluate/flags/beta', sourceIp: '127.0.0.1' } },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

const failing = (name: string): FlagSource => ({
  current: async () => {
    const e = new Error('secret internals at /var/task/index.js:1');
    e.name = name;
    throw e;
  },
});

describe('the flags Lambda handler', () => {
  it('answers 503 with OFREP general error details, no internals, while no flags could be loaded', async () => {
    const handler = makeFlagsHandler(() => ({ source: failing('FlagsUnavailableError'), apiKeys: new ApiKeys([]) }));
    const r = await handler(event({ context: {} }), localContext('lumina-flags'));
    expect(r.statusCode).toBe(503);
    expect(JSON.parse(r.body!)).toEqual({ errorDetails: 'flags are not available yet; see the service logs' });
    expect(r.body).not.toContain('/var/task');
  });

  it('answers 500 without a stack trace when evaluation fails unexpectedly', async () => {
    const handler = makeFlagsHandler(() => ({ source: failing('TypeError'), apiKeys: new ApiKeys([]) }));
    const r = await handler(event({ context: {} }), localContext('lumina-flags'));
    expect(r.statusCode).toBe(500);
    expect(r.body).not.toContain('secret internals');
  });

  it('accepts dependencies resolved asynchronously (the AWS entry refreshes API keys from Secrets Manager)', async () => {
    const loaded = loadFlags({ flags: { beta: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } } });
    const source: FlagSource = { current: async () => loaded };
    const handler = makeFlagsHandler(async () => ({ source, apiKeys: new ApiKeys(['k1']) }));
    const denied = await handler(event({ context: {} }), localContext('lumina-flags'));
    expect(denied.statusCode).toBe(401);
    const allowed = await handler({ ...event({ context: {} }), headers: { 'content-type': 'application/json', 'x-api-key': 'k1' } }, localContext('lumina-flags'));
    expect(allowed.statusCode).toBe(200);
    expect(JSON.parse(allowed.body!)).toMatchObject({ key: 'beta', value: true, reason: 'STATIC' });
  });
});
