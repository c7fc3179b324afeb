import * as z from 'zod';
import type { ChangePushedDetail, CiEvent, CiProvider, DeploymentFinishedDetail, IncidentOpenedDetail, IncidentResolvedDetail } from '../../events/ci.js';
import type { RolloutFailed, RolloutSucceeded } from '../../events/delivery.js';
import type { RolloutView } from '../delivery/ports.js';
import { repositoryName } from '../webhooks/shared.js';
import type { DoraRecordInput } from './records.js';

/**
 * Events → DORA records (records.ts). Pure: the recorder (core/dora/recorder.ts) reads what these need and
 * hands it in. Field names differ between the `lumina.ci` contracts and the records:
 *
 * | lumina.ci                                   | DORA record                                           |
 * |---------------------------------------------|-------------------------------------------------------|
 * | Change Pushed `service?`                    | `service` (default: repository name after the last /) |
 * | Change Pushed `pullRequest` (number)        | `pullRequest` (string)                                |
 * | Deployment Finished `deploymentId`          | `deploymentId` = `<provider>:<id>` (generic: `<id>`)  |
 * | Deployment Finished `fixesIncident`         | `fixesIncidentId`                                     |
 * | Incident Opened/Resolved `deploymentId`     | `causedByDeploymentId` (verbatim: name the id as Lumina stores it) |
 * | Incident Resolved `openedAt?`               | `openedAt` (default: `resolvedAt`; the earliest opening wins on merge) |
 *
 * Our rollouts are deployments whose id is the rollout id: Rollout Succeeded → `success`; Rollout Failed →
 * `rolledBack` → `rolled_back`, `failed` → `failure`, `aborted` → see `rolloutOutcome`.
 */

/**
 * CI deployment ids are unique per provider only (a GitHub deployment 42 and a GitLab deployment 42 are not the
 * same), so they are namespaced by provider — except the generic webhook's, which are the sender's own ids and
 * are what a generic incident names in `deploymentId`.
 */
export const ciDeploymentId = (provider: CiProvider, id: string): string => (provider === 'generic' ? id : `${provider}:${id}`);

/** The records one normalized CI event makes (its detail already validated against its definition). */
export function recordsFromCi(event: CiEvent): DoraRecordInput[] {
  // CiEvent pairs each detail with its own definition; detail-types are plain strings, hence the narrowing casts.
  switch (event.definition.detailType) {
    case 'Change Pushed': {
      const d = event.detail as ChangePushedDetail;
      return [
        {
          kind: 'change',
          service: d.service ?? repositoryName(d.repository),
          commitSha: d.commitSha,
          committedAt: d.committedAt,
          ...(d.pullRequest !== undefined ? { pullRequest: String(d.pullRequest) } : {}),
        },
      ];
    }
    case 'Deployment Finished': {
      const d = event.detail as DeploymentFinishedDetail;
      return [
        {
          kind: 'deployment',
          service: d.service,
          environment: d.environment,
          deploymentId: ciDeploymentId(d.provider, d.deploymentId),
          status: d.status,
          ...(d.startedAt ? { startedAt: d.startedAt } : {}),
          finishedAt: d.finishedAt,
          commitShas: d.commitShas,
          ...(d.unplanned !== undefined ? { unplanned: d.unplanned } : {}),
          ...(d.fixesIncident ? { fixesIncidentId: d.fixesIncident } : {}),
        },
      ];
    }
    case 'Incident Opened': {
      const d = event.detail as IncidentOpenedDetail;
      return [{ kind: 'incident', incidentId: d.incidentId, service: d.service, environment: d.environment, openedAt: d.openedAt, ...(d.deploymentId ? { causedByDeploymentId: d.deploymentId } : {}) }];
    }
    case 'Incident Resolved': {
      const d = event.detail as IncidentResolvedDetail;
      return [
        {
          kind: 'incident',
          incidentId: d.incidentId,
          service: d.service,
          environment: d.environment,
          openedAt: d.openedAt ?? d.resolvedAt,
          resolvedAt: d.resolvedAt,
          ...(d.deploymentId ? { causedByDeploymentId: d.deploymentId } : {}),
        },
      ];
    }
    default:
      return [];
  }
}

/** A commit sha carried by an image tag: `<sha>`, `sha-<sha>` or `git-<sha>` (7–64 hex). Tag images with the full sha for lead time. */
export function commitShaOfImage(image: string): string | undefined {
  const ref = image.split('@')[0] ?? '';
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  if (colon < 0) return undefined;
  const m = /^(?:sha-|git-)?([0-9a-fA-F]{7,64})$/.exec(last.slice(colon + 1));
  return m?.[1]?.toLowerCase();
}

type SucceededDetail = z.infer<typeof RolloutSucceeded.schema>;
type FailedDetail = z.infer<typeof RolloutFailed.schema>;
export type RolloutEnd = { detailType: 'Rollout Succeeded'; detail: SucceededDetail } | { detailType: 'Rollout Failed'; detail: FailedDetail };

export interface RolloutOutcome {
  /** Records to store (none when the rollout is not a deployment: superseded, or aborted before taking traffic). */
  records: DoraRecordInput[];
  /** Why nothing is recorded. */
  skipped?: string;
  /** What the CloudWatch metrics of this deployment are made of. */
  deployment?: { status: 'success' | 'failure' | 'rolled_back'; durationMinutes: number; commitShas: string[]; finishedAt: string };
  rollback?: { kind: 'auto' | 'manual'; minutes?: number };
}

const minutesBetween = (from: string | undefined, to: string | undefined): number | undefined => {
  const a = from ? Date.parse(from) : NaN;
  const b = to ? Date.parse(to) : NaN;
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? (b - a) / 60_000 : undefined;
};
const auditAt = (r: RolloutView | null, action: string) => [...(r?.audit ?? [])].reverse().find((a) => a.action === action)?.at;
/** A person (or the API) asked for the abort; a newer push aborts with the actor `event:<ECR event id>`. */
const supersededBy = (r: RolloutView | null) => (r?.status.abort.by?.startsWith('event:') ? r.status.abort.reason ?? 'superseded by a newer push' : undefined);
const tookTraffic = (r: RolloutView | null) => !r || r.audit.some((a) => a.action === 'weight.set' && Number((a.data as { to?: unknown } | undefined)?.to ?? 0) > 0);

/**
 * A rollout's end → DORA records.
 *
 * - Succeeded → a `success` deployment (id = rollout id; started at the rollout's creation; the image tag's
 *   commit sha, if it is one). A rollout started by the `rollback` command is a manual rollback: it is itself a
 *   (successful, unplanned) deployment, and the rollout it rolled back is re-recorded as `rolled_back` at its
 *   own finish — the store's merge keeps the most severe status, so that earlier success now counts as failed.
 * - Failed `rolledBack` → `rolled_back` (an automatic rollback); `failed` → `failure`.
 * - Failed `aborted`: superseded by a newer push (abort actor `event:…`) → not a deployment, nothing recorded
 *   (the newer rollout is the deployment that counts); aborted by a person after the canary took traffic →
 *   `failure` and a manual rollback (someone judged the change bad and traffic was restored); aborted before any
 *   traffic reached the canary → nothing recorded (it never reached production).
 */
export function rolloutOutcome(event: RolloutEnd, rollout: RolloutView | null, rolledBackSource: RolloutView | null = null): RolloutOutcome {
  const d = event.detail;
  const sha = commitShaOfImage(rollout?.revision.image ?? d.image);
  const commitShas = sha ? [sha] : [];
  const startedAt = rollout?.createdAt ?? new Date(Date.parse(d.at) - d.durationSeconds * 1000).toISOString();
  const durationMinutes = d.durationSeconds / 60;
  const base = { kind: 'deployment' as const, service: d.service, environment: d.environment, deploymentId: d.rolloutId, startedAt, finishedAt: d.at, commitShas };

  if (event.detailType === 'Rollout Succeeded') {
    const manual = rollout?.trigger.kind === 'rollback';
    const records: DoraRecordInput[] = [{ ...base, status: 'success', ...(manual ? { unplanned: true } : {}) }];
    const sourceFinished = rolledBackSource?.status.completedAt;
    if (manual && rolledBackSource && sourceFinished && rolledBackSource.status.outcome === 'succeeded') {
      const sourceSha = commitShaOfImage(rolledBackSource.revision.image);
      records.push({
        kind: 'deployment',
        service: rolledBackSource.service,
        environment: rolledBackSource.environment,
        deploymentId: rolledBackSource.rolloutId,
        status: 'rolled_back',
        startedAt: rolledBackSource.createdAt,
        finishedAt: sourceFinished,
        commitShas: sourceSha ? [sourceSha] : [],
      });
    }
    return {
      records,
      deployment: { status: 'success', durationMinutes, commitShas, finishedAt: d.at },
      ...(manual ? { rollback: { kind: 'manual' as const, minutes: durationMinutes } } : {}),
    };
  }

  const outcome = (event.detail as FailedDetail).outcome;
  if (outcome === 'aborted') {
    const superseded = supersededBy(rollout);
    if (superseded) return { records: [], skipped: `aborted: ${superseded}` };
    if (!tookTraffic(rollout)) return { records: [], skipped: 'aborted before the canary took any traffic' };
    const minutes = minutesBetween(rollout?.status.abort.at, auditAt(rollout, 'rollout.aborted') ?? d.at);
    return {
      records: [{ ...base, status: 'failure' }],
      deployment: { status: 'failure', durationMinutes, commitShas, finishedAt: d.at },
      rollback: { kind: 'manual', ...(minutes !== undefined ? { minutes } : {}) },
    };
  }
  const status = outcome === 'rolledBack' ? ('rolled_back' as const) : ('failure' as const);
  const detected = rollout?.status.lastMeasurement?.to;
  const minutes = outcome === 'rolledBack' ? minutesBetween(detected, auditAt(rollout, 'rollout.rolledBack') ?? d.at) : undefined;
  return {
    records: [{ ...base, status }],
    deployment: { status, durationMinutes, commitShas, finishedAt: d.at },
    ...(outcome === 'rolledBack' ? { rollback: { kind: 'auto' as const, ...(minutes !== undefined ? { minutes } : {}) } } : {}),
  };
}
