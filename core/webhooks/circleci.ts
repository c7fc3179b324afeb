import * as z from 'zod';
import {
  NonEmpty,
  Sha,
  Timestamp,
  check,
  deploymentFinished,
  findRule,
  ignored,
  lookup,
  resolveService,
  type ParseInput,
  type ParseOutcome,
} from './shared.js';

/**
 * CircleCI outbound webhooks (circleci.com/docs "Outbound webhooks reference"): `workflow-completed`
 * and `job-completed`. The payload `id` identifies the event and is the dedupe key (CircleCI may
 * deliver an event more than once).
 *
 * A `circleci.deployWorkflows` rule `{ name: <workflow>, environment }` turns `workflow-completed` of
 * that workflow into Deployment Finished; a rule with `job` set matches that job's `job-completed`
 * instead (so a workflow's build and test jobs do not count as deploys). Status success → success,
 * failed / error → failure; canceled, unauthorized and others are ignored.
 * Repository: project.slug without its VCS prefix (gh/acme/api → acme/api); service from the rule,
 * else the repository mapping, else project.name.
 */

const CircleCIPayload = z.looseObject({
  id: NonEmpty,
  type: NonEmpty,
  happened_at: Timestamp,
  project: z.looseObject({ slug: NonEmpty, name: NonEmpty }),
  pipeline: z
    .looseObject({
      vcs: z.looseObject({ revision: Sha.optional(), branch: z.string().nullable().optional() }).optional(),
    })
    .optional(),
  workflow: z.looseObject({
    id: NonEmpty,
    name: NonEmpty,
    status: z.string().nullable().optional(),
    created_at: Timestamp.optional(),
    stopped_at: Timestamp.nullable().optional(),
  }),
  job: z
    .looseObject({
      id: NonEmpty,
      name: NonEmpty,
      status: z.string().nullable().optional(),
      started_at: Timestamp.nullable().optional(),
      stopped_at: Timestamp.nullable().optional(),
    })
    .optional(),
});

const Envelope = z.looseObject({ id: NonEmpty, type: NonEmpty });
const STATUS = { success: 'success', failed: 'failure', error: 'failure' } as const;
const TYPES = new Set(['workflow-completed', 'job-completed']);

/** gh/acme/api → acme/api; slugs with other shapes (e.g. circleci/<org-id>/<project-id>) are kept. */
export function repositoryFromSlug(slug: string): string {
  const parts = slug.split('/');
  return parts.length === 3 && ['gh', 'github', 'bb', 'bitbucket'].includes(parts[0]!) ? parts.slice(1).join('/') : slug;
}

export function parseCircleCI(input: ParseInput): ParseOutcome {
  const e = check(Envelope, input.payload, 'CircleCI webhook');
  if (!e.ok) return e.outcome;
  const deliveryId = e.data.id;
  if (!TYPES.has(e.data.type)) return ignored(`CircleCI event "${e.data.type}" is not ingested`, deliveryId);
  const c = check(CircleCIPayload, input.payload, `CircleCI ${e.data.type}`);
  if (!c.ok) return c.outcome;
  const p = c.data;
  const isJob = p.type === 'job-completed';
  const job = isJob ? p.job : undefined;
  if (isJob && !job) {
    return {
      kind: 'rejected',
      code: 'schema_violation',
      message: 'CircleCI job-completed does not match its schema at job: required',
      path: ['job'],
    };
  }
  const branch = p.pipeline?.vcs?.branch;
  const rule = findRule(input.options.circleci?.deployWorkflows, p.workflow.name, branch, job?.name);
  const what = job ? `job "${job.name}" of workflow "${p.workflow.name}"` : `workflow "${p.workflow.name}"`;
  if (!rule) return ignored(`${what} is not configured as a deployment`, deliveryId);
  const rawStatus = (job ? job.status : p.workflow.status) ?? 'none';
  const status = lookup(STATUS, rawStatus);
  if (!status) return ignored(`${what} status "${rawStatus}" is not a finished deployment`, deliveryId);

  const repository = repositoryFromSlug(p.project.slug);
  const mapped = repository.includes('/') && repository !== p.project.slug;
  const event = deploymentFinished(
    { provider: 'circleci', deliveryId, input },
    {
      service: rule.service ?? (mapped ? resolveService(repository, input.options.services) : p.project.name),
      environment: rule.environment,
      deploymentId: job ? job.id : p.workflow.id,
      status,
      startedAt: (job ? job.started_at : p.workflow.created_at) ?? undefined,
      finishedAt: (job ? job.stopped_at : p.workflow.stopped_at) ?? p.happened_at,
      commitShas: p.pipeline?.vcs?.revision ? [p.pipeline.vcs.revision] : [],
      repository,
    },
  );
  return { kind: 'events', deliveryId, events: [event] };
}
