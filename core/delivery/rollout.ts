import * as z from 'zod';
import type { AnalysisCounters, Measurement } from './analysis.js';
import type { RolloutSpec } from './spec.js';

export const RevisionSchema = z.object({
  /** Full image reference: `<repository>:<tag>@<digest>` (or without the tag). */
  image: z.string().min(1),
  repository: z.string().min(1),
  tag: z.string().optional(),
  digest: z.string().min(1),
});
export type Revision = z.infer<typeof RevisionSchema>;

export type Outcome = 'succeeded' | 'rolledBack' | 'aborted' | 'failed';

export interface Failure {
  reason: string;
  stepIndex: number;
  /** Canary weight (%) when it failed. */
  stage: number;
  metric?: string;
  value?: number | string | null;
  threshold?: number | string;
  /** Task error, when a task (not the analysis) failed. */
  error?: { name: string; cause: string };
}

export interface RolloutStatus {
  stepIndex: number;
  canaryWeight: number;
  stepStartedAt: string | null;
  counters: AnalysisCounters;
  /** True once this rollout holds the per-service lock: only then may it touch traffic. */
  lockHeld: boolean;
  canaryDeployed: boolean;
  abort: { requested: boolean; reason?: string; by?: string; at?: string };
  failure?: Failure;
  outcome?: Outcome;
  /** Blue/green: the test route reaches the new version. */
  testRoute?: boolean;
  /** A manual pause in force (the `pause` command): the execution waits at a gate until `resume`. */
  paused?: { by: string; at: string; reason: string };
  /** The gate (pause/approval step or manual pause) the execution is waiting at, and its task token. */
  waiting?: { stepIndex: number; kind: 'pause' | 'approval' | 'paused'; token: string; since: string };
  /** `promote` during an analysis or wait step: complete that step at its next measurement. */
  skipStep?: number;
  /** `promote --full`: skip every remaining step and promote. */
  promoteFull?: { by: string; at: string };
  /** Last measurement, kept on the status for cheap reads; every measurement is also stored on its own. */
  lastMeasurement?: Measurement;
  completedAt?: string;
}

export interface Trigger {
  kind: 'ecr-push' | 'api' | 'rollback' | 'progression' | 'release';
  /** The event id (ECR push) or request id that caused the rollout. */
  id: string;
  actor: string;
}

export interface Rollout {
  rolloutId: string;
  service: string;
  environment: string;
  revision: Revision;
  /** Revision serving before this rollout (null for a first rollout). */
  stableRevision: Revision | null;
  spec: RolloutSpec;
  /** The delivery config version in force when the rollout was created. */
  configVersion?: string;
  status: RolloutStatus;
  trigger: Trigger;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version: every status write is conditional on it. */
  version: number;
}

export interface AuditEntry {
  at: string;
  /** Who: a principal, `system:<component>` or `event:<id>`. */
  actor: string;
  /** What happened, e.g. `weight.set`, `analysis.failed`, `rollout.rolledBack`. */
  action: string;
  /** Why, in one line a person can read. */
  reason: string;
  data?: Record<string, unknown>;
}

export const isTerminal = (r: Pick<Rollout, 'status'>) => r.status.outcome !== undefined;
