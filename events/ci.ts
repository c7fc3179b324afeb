import * as z from 'zod';
import { defineEvent, type EventDefinition } from './define.js';

/**
 * Normalized CI/SCM events (source `lumina.ci`), produced by webhook ingestion (core/webhooks) from
 * GitHub, GitLab, Jenkins, CircleCI and our own generic webhook. One definition per detail-type;
 * every detail carries `version` (additive changes only), the provider, the provider's delivery id
 * and a reference to the raw body the ingestion layer stores for audit.
 *
 * Consumers must tolerate duplicates (the same change arrives from a push and from the merged pull
 * request; an incident can be opened by `opened` and by `labeled`): key on `repository + commitSha`,
 * `provider + deploymentId` and `incidentId`.
 */
export const CI_SOURCE = 'lumina.ci';

export const CiProvider = z.enum(['github', 'gitlab', 'jenkins', 'circleci', 'generic']);
export type CiProvider = z.infer<typeof CiProvider>;

/** An instant with an explicit offset; ingestion always writes UTC (`…Z`). */
const Instant = z.iso.datetime({ offset: true });
/** A git object id (SHA-1: 40 hex, SHA-256: 64 hex); GitLab deployment hooks may only carry a short sha. */
export const CommitSha = z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a lowercase hex commit sha');

/** The raw webhook body is stored by the ingestion layer under its sha256 (content-addressed). */
export const RawPayloadRef = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex sha256'),
  bytes: z.number().int().min(0),
});
export type RawPayloadRef = z.infer<typeof RawPayloadRef>;

const Base = z.object({
  version: z.literal('1'),
  provider: CiProvider,
  /** The provider's delivery / event id (GitHub X-GitHub-Delivery, GitLab Idempotency-Key, CircleCI id…). */
  deliveryId: z.string().min(1),
  receivedAt: Instant,
  rawPayload: RawPayloadRef,
});

export const ChangePushed = defineEvent({
  source: CI_SOURCE,
  detailType: 'Change Pushed',
  version: '1',
  schema: Base.extend({
    service: z.string().min(1).optional(),
    /** owner/name (GitHub full_name, GitLab path_with_namespace). */
    repository: z.string().min(1),
    commitSha: CommitSha,
    /** Start of lead time: the commit's timestamp, or for merges the earliest known commit / PR creation. */
    committedAt: Instant,
    pushedAt: Instant,
    branch: z.string().min(1),
    /** Commits in the push (GitLab: total_commits_count, even when only 20 are listed). */
    commitCount: z.number().int().min(0),
    via: z.enum(['push', 'merge']).optional(),
    /** Where `committedAt` came from: a commit timestamp or the pull / merge request's creation. */
    committedAtSource: z.enum(['commit', 'pull_request_created']).optional(),
    pullRequest: z.number().int().min(0).optional(),
  }),
});

export const DeploymentFinished = defineEvent({
  source: CI_SOURCE,
  detailType: 'Deployment Finished',
  version: '1',
  schema: Base.extend({
    service: z.string().min(1),
    environment: z.string().min(1),
    deploymentId: z.string().min(1),
    status: z.enum(['success', 'failure', 'rolled_back']),
    startedAt: Instant.optional(),
    finishedAt: Instant,
    commitShas: z.array(CommitSha),
    repository: z.string().min(1).optional(),
    /** Rework rate: the incident this deployment fixes, when the pipeline says so. */
    fixesIncident: z.string().min(1).optional(),
    /** Rework rate: an unplanned (hotfix / remediation) deployment. */
    unplanned: z.boolean().optional(),
  }),
});

export const IncidentOpened = defineEvent({
  source: CI_SOURCE,
  detailType: 'Incident Opened',
  version: '1',
  schema: Base.extend({
    incidentId: z.string().min(1),
    service: z.string().min(1),
    environment: z.string().min(1),
    openedAt: Instant,
    deploymentId: z.string().min(1).optional(),
  }),
});

export const IncidentResolved = defineEvent({
  source: CI_SOURCE,
  detailType: 'Incident Resolved',
  version: '1',
  schema: Base.extend({
    incidentId: z.string().min(1),
    service: z.string().min(1),
    environment: z.string().min(1),
    resolvedAt: Instant,
    openedAt: Instant.optional(),
    deploymentId: z.string().min(1).optional(),
  }),
});

export const ciEvents = [ChangePushed, DeploymentFinished, IncidentOpened, IncidentResolved] as const;

export type CiEventDefinition = (typeof ciEvents)[number];
/** A detail paired with its definition; distributes over the union so each detail matches its own schema. */
export type CiEvent = CiEventDefinition extends infer D
  ? D extends EventDefinition<infer S>
    ? { definition: D; detail: z.infer<S> }
    : never
  : never;

export type ChangePushedDetail = z.infer<typeof ChangePushed.schema>;
export type DeploymentFinishedDetail = z.infer<typeof DeploymentFinished.schema>;
export type IncidentOpenedDetail = z.infer<typeof IncidentOpened.schema>;
export type IncidentResolvedDetail = z.infer<typeof IncidentResolved.schema>;
