import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { DependencyCycleError } from '../../core/config/graph.js';
import { CommandConflictError } from '../../core/delivery/control.js';
import { startRelease, type ReleaseDeps } from '../../core/delivery/release.js';
import { imageUri } from '../../core/delivery/trigger.js';
import { actorOf, parseJsonBody } from './control.js';
import { HttpError, json } from './http-errors.js';

/**
 * `POST /api/releases` — several services at once, rolled out in `dependsOn` order (independent ones in
 * parallel); body `{ "components": [{ "service": "api", "digest": "sha256:…", "tag": "v2" }], "reason": "…" }`.
 * `GET /api/releases/{id}` — its levels, each component's state and rollout.
 */

const ReleaseBody = z.strictObject({
  releaseId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  components: z
    .array(z.strictObject({ service: z.string().min(1).max(63), digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 hex>'), tag: z.string().max(128).optional() }))
    .min(1)
    .max(50),
  reason: z.string().max(500).optional(),
});

export async function handleStartRelease(event: APIGatewayProxyEventV2, deps: ReleaseDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const body = parseJsonBody(event, ReleaseBody, 64 * 1024);
  const account = event.requestContext.accountId ?? '000000000000';
  const region = process.env.AWS_REGION ?? 'us-east-1';
  try {
    const release = await startRelease(deps, {
      ...(body.releaseId ? { releaseId: body.releaseId } : {}),
      components: await Promise.all(
        body.components.map(async (c) => {
          const svc = await deps.repo.getService(c.service);
          const repository = svc?.config.repository;
          return { ...c, ...(repository ? { image: imageUri(account, region, repository, c.digest, c.tag) } : {}) };
        }),
      ),
      actor: actorOf(event),
      ...(body.reason ? { reason: body.reason } : {}),
    });
    return json(202, { release });
  } catch (e) {
    if (e instanceof CommandConflictError || e instanceof DependencyCycleError) throw new HttpError(409, 'ReleaseNotApplicable', e.message);
    throw e;
  }
}

export async function handleGetRelease(event: APIGatewayProxyEventV2, deps: Pick<ReleaseDeps, 'releases'>): Promise<APIGatewayProxyStructuredResultV2> {
  const id = event.pathParameters?.id ?? '';
  const release = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await deps.releases.getRelease(id) : null;
  if (!release) throw new HttpError(404, 'ReleaseNotFound', `no release with id ${id}`);
  return json(200, { release });
}
