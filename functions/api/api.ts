import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import type { RolloutRepository } from '../../core/delivery/ports.js';
import { handleCommand, type ControlDeps } from './control.js';
import { handleDora, type DoraDeps } from './dora.js';
import { HttpError, errorResult, json, presentRollout } from './http-errors.js';
import { handleGetRelease, handleStartRelease } from './releases.js';
import { openApiDocument } from './openapi.js';
import type { ReleaseRepository } from '../../core/delivery/release.js';
import type { RouteKeyFor } from './routes.js';

const ListQuery = z.object({
  // A service, or one environment of it (`<service>.<env>`, see core/config/resolve.ts targetName).
  service: z.string().regex(/^[a-z][a-z0-9-]{0,62}(\.[A-Za-z0-9][A-Za-z0-9_-]{0,62})?$/, 'must be a service name (or <service>.<environment>)'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export { HttpError, errorResult, json, presentRollout } from './http-errors.js';

/** The read routes need the repository; the command route (POST …/{command}) the rest as well. */
export interface ApiDeps extends Partial<Omit<ControlDeps, 'repo'>>, DoraDeps {
  repo: RolloutRepository;
  releases?: ReleaseRepository;
}

const releasesOf = (deps: ApiDeps): ReleaseRepository => {
  if (!deps.releases) throw new Error('the API handler was built without a release repository');
  return deps.releases;
};

const controlDeps = (deps: ApiDeps): ControlDeps => {
  const { control, executions, events, clock } = deps;
  if (!control || !executions || !events || !clock) throw new Error('the API handler was built without control dependencies');
  return { repo: deps.repo, control, executions, events, clock };
};

type Route = (event: APIGatewayProxyEventV2, deps: ApiDeps) => Promise<APIGatewayProxyStructuredResultV2>;

const routes: Record<RouteKeyFor<'api'>, Route> = {
  'GET /health': async () => json(200, { status: 'ok' }),
  'GET /api/openapi.json': async () => json(200, openApiDocument),
  'GET /api/services': async (_e, { repo }) => {
    const services = await repo.listServices();
    return json(200, {
      services: services.map((s) => ({
        name: s.name,
        repository: s.config.repository,
        environment: s.config.environment,
        stableImage: s.stableRevision?.image ?? null,
        activeRolloutId: s.activeRolloutId,
        configVersion: s.configVersion,
      })),
    });
  },
  'GET /api/rollouts': async (event, { repo }) => {
    const q = ListQuery.safeParse(event.queryStringParameters ?? {});
    if (!q.success) {
      const i = q.error.issues[0]!;
      throw new HttpError(400, 'InvalidQuery', `${i.path.join('.')}: ${i.message}`, q.error.issues.map((x) => ({ path: x.path.join('.'), message: x.message })));
    }
    const service = await repo.getService(q.data.service);
    if (!service) {
      const known = (await repo.listServices()).map((s) => s.name);
      throw new HttpError(404, 'ServiceNotFound', `no service named ${q.data.service}; known services: ${known.join(', ') || '(none)'}`, { known });
    }
    const rollouts = await repo.listRollouts({ service: q.data.service, limit: q.data.limit });
    return json(200, { rollouts: rollouts.map((r) => presentRollout(r)) });
  },
  'GET /api/rollouts/{id}': async (event, { repo }) => {
    const id = event.pathParameters?.id ?? '';
    if (!/^[A-Za-z0-9._~-]{1,200}$/.test(id)) throw new HttpError(400, 'InvalidRolloutId', 'rollout ids are 1-200 characters of letters, digits, . _ ~ -');
    const rollout = await repo.getRollout(id);
    if (!rollout) throw new HttpError(404, 'RolloutNotFound', `no rollout with id ${id}`);
    const measurements = await repo.listMeasurements(id);
    return json(200, { ...presentRollout(rollout, true), measurements });
  },
  'POST /api/rollouts/{id}/{command}': async (event, deps) => handleCommand(event, controlDeps(deps)),
  'POST /api/releases': async (event, deps) => handleStartRelease(event, { ...controlDeps(deps), releases: releasesOf(deps) }),
  'GET /api/releases/{id}': async (event, deps) => handleGetRelease(event, { releases: releasesOf(deps) }),
  'GET /api/dora': async (event, deps) => handleDora(event, deps),
};

/** Dispatches on API Gateway's routeKey (the local gateway sets the same). */
export async function handleApi(event: APIGatewayProxyEventV2, deps: ApiDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const route = (routes as Record<string, Route | undefined>)[event.routeKey];
  try {
    if (!route) throw new HttpError(404, 'RouteNotFound', `no route ${event.routeKey}`);
    return await route(event, deps);
  } catch (e) {
    if (e instanceof HttpError) return errorResult(e);
    throw e;
  }
}
