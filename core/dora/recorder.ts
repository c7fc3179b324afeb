import type { CiEvent } from '../../events/ci.js';
import type { AnalysisCompleted, StepCompleted } from '../../events/delivery.js';
import type { RolloutRepository } from '../delivery/ports.js';
import { canaryHealthPoints, canaryTrafficPoints, deploymentPoints, type MetricPoint } from './deployment-metrics.js';
import { recordsFromCi, rolloutOutcome, type RolloutEnd } from './from-events.js';
import * as z from 'zod';

/**
 * The DORA recorder: one event in, DORA records stored (DynamoDoraStore.record, idempotent) and the deployment
 * metrics to publish out. At-least-once safe: a redelivered event re-records the same records, which merge into
 * unchanged entities. Dependencies are ports so the same code runs in the Lambda and on the local bus.
 */

export interface DoraRecorderStore {
  record(input: unknown): Promise<void>;
  /** Commit times already known for these shas (ISO), for the LeadTime metric. */
  commitTimes?(service: string, shas: readonly string[]): Promise<Record<string, string>>;
}

export interface RecorderDeps {
  dora: DoraRecorderStore;
  /** Rollout reads: abort actor (superseded or not), rollback trigger, timings. Without it, rollouts are recorded from their events alone. */
  rollouts?: Pick<RolloutRepository, 'getRollout'>;
}

export type RecorderEvent =
  | { kind: 'ci'; event: CiEvent }
  | { kind: 'rollout-end'; event: RolloutEnd }
  | { kind: 'step'; detail: z.infer<typeof StepCompleted.schema> }
  | { kind: 'analysis'; detail: z.infer<typeof AnalysisCompleted.schema> };

export interface RecordResult {
  records: number;
  skipped?: string;
  metrics?: { service: string; environment: string; points: MetricPoint[] };
}

const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 3_600_000;

async function leadTimes(deps: RecorderDeps, service: string, shas: readonly string[], finishedAt: string): Promise<number[]> {
  if (!shas.length || !deps.dora.commitTimes) return [];
  const times = await deps.dora.commitTimes(service, shas);
  return shas.flatMap((sha) => (times[sha] ? [hoursBetween(times[sha]!, finishedAt)] : []));
}

export async function recordEvent(deps: RecorderDeps, input: RecorderEvent): Promise<RecordResult> {
  switch (input.kind) {
    case 'step': {
      const d = input.detail;
      return { records: 0, metrics: { service: d.service, environment: d.environment, points: canaryTrafficPoints(d.canaryWeight) } };
    }
    case 'analysis': {
      const d = input.detail;
      return { records: 0, metrics: { service: d.service, environment: d.environment, points: canaryHealthPoints(d.verdict) } };
    }
    case 'ci': {
      const records = recordsFromCi(input.event);
      for (const r of records) await deps.dora.record(r);
      const dep = records.find((r) => r.kind === 'deployment');
      if (!dep || dep.kind !== 'deployment') return { records: records.length };
      const started = dep.startedAt ? Date.parse(dep.startedAt) : NaN;
      const durationMinutes = Number.isFinite(started) ? (Date.parse(dep.finishedAt) - started) / 60_000 : undefined;
      const points = deploymentPoints({
        status: dep.status,
        ...(durationMinutes !== undefined && durationMinutes >= 0 ? { durationMinutes } : {}),
        leadTimesHours: dep.status === 'success' ? await leadTimes(deps, dep.service, dep.commitShas ?? [], dep.finishedAt) : [],
      });
      return { records: records.length, metrics: { service: dep.service, environment: dep.environment, points } };
    }
    case 'rollout-end': {
      const d = input.event.detail;
      const rollout = (await deps.rollouts?.getRollout(d.rolloutId)) ?? null;
      const source = rollout?.trigger.kind === 'rollback' ? ((await deps.rollouts?.getRollout(rollout.trigger.id)) ?? null) : null;
      const outcome = rolloutOutcome(input.event, rollout, source);
      // One record at a time: the rolled-back source after the rollback's own success (recovery is linked in order).
      for (const r of outcome.records) await deps.dora.record(r);
      if (!outcome.deployment) return { records: 0, ...(outcome.skipped ? { skipped: outcome.skipped } : {}) };
      const dep = outcome.deployment;
      const points = deploymentPoints({
        status: dep.status,
        durationMinutes: dep.durationMinutes,
        leadTimesHours: dep.status === 'success' ? await leadTimes(deps, d.service, dep.commitShas, dep.finishedAt) : [],
        ...(outcome.rollback ? { rollback: outcome.rollback } : {}),
      });
      return { records: outcome.records.length, metrics: { service: d.service, environment: d.environment, points } };
    }
  }
}
