import * as z from 'zod';
import type { CiEvent } from '../../events/ci.js';
import {
  DEFAULT_INCIDENT_ENVIRONMENT,
  DEFAULT_INCIDENT_LABEL,
  EpochOrTimestamp,
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
 * GitHub webhooks (docs.github.com "Webhook events and payloads"). `X-GitHub-Event` names the event,
 * `X-GitHub-Delivery` (a GUID kept across redeliveries) is the dedupe key.
 *
 *  ping                                   → answered (200)
 *  push (branch)                          → Change Pushed per listed commit, plus head_commit if unlisted
 *  pull_request closed + merged           → Change Pushed for merge_commit_sha (via 'merge')
 *  deployment_status success|failure|error→ Deployment Finished (the `deployment` event itself is ignored)
 *  workflow_run completed                 → Deployment Finished when a `github.deployWorkflows` rule matches
 *  issues opened|labeled|closed           → Incident Opened / Resolved when labelled with the incident label
 * Everything else is ignored with a reason.
 *
 * Lead time of merged pull requests: GitHub's pull_request payload carries no commit timestamps
 * (squash merges even rewrite the merge commit's time), so `committedAt` is the earliest known commit
 * time when a list is known, else the PR's `created_at` (`committedAtSource: 'pull_request_created'`).
 * The push of the same merge commit also yields a Change Pushed; consumers keep the earliest committedAt.
 */

const Repository = z.looseObject({ full_name: NonEmpty, name: NonEmpty });
const Commit = z.looseObject({ id: Sha, timestamp: Timestamp });
const Label = z.looseObject({ name: z.string() });
const Action = z.looseObject({ action: z.string() });

const PushPayload = z.looseObject({
  ref: z.string(),
  deleted: z.boolean().optional(),
  repository: z.looseObject({ full_name: NonEmpty, pushed_at: EpochOrTimestamp.nullable().optional() }),
  commits: z.array(Commit).optional(),
  head_commit: Commit.nullable().optional(),
});

const PullRequestClosed = z.looseObject({
  repository: Repository,
  pull_request: z.looseObject({ merged: z.boolean().nullable().optional() }),
});
const PullRequestMerged = z.looseObject({
  repository: Repository,
  pull_request: z.looseObject({
    number: z.number().int().min(0),
    created_at: Timestamp,
    merged_at: Timestamp,
    merge_commit_sha: Sha,
    commits: z.number().int().min(0).optional(),
    base: z.looseObject({ ref: NonEmpty }),
  }),
});

/** Optional hints a deployer may put in the deployment's free-form `payload` object. */
const DeploymentHints = z.looseObject({
  service: NonEmpty.optional(),
  unplanned: z.boolean().optional(),
  fixesIncident: NonEmpty.optional(),
});
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const DeploymentStatusPayload = z.looseObject({
  repository: Repository,
  deployment_status: z.looseObject({
    state: z.string(),
    environment: NonEmpty.optional(),
    created_at: Timestamp,
    updated_at: Timestamp.optional(),
  }),
  deployment: z.looseObject({
    id: z.number().int(),
    sha: Sha,
    environment: NonEmpty,
    created_at: Timestamp,
    payload: z.preprocess((v) => (isObject(v) ? v : {}), DeploymentHints),
  }),
});

const WorkflowRunPayload = z.looseObject({
  repository: Repository,
  workflow: z.looseObject({ name: z.string() }).nullable().optional(),
  workflow_run: z.looseObject({
    id: z.number().int(),
    name: z.string().nullable().optional(),
    head_sha: Sha,
    head_branch: z.string().nullable().optional(),
    conclusion: z.string().nullable().optional(),
    run_attempt: z.number().int().min(1).optional(),
    created_at: Timestamp,
    run_started_at: Timestamp.optional(),
    updated_at: Timestamp,
  }),
});

const IssuesPayload = z.looseObject({
  action: z.string(),
  repository: Repository,
  label: Label.optional(),
  issue: z.looseObject({
    number: z.number().int().min(0),
    state: z.string().optional(),
    created_at: Timestamp,
    updated_at: Timestamp.optional(),
    closed_at: Timestamp.nullable().optional(),
    labels: z.array(Label).optional(),
  }),
});

const DEPLOYMENT_STATUS = { success: 'success', failure: 'failure', error: 'failure' } as const;
const WORKFLOW_CONCLUSION = { success: 'success', failure: 'failure', timed_out: 'failure' } as const;

type Handler = (input: ParseInput, env: Envelope) => ParseOutcome;

const push: Handler = (input, env) => {
  const c = check(PushPayload, input.payload, 'GitHub push');
  if (!c.ok) return c.outcome;
  const p = c.data;
  if (p.deleted) return ignored('push deleted the branch', env.deliveryId);
  if (!p.ref.startsWith('refs/heads/')) return ignored(`push to ${p.ref} is not a branch push`, env.deliveryId);
  const commits = [...(p.commits ?? [])];
  if (p.head_commit && !commits.some((x) => x.id === p.head_commit!.id)) commits.push(p.head_commit);
  if (commits.length === 0) return ignored('push carries no commits', env.deliveryId);
  const repository = p.repository.full_name;
  const common = {
    service: resolveService(repository, input.options.services),
    repository,
    pushedAt: p.repository.pushed_at ?? input.receivedAt,
    branch: p.ref.slice('refs/heads/'.length),
    commitCount: p.commits?.length ?? 0,
    via: 'push' as const,
    committedAtSource: 'commit' as const,
  };
  const seen = new Set<string>();
  const events = commits
    .filter((x) => !seen.has(x.id) && seen.add(x.id))
    .map((x) => changePushed(env, { ...common, commitSha: x.id, committedAt: x.timestamp }));
  return { kind: 'events', deliveryId: env.deliveryId, events };
};

const pullRequest: Handler = (input, env) => {
  const a = check(Action, input.payload, 'GitHub pull_request');
  if (!a.ok) return a.outcome;
  if (a.data.action !== 'closed') return ignored(`pull_request action "${a.data.action}" is not ingested`, env.deliveryId);
  const closed = check(PullRequestClosed, input.payload, 'GitHub pull_request');
  if (!closed.ok) return closed.outcome;
  if (closed.data.pull_request.merged !== true) return ignored('pull request closed without merging', env.deliveryId);
  const m = check(PullRequestMerged, input.payload, 'GitHub merged pull_request');
  if (!m.ok) return m.outcome;
  const { repository, pull_request: pr } = m.data;
  const event = changePushed(env, {
    service: resolveService(repository.full_name, input.options.services),
    repository: repository.full_name,
    commitSha: pr.merge_commit_sha,
    ...leadTimeStart([], pr.created_at, false),
    pushedAt: pr.merged_at,
    branch: pr.base.ref,
    commitCount: pr.commits ?? 1,
    via: 'merge',
    pullRequest: pr.number,
  });
  return { kind: 'events', deliveryId: env.deliveryId, events: [event] };
};

const deploymentStatus: Handler = (input, env) => {
  const c = check(DeploymentStatusPayload, input.payload, 'GitHub deployment_status');
  if (!c.ok) return c.outcome;
  const { deployment: d, deployment_status: s, repository } = c.data;
  const status = lookup(DEPLOYMENT_STATUS, s.state);
  if (!status) return ignored(`deployment_status state "${s.state}" is not terminal`, env.deliveryId);
  const event = deploymentFinished(env, {
    service: d.payload.service ?? resolveService(repository.full_name, input.options.services),
    environment: s.environment ?? d.environment,
    deploymentId: String(d.id),
    status,
    startedAt: d.created_at,
    finishedAt: s.updated_at ?? s.created_at,
    commitShas: [d.sha],
    repository: repository.full_name,
    fixesIncident: d.payload.fixesIncident,
    unplanned: d.payload.unplanned,
  });
  return { kind: 'events', deliveryId: env.deliveryId, events: [event] };
};

const workflowRun: Handler = (input, env) => {
  const a = check(Action, input.payload, 'GitHub workflow_run');
  if (!a.ok) return a.outcome;
  if (a.data.action !== 'completed') return ignored(`workflow_run action "${a.data.action}" is not ingested`, env.deliveryId);
  const c = check(WorkflowRunPayload, input.payload, 'GitHub workflow_run');
  if (!c.ok) return c.outcome;
  const { workflow_run: run, workflow, repository } = c.data;
  const name = run.name || workflow?.name || '';
  const rule = findRule(input.options.github?.deployWorkflows, name, run.head_branch);
  if (!rule) return ignored(`workflow "${name}" is not configured as a deployment`, env.deliveryId);
  const conclusion = run.conclusion ?? 'none';
  const status = lookup(WORKFLOW_CONCLUSION, conclusion);
  if (!status) return ignored(`workflow_run conclusion "${conclusion}" is not a finished deployment`, env.deliveryId);
  const event = deploymentFinished(env, {
    service: rule.service ?? resolveService(repository.full_name, input.options.services),
    environment: rule.environment,
    deploymentId: `${run.id}-${run.run_attempt ?? 1}`,
    status,
    startedAt: run.run_started_at ?? run.created_at,
    finishedAt: run.updated_at,
    commitShas: [run.head_sha],
    repository: repository.full_name,
  });
  return { kind: 'events', deliveryId: env.deliveryId, events: [event] };
};

const issues: Handler = (input, env) => {
  const a = check(Action, input.payload, 'GitHub issues');
  if (!a.ok) return a.outcome;
  if (!['opened', 'labeled', 'closed'].includes(a.data.action)) {
    return ignored(`issues action "${a.data.action}" is not ingested`, env.deliveryId);
  }
  const c = check(IssuesPayload, input.payload, 'GitHub issues');
  if (!c.ok) return c.outcome;
  const { issue, repository, label, action } = c.data;
  const wanted = (input.options.incidentLabel ?? DEFAULT_INCIDENT_LABEL).toLowerCase();
  const isIncidentLabel = (l: { name: string } | undefined) => l !== undefined && l.name.toLowerCase() === wanted;
  const labelled = (issue.labels ?? []).some(isIncidentLabel);
  const common = {
    incidentId: `${repository.full_name}#${issue.number}`,
    service: resolveService(repository.full_name, input.options.services),
    environment: input.options.incidentEnvironment ?? DEFAULT_INCIDENT_ENVIRONMENT,
  };
  let event: CiEvent | undefined;
  if (action === 'opened' && labelled) event = incidentOpened(env, { ...common, openedAt: issue.created_at });
  if (action === 'labeled' && isIncidentLabel(label) && issue.state !== 'closed') {
    event = incidentOpened(env, { ...common, openedAt: issue.created_at });
  }
  if (action === 'closed' && labelled) {
    const resolvedAt = issue.closed_at ?? issue.updated_at ?? input.receivedAt;
    event = incidentResolved(env, { ...common, resolvedAt, openedAt: issue.created_at });
  }
  if (!event) return ignored(`issue is not labelled "${wanted}"`, env.deliveryId);
  return { kind: 'events', deliveryId: env.deliveryId, events: [event] };
};

const HANDLERS: Readonly<Record<string, Handler>> = {
  push,
  pull_request: pullRequest,
  deployment_status: deploymentStatus,
  workflow_run: workflowRun,
  issues,
  deployment: (_input, env) => ignored('deployment created; Deployment Finished comes from deployment_status', env.deliveryId),
};

export function parseGitHub(input: ParseInput): ParseOutcome {
  const event = input.headers.get('x-github-event');
  if (!event) return missingHeader('X-GitHub-Event');
  const deliveryId = input.headers.get('x-github-delivery');
  if (!deliveryId) return missingHeader('X-GitHub-Delivery');
  if (event === 'ping') return { kind: 'ping', deliveryId };
  const handler = lookup(HANDLERS, event);
  if (!handler) return ignored(`GitHub event "${event}" is not ingested`, deliveryId);
  return handler(input, { provider: 'github', deliveryId, input });
}
