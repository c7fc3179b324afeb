import type { ServiceConfig } from '../config/services.js';
import type { DeliveryEvent } from '../../events/delivery.js';
import type { ScanFindingsSource } from '../security/policy.js';
import type { TargetIo } from './notify-targets.js';
import type { Measurement, MetricSample } from './analysis.js';
import type { MetricSeries } from './judged-analysis.js';
import type { AuditEntry, Revision, Rollout, RolloutStatus } from './rollout.js';

/** Ports: core code talks to the world only through these; adapters implement them for AWS and locally. */

export interface Clock {
  now(): Date;
}

export interface ServiceRecord {
  name: string;
  config: ServiceConfig;
  configVersion: string;
  stableRevision: Revision | null;
  /** The rollout holding the per-service lock, if any. */
  activeRolloutId: string | null;
}

export interface RolloutView extends Rollout {
  audit: AuditEntry[];
}

export interface RolloutRepository {
  putServiceConfig(config: ServiceConfig, configVersion: string): Promise<void>;
  getService(name: string): Promise<ServiceRecord | null>;
  listServices(): Promise<ServiceRecord[]>;
  findServiceByRepository(repository: string): Promise<ServiceRecord | null>;
  /** Creates the rollout unless one with its id exists; false = it already existed (a duplicate delivery). */
  createRollout(rollout: Rollout, audit: AuditEntry[]): Promise<boolean>;
  getRollout(rolloutId: string): Promise<RolloutView | null>;
  /**
   * Writes a new status and appends audit entries in one conditional write on `expectedVersion`
   * (throws ConcurrentUpdateError when someone else wrote first). `stableRevision`, when given, is
   * written in the same update. Returns the stored rollout.
   */
  updateStatus(rolloutId: string, expectedVersion: number, status: RolloutStatus, audit: AuditEntry[], stableRevision?: Revision | null): Promise<RolloutView>;
  /** Stores a measurement under a deterministic key (step, sequence): a retried task overwrites, never duplicates. */
  putMeasurement(rolloutId: string, seq: number, measurement: Measurement): Promise<void>;
  listMeasurements(rolloutId: string): Promise<Measurement[]>;
  listRollouts(query: { service: string; limit?: number }): Promise<RolloutView[]>;
  listActiveRollouts(): Promise<RolloutView[]>;
  /** Takes the per-service lock for `rolloutId` (re-entrant). Returns the holder after the attempt. */
  acquireLock(service: string, rolloutId: string): Promise<{ acquired: boolean; holder: string | null }>;
  /** Sets the first stable revision of a service that has none (bootstrap); false if it already had one. */
  seedStableRevision(service: string, revision: Revision): Promise<boolean>;
  /** Releases the lock if `rolloutId` holds it, setting the stable revision when given. */
  releaseLock(service: string, rolloutId: string, stableRevision?: Revision): Promise<void>;
}

export interface TrafficRouter {
  /** Starts the new revision beside the stable one, at 0 % traffic. Idempotent. */
  deployCanary(service: ServiceConfig, revision: Revision, stable: Revision | null): Promise<void>;
  /** Rolling strategies pass the instances of each version once the batch is in; routers that scale do so. */
  setCanaryWeight(service: ServiceConfig, weight: number, replicas?: { canary: number; stable: number }): Promise<void>;
  /** Blue/green: open (or close) the test route — a test listener, locally a header — to the new version only. */
  setTestRoute(service: ServiceConfig, enabled: boolean): Promise<void>;
  /** The canary revision becomes the stable one and takes 100 %; the old stable is retired. May throw TransientError. */
  promote(service: ServiceConfig, revision: Revision): Promise<void>;
  /** 100 % back to the stable revision, canary torn down. Idempotent. */
  rollback(service: ServiceConfig, stable: Revision | null): Promise<void>;
  weights(service: ServiceConfig): Promise<{ stable: number; canary: number }>;
}

export interface MetricsSource {
  sample(service: ServiceConfig, role: 'canary' | 'stable', window: { from: Date; to: Date }, alarmNames: string[]): Promise<MetricSample>;
  /**
   * Per-period observations of one version over `window`, for the judge: whole periods of `stepSeconds` (a source
   * rounds up to its own resolution and reports the period it used); a period still in progress is left out.
   */
  series(service: ServiceConfig, role: 'canary' | 'stable', window: { from: Date; to: Date }, stepSeconds: number): Promise<MetricSeries>;
}

export interface Notification {
  subject: string;
  message: string;
  rolloutId: string;
  service: string;
  outcome: string;
  attributes: Record<string, string>;
}

export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

export interface EventPublisher {
  /** Validates each detail against its schema, then publishes; throws if any entry failed. */
  publish(events: DeliveryEvent[]): Promise<void>;
}

export interface ExecutionStarter {
  /** Starts the rollout state machine; starting an execution name twice is a no-op. */
  start(name: string, input: { rolloutId: string }): Promise<{ alreadyStarted: boolean }>;
}

/**
 * Wakes an execution waiting at a gate (`.waitForTaskToken` in AWS; an awaiting task locally).
 * Both throw TaskTokenGoneError when the token no longer waits (timed out, execution stopped, a
 * restarted local runtime) — the status written before the call is what counts.
 */
export interface ExecutionControl {
  sendTaskSuccess(token: string, output: object): Promise<void>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
}

export class TaskTokenGoneError extends Error {
  override name = 'TaskTokenGoneError';
}

export interface DeliveryDeps {
  repo: RolloutRepository;
  router: TrafficRouter;
  metrics: MetricsSource;
  notifier: Notifier;
  events: EventPublisher;
  clock: Clock;
  /** Wakes executions waiting at gates. */
  control: ExecutionControl;
  /** Image scan findings for the pre-deployment security gate; absent = scans treated as missing. */
  scans?: ScanFindingsSource;
  /** Sends to an environment's own notification targets (config `notify`); absent = they are skipped. */
  targets?: TargetIo;
  /** Bound on one metrics query; a slower source counts as an error. */
  metricsTimeoutMs?: number;
}

export class ConcurrentUpdateError extends Error {
  override name = 'ConcurrentUpdateError';
}

export class ServiceBusyError extends Error {
  override name = 'ServiceBusyError';
}

/**
 * A traffic operation that has not finished yet and should be retried as is (e.g. the stable ECS
 * service is still deploying the promoted image). The state machine retries it patiently instead of
 * rolling back.
 */
export class TransientError extends Error {
  override name = 'TransientError';
}

export class RolloutNotFoundError extends Error {
  override name = 'RolloutNotFoundError';
}
