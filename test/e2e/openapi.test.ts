import { describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import { FAST_ANALYSIS as analysis, push, useRuntime } from '../support/runtime.js';
import { openApiAjv } from '../support/openapi.js';
import { until } from '../support/wait.js';

/**
 * Real responses of the local runtime validated against the document it serves at GET /api/openapi.json: each
 * body against the schema documented for its route, method and status (ajv 2020-12).
 */

const runtime = useRuntime({
  config: { services: { gated: { repository: 'gated', environment: 'local', router: { kind: 'local' }, strategy: { kind: 'canary', stages: [50, 100], stageSeconds: 1, autoPromote: false, analysis } } } },
  flagsFile: `${process.env.TMPDIR ?? '/tmp'}/lumina-openapi-flags-${process.pid}.json`,
});

type Doc = Parameters<typeof openApiAjv>[0] & { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
let doc: Doc;
let schemas: ReturnType<typeof openApiAjv>;

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${runtime().url}${path}`, {
    method,
    headers: { 'x-lumina-actor': 'ana', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
};

/** The documented schema of one response; the body must match it (ajv's errors in the failure message). */
function expectDocumented(route: string, method: string, r: { status: number; type: string | null; body: unknown }, status: number) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.type).toMatch(/^application\/json/);
  const schema = doc.paths[route]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
  expect(schema, `${method} ${route} ${status} is documented`).toBeDefined();
  const validate: ValidateFunction = schemas.compile(schema);
  const ok = validate(r.body);
  expect(ok, `${method.toUpperCase()} ${route} ${status}: ${schemas.ajv.errorsText(validate.errors)}\n${JSON.stringify(r.body)}`).toBe(true);
  return r.body as any;
}

describe('real responses match GET /api/openapi.json', () => {
  let rolloutId = '';

  it('serves the document', async () => {
    const r = await call('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    doc = r.body;
    expect(doc).toMatchObject({ openapi: '3.1.0' });
    schemas = openApiAjv(doc, false);
  });

  it('health, services, rollouts and a rollout', async () => {
    expectDocumented('/health', 'get', await call('GET', '/health'), 200);
    expectDocumented('/api/services', 'get', await call('GET', '/api/services'), 200);
    await push(runtime(), 'gated', '--tag', 'v2');
    const paused = await until('gated rollout paused', async () => {
      const r = await call('GET', '/api/rollouts?service=gated&limit=1');
      return r.body.rollouts?.[0]?.phase === 'Paused' ? r : undefined;
    }, 10_000, 100);
    rolloutId = expectDocumented('/api/rollouts', 'get', paused, 200).rollouts[0].rolloutId;
    const full = expectDocumented('/api/rollouts/{id}', 'get', await call('GET', `/api/rollouts/${rolloutId}`), 200);
    expect(full.measurements.length).toBeGreaterThan(0);
    expectDocumented('/api/services', 'get', await call('GET', '/api/services'), 200);
  });

  it('commands: a 409 that does not apply, then promote', async () => {
    const conflict = expectDocumented('/api/rollouts/{id}/{command}', 'post', await call('POST', `/api/rollouts/${rolloutId}/approve`, {}), 409);
    expect(conflict.error.code).toBe('CommandNotApplicable');
    const promoted = expectDocumented('/api/rollouts/{id}/{command}', 'post', await call('POST', `/api/rollouts/${rolloutId}/promote`, { reason: 'looks fine' }), 200);
    expect(promoted.rollout.rolloutId).toBe(rolloutId);
  });

  it('DORA metrics, an OFREP evaluation and errors', async () => {
    expectDocumented('/api/dora', 'get', await call('GET', '/api/dora?environment=local&bucket=day'), 200);
    expectDocumented('/api/dora', 'get', await call('GET', '/api/dora?bucket=year'), 400);
    const flag = expectDocumented('/ofrep/v1/evaluate/flags/{key}', 'post', await call('POST', '/ofrep/v1/evaluate/flags/new-checkout', { context: { targetingKey: 'u1' } }), 200);
    expect(flag.key).toBe('new-checkout');
    expectDocumented('/ofrep/v1/evaluate/flags/{key}', 'post', await call('POST', '/ofrep/v1/evaluate/flags/no-such-flag', { context: {} }), 404);
    expectDocumented('/api/rollouts/{id}', 'get', await call('GET', '/api/rollouts/no-such-rollout'), 404);
    // A path no route matches: the gateway's 404 has the common error shape.
    const unknown = await call('GET', '/api/no-such-route');
    expect(unknown.status).toBe(404);
    const error = schemas.component('Error');
    expect(error(unknown.body), schemas.ajv.errorsText(error.errors)).toBe(true);
  });
});
