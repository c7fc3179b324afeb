/**
 * The HTTP API's routes, defined once: the stack creates API Gateway routes from this list and the
 * local gateway matches requests against it, producing the same `routeKey` and `pathParameters`.
 */
export const apiRoutes = [
  { method: 'GET', path: '/health', auth: 'none', handler: 'api' },
  { method: 'GET', path: '/api/openapi.json', auth: 'none', handler: 'api' },
  { method: 'GET', path: '/api/services', auth: 'iam', handler: 'api' },
  { method: 'GET', path: '/api/rollouts', auth: 'iam', handler: 'api' },
  { method: 'GET', path: '/api/rollouts/{id}', auth: 'iam', handler: 'api' },
  // promote (body {"full": true} = promote --full), pause, resume, approve, reject, abort, rollback
  { method: 'POST', path: '/api/rollouts/{id}/{command}', auth: 'iam', handler: 'api' },
  // several services at once, in dependsOn order (core/delivery/release.ts)
  { method: 'POST', path: '/api/releases', auth: 'iam', handler: 'api' },
  { method: 'GET', path: '/api/releases/{id}', auth: 'iam', handler: 'api' },
  // DORA metrics (functions/api/dora.ts): ?service=&environment=&team=&from=&to=&bucket=day|week|month
  { method: 'GET', path: '/api/dora', auth: 'iam', handler: 'api' },
  // Flag evaluation is called by applications, not operators: no IAM; optional API keys in the handler.
  { method: 'POST', path: '/feature-flags/evaluate', auth: 'none', handler: 'flags' },
  { method: 'POST', path: '/ofrep/v1/evaluate/flags/{key}', auth: 'none', handler: 'flags' },
  { method: 'POST', path: '/ofrep/v1/evaluate/flags', auth: 'none', handler: 'flags' },
  { method: 'GET', path: '/ofrep/v1/configuration', auth: 'none', handler: 'flags' },
  // CI/SCM webhooks (github, gitlab, jenkins, circleci, generic): no IAM, every delivery carries a signature or token.
  { method: 'POST', path: '/webhooks/{provider}', auth: 'none', handler: 'webhooks' },
] as const;

export type ApiRoute = (typeof apiRoutes)[number];
export type RouteKey = `${ApiRoute['method']} ${ApiRoute['path']}`;
export type HandlerName = ApiRoute['handler'];
/** Route keys served by one handler (Lambda). */
export type RouteKeyFor<H extends HandlerName> = Extract<ApiRoute, { handler: H }> extends infer R
  ? R extends ApiRoute
    ? `${R['method']} ${R['path']}`
    : never
  : never;

/** Matches a method and path against the route table; returns the route key and path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { routeKey: RouteKey; handler: ApiRoute['handler']; pathParameters: Record<string, string> } | { allowed: string[] } | null {
  const allowed: string[] = [];
  for (const route of apiRoutes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { routeKey: `${route.method} ${route.path}` as RouteKey, handler: route.handler, pathParameters: params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : null;
}

function matchPath(template: string, path: string): Record<string, string> | null {
  const t = template.split('/');
  const p = path.replace(/\/+$/, '').split('/');
  if (t.length !== p.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const got = p[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (!got) return null;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(got);
      } catch {
        return null;
      }
    } else if (seg !== got) return null;
  }
  return params;
}
