import * as z from 'zod';
import type { CiEvent } from '../../events/ci.js';
import {
  DEFAULT_INCIDENT_ENVIRONMENT,
  DEFAULT_INCIDENT_LABEL,
  NonEmpty,
  Sha,
  Timestamp,
  changePushed,
  check,
  deploymentFinished,
  findRule,
  ignored,
  incidentOpened,
  incidentResolved,
  leadTimeStart,
  lookup,
  missingHeader,
  resolveService,
  type Envelope,
  type ParseInput,
  type ParseOutcome,
} from './shared.js';

/**
 * GitLab project / group webhooks (docs.gitlab.com "Webhook events"). `X-Gitlab-Event` names the hook.
 * Dedupe key: `Idempotency-Key` (stable across retries), else `X-Gitlab-Webhook-UUID`, else
 * `X-Gitlab-Event-UUID`, else (old GitLab versions) `sha256:<raw body digest>`.
 *
 *  Push Hook (branch)          → Change Pushed per listed commit; commitCount = total_commits_count
 *                                (GitLab lists at most the newest 20 commits). GitLab sends no push time,
 *                                so pushedAt is the receipt time. checkout_sha is only used when listed.
 *  Merge Request Hook, merge   → Change Pushed (via 'merge') for merge_commit_sha ?? squash_commit_sha ??
 *                                last_commit.id; committedAt = earlier of last_commit.timestamp and the
 *                                MR's created_at (GitLab lists no other commit). commitCount is not sent: 1.
 *  Pipeline Hook success|failed→ Deployment Finished when a `gitlab.deployPipelines` rule names the
 *                                pipeline (object_attributes.name, GitLab ≥ 16.1).
 *  Deployment Hook success|failed → Deployment Finished (running / canceled ignored).
 *  (Confidential) Issue Hook   → incidents: type "Incident" or the incident label; open / label added →
 *                                Incident Opened, close → Incident Resolved.
 * Timestamps keep their offsets: "2021-04-28 21:50:00 +0200" is 19:50:00Z (see time.ts).
 */

const Project = z.looseObject({ path_with_namespace: NonEmpty });
const Commit = z.looseObject({ id: Sha, timestamp: Timestamp });
const Label = z.looseObject({ title: z.string() });

const PushPayload = z.looseObject({
  ref: z.string(),
  after: z.string(),
  checkout_sha: z.string().nullable().optional(),
  project: Project,
  commits: z.array(Commit),
  total_commits_count: z.number().int().min(0),
});

const MergeRequestAction = z.looseObject({ object_attributes: z.looseObject({ action: z.string().optional() }) });
const MergedMergeRequest = z.looseObject({
  project: Project,
  object_attributes: z.looseObject({
    iid: z.number().int().min(0),
    target_branch: NonEmpty,
    created_at: Timestamp,
    updated_at: Timestamp.nullable().optional(),
    merged_at: Timestamp.nullable().optional(),
    merge_commit_sha: Sha.nullable().optional(),
    squash_commit_sha: Sha.nullable().optional(),
    last_commit: Commit.nullable().optional(),
  }),
});

const PipelinePayload = z.looseObject({
  project: Project,
  object_attributes: z.looseObject({
    id: z.number().int(),
    name: z.string().nullable().optional(),
    ref: z.string(),
    sha: Sha,
    status: z.string(),
    created_at: Timestamp.nullable().optional(),
    finished_at: Timestamp.nullable().optional(),
  }),
});

const DeploymentPayload = z.looseObject({
  project: Project,
  status: z.string(),
  status_changed_at: Timestamp.optional(),
  deployment_id: z.number().int(),
  environment: NonEmpty,
  short_sha: Sha.optional(),
  commit_url: z.string().optional(),
});

const IssuePayload = z.looseObject({
  project: Project,
  labels: z.array(Label).optional(),
  object_attributes: z.looseObject({
    iid: z.number().int().min(0),
    action: z.string().optional(),
    state: z.string().optional(),
    type: z.string().optional(),
    issue_type: z.string().optional(),
    created_at: Timestamp,
    updated_at: Timestamp.nullable().optional(),
    closed_at: Timestamp.nullable().optional(),
    labels: z.array(Label).optional(),
  }),
  changes: z
    .looseObject({
      labels: z.looseObject({ previous: z.array(Label).optional(), current: z.array(Label).optional() }).optional(),
    })
    .optional(),
});

const PIPELINE_STATUS = { success: 'success', failed: 'failure' } as const;
const DEPLOYMENT_STATUS = { success: 'success', failed: 'failure' } as const;

type Handler = (input: ParseInput, env: Envelope) => ParseOutcome;
const events = (env: Envelope, list: CiEvent[]): ParseOutcome => ({ kind: 'events', deliveryId: env.deliveryId, events: list });

const push: Handler = (input, env) => {
  const c = check(PushPayload, input.payload, 'GitLab Push Hook');
  if (!c.ok) return c.outcome;
  const p = c.data;
  if (/^0+$/.test(p.after)) return ignored('push deleted the branch', env.deliveryId);
  if (!p.ref.startsWith('refs/heads/')) return ignored(`push to ${p.ref} is not a branch push`, env.deliveryId);
  if (p.commits.length === 0) return ignored('push carries no new commits', env.deliveryId);
  const repository = p.project.path_with_namespace;
  const seen = new Set<string>();
  const list = p.commits
    .filter((x) => !seen.has(x.id) && seen.add(x.id))
    .map((x) =>
      changePushed(env, {
        service: resolveService(repository, input.options.services),
        repository,
        commitSha: x.id,
        committedAt: x.timestamp,
        pushedAt: input.receivedAt,
        branch: p.ref.slice('refs/heads/'.length),
        commitCount: Math.max(p.total_commits_count, p.commits.length),
        via: 'push',
        committedAtSource: 'commit',
      }),
    );
  return events(env, list);
};

const mergeRequest: Handler = (input, env) => {
  const a = check(MergeRequestAction, input.payload, 'GitLab Merge Request Hook');
  if (!a.ok) return a.outcome;
  const action = a.data.object_attributes.action ?? 'none';
  if (action !== 'merge') return ignored(`merge request action "${action}" is not ingested`, env.deliveryId);
  const c = check(MergedMergeRequest, input.payload, 'GitLab Merge Request Hook');
  if (!c.ok) return c.outcome;
  const { project, object_attributes: mr } = c.data;
  const sha = mr.merge_commit_sha ?? mr.squash_commit_sha ?? mr.last_commit?.id;
  if (!sha) {
    return {
      kind: 'rejected',
      code: 'schema_violation',
      message: 'GitLab Merge Request Hook does not match its schema at object_attributes.merge_commit_sha: a merged MR needs a commit sha',
      path: ['object_attributes', 'merge_commit_sha'],
    };
  }
  const repository = project.path_with_namespace;
  const known = mr.last_commit ? [mr.last_commit.timestamp] : [];
  return events(env, [
    changePushed(env, {
      service: resolveService(repository, input.options.services),
      repository,
      commitSha: sha,
      ...leadTimeStart(known, mr.created_at, false),
      pushedAt: mr.merged_at ?? mr.updated_at ?? input.receivedAt,
      branch: mr.target_branch,
      commitCount: 1,
      via: 'merge',
      pullRequest: mr.iid,
    }),
  ]);
};

const pipeline: Handler = (input, env) => {
  const c = check(PipelinePayload, input.payload, 'GitLab Pipeline Hook');
  if (!c.ok) return c.outcome;
  const { project, object_attributes: run } = c.data;
  const name = run.name ?? '';
  const rule = findRule(input.options.gitlab?.deployPipelines, name, run.ref);
  if (!rule) return ignored(`pipeline "${name}" is not configured as a deployment`, env.deliveryId);
  const status = lookup(PIPELINE_STATUS, run.status);
  if (!status) return ignored(`pipeline status "${run.status}" is not a finished deployment`, env.deliveryId);
  const repository = project.path_with_namespace;
  return events(env, [
    deploymentFinished(env, {
      service: rule.service ?? resolveService(repository, input.options.services),
      environment: rule.environment,
      deploymentId: String(run.id),
      status,
      startedAt: run.created_at ?? undefined,
      finishedAt: run.finished_at ?? input.receivedAt,
      commitShas: [run.sha],
      repository,
    }),
  ]);
};

/** Full sha from `commit_url` (…/-/commit/<sha>) when present; the hook itself only has short_sha. */
function deploymentSha(commitUrl: string | undefined, shortSha: string | undefined): string[] {
  const full = commitUrl ? /\/commit\/([0-9a-fA-F]{40}|[0-9a-fA-F]{64})(?:[/?#]|$)/.exec(commitUrl)?.[1] : undefined;
  const sha = full?.toLowerCase() ?? shortSha;
  return sha ? [sha] : [];
}

const deployment: Handler = (input, env) => {
  const c = check(DeploymentPayload, input.payload, 'GitLab Deployment Hook');
  if (!c.ok) return c.outcome;
  const d = c.data;
  const status = lookup(DEPLOYMENT_STATUS, d.status);
  if (!status) return ignored(`deployment status "${d.status}" is not terminal`, env.deliveryId);
  const repository = d.project.path_with_namespace;
  return events(env, [
    deploymentFinished(env, {
      service: resolveService(repository, input.options.services),
      environment: d.environment,
      deploymentId: String(d.deployment_id),
      status,
      finishedAt: d.status_changed_at ?? input.receivedAt,
      commitShas: deploymentSha(d.commit_url, d.short_sha),
      repository,
    }),
  ]);
};

const issue: Handler = (input, env) => {
  const c = check(IssuePayload, input.payload, 'GitLab Issue Hook');
  if (!c.ok) return c.outcome;
  const { project, object_attributes: i, changes } = c.data;
  const wanted = (input.options.incidentLabel ?? DEFAULT_INCIDENT_LABEL).toLowerCase();
  const has = (labels: readonly { title: string }[] | undefined) => (labels ?? []).some((l) => l.title.toLowerCase() === wanted);
  const incident = i.type === 'Incident' || i.issue_type === 'incident' || has(c.data.labels) || has(i.labels);
  const labelAdded = changes?.labels !== undefined && has(changes.labels.current) && !has(changes.labels.previous);
  const repository = project.path_with_namespace;
  const common = {
    incidentId: `${repository}#${i.iid}`,
    service: resolveService(repository, input.options.services),
    environment: input.options.incidentEnvironment ?? DEFAULT_INCIDENT_ENVIRONMENT,
  };
  if (incident && i.action === 'open') return events(env, [incidentOpened(env, { ...common, openedAt: i.created_at })]);
  if (labelAdded && i.action === 'update' && i.state !== 'closed') {
    return events(env, [incidentOpened(env, { ...common, openedAt: i.created_at })]);
  }
  if (incident && i.action === 'close') {
    const resolvedAt = i.closed_at ?? i.updated_at ?? input.receivedAt;
    return events(env, [incidentResolved(env, { ...common, resolvedAt, openedAt: i.created_at })]);
  }
  return ignored(incident ? `incident action "${i.action ?? 'none'}" is not ingested` : 'issue is not an incident', env.deliveryId);
};

const HANDLERS: Readonly<Record<string, Handler>> = {
  'Push Hook': push,
  'Merge Request Hook': mergeRequest,
  'Pipeline Hook': pipeline,
  'Deployment Hook': deployment,
  'Issue Hook': issue,
  'Confidential Issue Hook': issue,
};

export function gitlabDeliveryId(input: ParseInput): string {
  const h = input.headers;
  return h.get('idempotency-key') || h.get('x-gitlab-webhook-uuid') || h.get('x-gitlab-event-uuid') || `sha256:${input.rawPayload.sha256}`;
}

export function parseGitLab(input: ParseInput): ParseOutcome {
  const event = input.headers.get('x-gitlab-event');
  if (!event) return missingHeader('X-Gitlab-Event');
  const deliveryId = gitlabDeliveryId(input);
  const handler = lookup(HANDLERS, event);
  if (!handler) return ignored(`GitLab event "${event}" is not ingested`, deliveryId);
  return handler(input, { provider: 'gitlab', deliveryId, input });
}
