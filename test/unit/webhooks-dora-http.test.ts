import type http from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { doraQueryOf, handleDora } from '../../functions/api/dora.js';
import { HttpError } from '../../functions/api/http-errors.js';
import { InvalidWebhookConfigError, parseWebhookOptions, parseWebhookSecrets } from '../../functions/webhooks/config.js';
import { handleWebhook, headersOf, makeWebhooksHandler, rawBodyOf } from '../../functions/webhooks/handler-factory.js';
import { localContext } from '../../functions/tasks/bindings.js';
import { toApiGatewayEvent } from '../../local/gateway.js';

const event = (over: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 => ({ version: '2.0', routeKey: 'POST /webhooks/{provider}', rawPath: '/', rawQueryString: '', headers: {}, isBase64Encoded: false, requestContext: {} as never, ...over });
const nothing = { store: { claim: async () => ({ claimed: true as const }), markPublished: async () => {} }, bus: { publish: async () => {} } };

describe('webhook requests: the exact bytes, the Jenkins token, the provider', () => {
  it('decodes a base64 body to the bytes API Gateway received; a plain body as UTF-8', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x7d]);
    expect(rawBodyOf({ body: bytes.toString('base64'), isBase64Encoded: true }).equals(bytes)).toBe(true);
    expect(rawBodyOf({ body: '{"a":"é"}', isBase64Encoded: false }).toString('utf8')).toBe('{"a":"é"}');
    expect(rawBodyOf({ isBase64Encoded: false }).byteLength).toBe(0);
  });

  it('the local gateway base64-encodes a body that is not UTF-8, and passes UTF-8 as text', () => {
    const req = { headers: { 'content-type': 'application/json' }, method: 'POST', httpVersion: '1.1', socket: {} } as unknown as http.IncomingMessage;
    const binary = toApiGatewayEvent(req, { pathname: '/webhooks/generic', search: '' }, Buffer.from([0x22, 0xc3, 0x28, 0x22]), 'POST /webhooks/{provider}', { provider: 'generic' });
    expect(binary).toMatchObject({ isBase64Encoded: true, body: Buffer.from([0x22, 0xc3, 0x28, 0x22]).toString('base64') });
    const text = toApiGatewayEvent(req, { pathname: '/webhooks/generic', search: '' }, Buffer.from('"é"'), 'POST /webhooks/{provider}', { provider: 'generic' });
    expect(text).toMatchObject({ isBase64Encoded: false, body: '"é"' });
  });

  it('copies a Jenkins ?token= into x-lumina-token only when the header is absent, and only for Jenkins', () => {
    expect(headersOf('jenkins', { headers: {}, queryStringParameters: { token: 't' } })['x-lumina-token']).toBe('t');
    expect(headersOf('jenkins', { headers: { 'x-lumina-token': 'h' }, queryStringParameters: { token: 't' } })['x-lumina-token']).toBe('h');
    expect(headersOf('github', { headers: {}, queryStringParameters: { token: 't' } })['x-lumina-token']).toBeUndefined();
  });

  it('an unknown provider is ingest\'s 400 unknown_provider', async () => {
    const r = await handleWebhook(event({ pathParameters: { provider: 'bitbucket' }, body: '{}' }), { secrets: { secretsFor: async () => [] }, ...nothing });
    expect(r.statusCode).toBe(400);
    expect(JSON.parse(r.body!)).toEqual({ error: { code: 'unknown_provider', message: 'Unknown webhook provider' } });
  });

  it('a failing secret store is a 500 that names no secret and asks for a redelivery', async () => {
    const handler = makeWebhooksHandler(() => ({ secrets: { secretsFor: async () => { throw new InvalidWebhookConfigError('secret s: github.0: must not be empty'); } }, ...nothing }));
    const r = await handler(event({ pathParameters: { provider: 'github' }, body: '{}' }), localContext('t'));
    expect(r.statusCode).toBe(500);
    expect(JSON.parse(r.body!)).toEqual({ error: { code: 'internal_error', message: 'The delivery could not be stored or published; redeliver it' } });
  });
});

describe('webhook configuration', () => {
  it('secrets: one or many per provider; errors name the path, never the value', () => {
    expect(parseWebhookSecrets('{"github":"s1","generic":["s2","s3"]}', 'x')).toEqual({ github: ['s1'], generic: ['s2', 's3'] });
    expect(() => parseWebhookSecrets('{"github":[""]}', 'file.json')).toThrow('file.json: github.0: must not be empty');
    expect(() => parseWebhookSecrets('{"bitbucket":"hunter2"}', 'f')).toThrow(/bitbucket/);
    try {
      parseWebhookSecrets('{"gitlab": 42, "github": "hunter2x"}', 'f');
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2x');
    }
    expect(() => parseWebhookSecrets('{not json', 'f')).toThrow('f is not valid JSON');
  });
  it('options: deploy rules and limits validated with their path', () => {
    expect(parseWebhookOptions('{"github":{"deployWorkflows":[{"name":"Deploy","environment":"production"}]}}', 'o')).toEqual({ github: { deployWorkflows: [{ name: 'Deploy', environment: 'production' }] } });
    expect(() => parseWebhookOptions('{"github":{"deployWorkflows":[{"name":"Deploy"}]}}', 'o')).toThrow('o: github.deployWorkflows.0.environment');
    expect(parseWebhookOptions(undefined, 'o')).toEqual({});
  });
});

describe('GET /api/dora parameters', () => {
  const today = '2026-11-22';
  it('defaults: the last 30 days ending today, weekly buckets, production, every service', () => {
    expect(doraQueryOf({}, today)).toEqual({ from: '2026-10-24', to: '2026-11-22', bucket: 'week', environment: 'production' });
  });
  it('one end given: the other is 30 days away (or today)', () => {
    expect(doraQueryOf({ to: '2026-01-31' }, today)).toMatchObject({ from: '2026-01-02', to: '2026-01-31' });
    expect(doraQueryOf({ from: '2026-11-01', service: 'checkout', team: 'shop', bucket: 'day' }, today)).toEqual({ from: '2026-11-01', to: today, bucket: 'day', environment: 'production', service: 'checkout', team: 'shop' });
  });
  it.each([
    [{ bucket: 'year' }, 'bucket'],
    [{ from: '2026-02-30' }, 'from'],
    [{ from: '2026-11-10', to: '2026-11-01' }, 'from'],
    [{ from: '2020-01-01', to: '2026-01-01' }, 'to'],
    [{ enviroment: 'prod' }, 'enviroment'],
    [{ service: '' }, 'service'],
  ])('%j → 400 InvalidQuery at %s', (params, path) => {
    try {
      doraQueryOf(params as Record<string, string>, today);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HttpError);
      expect(e).toMatchObject({ status: 400, code: 'InvalidQuery' });
      expect((e as HttpError).message.startsWith(`${path}: `)).toBe(true);
    }
  });
  it('hands the validated query to the store and answers its metrics', async () => {
    const seen: unknown[] = [];
    const r = await handleDora(event({ queryStringParameters: { service: 'demo' } }), {
      dora: { query: async (q) => (seen.push(q), { scope: { services: ['demo'], environment: 'production' } } as never) },
      clock: { now: () => new Date('2026-11-22T12:00:00Z') },
    });
    expect(seen).toEqual([{ service: 'demo', environment: 'production', bucket: 'week', from: '2026-10-24', to: '2026-11-22' }]);
    expect(r.statusCode).toBe(200);
  });
});
