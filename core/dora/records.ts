import * as z from 'zod';

/**
 * Input records of the DORA core. The recorder maps normalized CI/CD and incident events onto these; every
 * record is a full snapshot of what its source knows, so a record may be delivered twice, late or out of order.
 * Timestamps are ISO-8601 instants (any offset); they are compared as UTC epoch milliseconds.
 */

const Name = z.string().min(1).max(200);
const Instant = z.iso.datetime({ offset: true });

export const DEPLOYMENT_STATUSES = ['success', 'failure', 'rolled_back'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const ChangeRecordSchema = z.object({
  kind: z.literal('change'),
  service: Name,
  /** Informational: a commit's time is a property of the commit, shared by every environment. */
  environment: Name.optional(),
  commitSha: Name,
  /** For a squash merge: the earliest commit of the pull request (the recorder provides it). */
  committedAt: Instant,
  pullRequest: z.string().optional(),
});
export type ChangeRecord = z.infer<typeof ChangeRecordSchema>;

export const DeploymentRecordSchema = z.object({
  kind: z.literal('deployment'),
  service: Name,
  environment: Name,
  /** Unique within (service, environment). */
  deploymentId: Name,
  status: z.enum(DEPLOYMENT_STATUSES),
  startedAt: Instant.optional(),
  finishedAt: Instant,
  commitShas: z.array(Name).max(1000).default([]),
  /** committedAt per sha, when the deployment event knows it (same meaning as ChangeRecord.committedAt). */
  commitTimes: z.record(z.string(), Instant).optional(),
  /** An unplanned deployment (hotfix, roll-forward) ... */
  unplanned: z.boolean().optional(),
  /** ... made to fix this production incident: counts as rework. */
  fixesIncidentId: Name.optional(),
  team: Name.optional(),
});
export type DeploymentRecord = z.infer<typeof DeploymentRecordSchema>;

export const IncidentRecordSchema = z.object({
  kind: z.literal('incident'),
  incidentId: Name,
  service: Name,
  environment: Name,
  openedAt: Instant,
  resolvedAt: Instant.optional(),
  /** The deployment (same service and environment) that caused it: that deployment counts as a change failure. */
  causedByDeploymentId: Name.optional(),
});
export type IncidentRecord = z.infer<typeof IncidentRecordSchema>;

export const DoraRecordSchema = z.discriminatedUnion('kind', [ChangeRecordSchema, DeploymentRecordSchema, IncidentRecordSchema]);
export type DoraRecord = z.infer<typeof DoraRecordSchema>;
/** What producers hand in: defaults (commitShas) may be omitted. */
export type DoraRecordInput = z.input<typeof DoraRecordSchema>;

export class InvalidDoraRecordError extends Error {
  override readonly name = 'InvalidDoraRecordError';
}

/** Validates a record at the boundary; the message lists every problem, never the raw input. */
export function parseDoraRecord(input: unknown): DoraRecord {
  const res = DoraRecordSchema.safeParse(input);
  if (!res.success) throw new InvalidDoraRecordError(`invalid DORA record: ${res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return res.data;
}

export const ms = (iso: string): number => Date.parse(iso);
