import { readFileSync, writeFileSync } from 'node:fs';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../local/runtime.js';
import { until } from '../support/wait.js';

const flagdDoc = JSON.parse(readFileSync(new URL('../fixtures/flags/flagd/e2e.flagd.json', import.meta.url), 'utf8'));
const seedDoc = JSON.parse(readFileSync(new URL('../fixtures/flags/seed/example.json', import.meta.url), 'utf8'));

let rt: Runtime;
beforeAll(async () => {
  rt = await startRuntime({ port: 0, proxyPort: 0, inMemory: true, trafficRps: 0, config: { services: {} }, log: () => undefined, flagsFile: `${process.env.TMPDIR ?? '/tmp'}/lumina-flags-${process.pid}.json` });
  rt.flags.publish(flagdDoc);
});
afterAll(async () => {
  await OpenFeature.close();
  await rt?.close();
});

const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${rt.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });

describe('OFREP over real HTTP', () => {
  it('evaluates one flag: 200 with key, value, variant, reason, metadata and application/json', async () => {
    const res = await post('/ofrep/v1/evaluate/flags/new-welcome', { context: { targetingKey: 'u1', plan: 'pro' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ key: 'new-welcome', value: true, variant: 'on', reason: 'TARGETING_MATCH' });
  });

  it('accepts a request with no body and with an empty context', async () => {
    expect((await (await post('/ofrep/v1/evaluate/flags/banner')).json()).value).toBe('#c00');
    expect((await (await post('/ofrep/v1/evaluate/flags/banner', { context: {} })).json()).reason).toBe('STATIC');
  });

  it.each([
    ['unknown flag', '/ofrep/v1/evaluate/flags/nope', { context: {} }, 404, { key: 'nope', errorCode: 'FLAG_NOT_FOUND' }],
    ['context not an object', '/ofrep/v1/evaluate/flags/banner', { context: [1, 2] }, 400, { key: 'banner', errorCode: 'INVALID_CONTEXT' }],
    ['targetingKey not a string', '/ofrep/v1/evaluate/flags/banner', { context: { targetingKey: 7 } }, 400, { errorCode: 'INVALID_CONTEXT' }],
    ['malformed JSON', '/ofrep/v1/evaluate/flags/banner', '{"context":', 400, { errorCode: 'PARSE_ERROR' }],
    ['bulk with a bad context', '/ofrep/v1/evaluate/flags', { context: 'x' }, 400, { errorCode: 'INVALID_CONTEXT' }],
  ])('%s → %i', async (_name, path, body, status, expected) => {
    const res = await post(path, body);
    expect(res.status).toBe(status);
    const json = await res.json();
    expect(json).toMatchObject(expected);
    expect(typeof json.errorDetails).toBe('string');
  });

  it('bulk: every flag, an ETag, and 304 for the same flags and context', async () => {
    const ctx = { context: { targetingKey: 'u2', plan: 'free' } };
    const first = await post('/ofrep/v1/evaluate/flags', ctx);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const body = await first.json();
    expect(body.flags.map((f: { key: string }) => f.key).sort()).toEqual(Object.keys(flagdDoc.flags).sort());
    const again = await post('/ofrep/v1/evaluate/flags', ctx, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const otherContext = await post('/ofrep/v1/evaluate/flags', { context: { targetingKey: 'u3' } }, { 'if-none-match': etag });
    expect(otherContext.status).toBe(200);
    expect(otherContext.headers.get('etag')).not.toBe(etag);
  });

  it('configuration endpoint describes the capabilities', async () => {
    const res = await fetch(`${rt.url}/ofrep/v1/configuration`);
    expect(await res.json()).toMatchObject({ name: 'lumina', capabilities: { cacheInvalidation: { polling: { enabled: true } } } });
  });
});

describe('the official OpenFeature SDK with the OFREP provider, against the local endpoint', () => {
  it('resolves boolean, string, number and object flags; reports not found, type mismatch and disabled', async () => {
    await OpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: rt.url }));
    const client = OpenFeature.getClient();
    const ctx = { targetingKey: 'user-1', plan: 'pro' };
    expect(await client.getBooleanDetails('new-welcome', false, ctx)).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH' });
    expect(await client.getBooleanValue('new-welcome', true, { targetingKey: 'user-1', plan: 'free' })).toBe(false);
    expect(await client.getStringDetails('banner', 'none', ctx)).toMatchObject({ value: '#c00', reason: 'STATIC' });
    expect(await client.getNumberValue('max-items', 0, ctx)).toBe(10);
    expect(await client.getObjectValue('checkout-config', {}, ctx)).toEqual({ steps: 3 });
    expect(await client.getStringDetails('missing', 'fallback', ctx)).toMatchObject({ value: 'fallback', errorCode: 'FLAG_NOT_FOUND', reason: 'ERROR' });
    expect(await client.getNumberDetails('banner', 42, ctx)).toMatchObject({ value: 42, errorCode: 'TYPE_MISMATCH' });
    const disabled = await client.getBooleanDetails('legacy-search', true, ctx);
    expect(disabled.value).toBe(true); // a disabled flag leaves the caller's default in force
    expect(['DISABLED', 'ERROR']).toContain(disabled.reason);
    const split = await client.getStringDetails('split', 'z', { targetingKey: 'user-1' });
    expect(['A', 'B']).toContain(split.value);
    expect(split.reason).toBe('SPLIT');
  });
});

describe('the seed endpoint and the seed format', () => {
  it('POST /feature-flags/evaluate answers {flag_key, enabled, variant, reason, timestamp}', async () => {
    rt.flags.publish(seedDoc);
    const key = Object.keys(seedDoc.flags)[0]!;
    const res = await post('/feature-flags/evaluate', { flag_key: key, context: { targetingKey: 'user-9' } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Object.keys(body)).toEqual(expect.arrayContaining(['flag_key', 'enabled', 'variant', 'reason', 'timestamp']));
    expect(body.flag_key).toBe(key);
    expect(typeof body.enabled).toBe('boolean');
    expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false);
    const missing = await post('/feature-flags/evaluate', { flag_key: 'does-not-exist', context: {} });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('FLAG_NOT_FOUND');
    const bad = await post('/feature-flags/evaluate', { context: {} });
    expect(bad.status).toBe(400);
    rt.flags.publish(flagdDoc);
  });
});

describe('flags file: hot reload, invalid edits rejected, publish validates', () => {
  it('serves an edited file, keeps serving the last good flags after an invalid edit, and says why', async () => {
    const edited = structuredClone(flagdDoc);
    edited.flags.banner.defaultVariant = 'blue';
    writeFileSync(rt.flags.file, JSON.stringify(edited));
    await until('the edit to be served', async () => ((await (await post('/ofrep/v1/evaluate/flags/banner')).json()).value === '#00c' ? true : undefined), 5000, 50);

    const broken = structuredClone(edited);
    broken.flags.banner.defaultVariant = 'green';
    writeFileSync(rt.flags.file, JSON.stringify(broken));
    await until('the invalid edit to be rejected', async () => rt.flags.lastError, 5000, 50);
    expect(rt.flags.lastError).toContain('flags.banner.defaultVariant');
    expect((await (await post('/ofrep/v1/evaluate/flags/banner')).json()).value).toBe('#00c');

    const rejected = await post('/local/flags', broken);
    expect(rejected.status).toBe(400);
    expect(JSON.stringify(await rejected.json())).toContain('flags.banner.defaultVariant');
    rt.flags.publish(flagdDoc);
  });
});

describe('API keys and rate limiting', () => {
  let guarded: Runtime;
  beforeAll(async () => {
    guarded = await startRuntime({ port: 0, proxyPort: 0, inMemory: true, trafficRps: 0, config: { services: {} }, log: () => undefined, flagApiKeys: 'k-123,k-456', flagsRateLimit: 3, flagsFile: `${process.env.TMPDIR ?? '/tmp'}/lumina-flags-g-${process.pid}.json` });
    guarded.flags.publish(flagdDoc);
  });
  afterAll(() => guarded?.close());
  const call = (headers: Record<string, string>) =>
    fetch(`${guarded.url}/ofrep/v1/evaluate/flags/banner`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

  it('401 without a key or with a wrong one; 200 with X-API-Key or a Bearer token', async () => {
    expect((await call({})).status).toBe(401);
    expect((await call({ 'x-api-key': 'k-999' })).status).toBe(401);
    expect((await call({ 'x-api-key': 'k-123' })).status).toBe(200);
    expect((await call({ authorization: 'Bearer k-456' })).status).toBe(200);
  });

  it('429 with Retry-After once a caller exceeds its rate', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const res = await call({ 'x-api-key': 'k-999-unknown-but-rate-limited-first' });
      statuses.push(res.status);
    }
    expect(statuses.every((s) => s === 401)).toBe(true); // auth first: unauthenticated callers do not consume a key's budget
    for (let i = 0; i < 6; i++) {
      const res = await call({ 'x-api-key': 'k-456' });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(6)).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});
