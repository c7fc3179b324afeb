import { describe, expect, it } from 'vitest';
import { openApiDocument as doc } from '../../functions/api/openapi.js';
import { apiRoutes } from '../../functions/api/routes.js';
import { openApiAjv } from '../support/openapi.js';

type Operation = { parameters?: { name: string; in: string; schema: unknown }[]; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
const paths = doc.paths as Record<string, Record<string, Operation>>;
const operations = Object.entries(paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, op })));

describe('the OpenAPI document (GET /api/openapi.json)', () => {
  it('describes exactly the routes of functions/api/routes.ts', () => {
    expect(operations.map((o) => o.key).sort()).toEqual(apiRoutes.map((r) => `${r.method} ${r.path}`).sort());
    expect(doc.openapi).toBe('3.1.0');
  });

  it('declares every path parameter of every route, and IAM security exactly on the IAM routes', () => {
    for (const route of apiRoutes) {
      const op = paths[route.path]![route.method.toLowerCase()]! as Operation & { security?: unknown };
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared, route.path).toEqual([...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
      expect(Boolean(op.security), route.path).toBe(route.auth === 'iam');
      expect(Object.keys(op.responses).some((s) => s.startsWith('2')), route.path).toBe(true);
    }
  });

  it('every component schema compiles with ajv (2020-12, strict, formats)', () => {
    const { component } = openApiAjv(doc);
    for (const name of Object.keys(doc.components.schemas)) expect(() => component(name), name).not.toThrow();
  });

  it('every parameter, request body and response schema compiles, and its refs resolve', () => {
    const { compile } = openApiAjv(doc);
    for (const { key, op } of operations) {
      const schemas = [
        ...(op.parameters ?? []).map((p) => p.schema),
        ...Object.values(op.requestBody?.content ?? {}).map((c) => c.schema),
        ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {}).map((c) => c.schema)),
      ];
      for (const s of schemas) expect(() => compile(s), key).not.toThrow();
    }
  });

  it('the schemas can fail: the error shape rejects a body without error.code', () => {
    const { component } = openApiAjv(doc);
    const error = component('Error');
    expect(error({ error: { code: 'X', message: 'm', details: [1] } })).toBe(true);
    expect(error({ error: { message: 'm' } })).toBe(false);
    expect(component('OfrepError')({ key: 'k', errorCode: 'FLAG_NOT_FOUND', errorDetails: 'no' })).toBe(true);
  });
});
