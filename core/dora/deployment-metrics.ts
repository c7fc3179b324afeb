/**
 * The CloudWatch metrics of deployments (namespace `Lumina/Deployments`), computed from what the recorder knows
 * about one event. Pure; functions/dora/ emits them as EMF through Powertools Metrics, each under two dimension
 * sets: [service, environment] and [environment] (the second is what the alarms and totals read).
 *
 * CloudWatch has no minute or hour units: durations are published with unit None and the unit is in the docs
 * (DeploymentDuration and RollbackTime in minutes, LeadTime in hours). Metrics are event counts, not the DORA
 * figures: a redelivered event is counted again, and a success rolled back later stays a success here. The
 * exact, deduplicated figures are GET /api/dora's.
 */

export const DEPLOYMENT_METRICS_NAMESPACE = 'Lumina/Deployments';

export const DEPLOYMENT_METRIC_NAMES = [
  'DeploymentCount',
  'SuccessfulDeployments',
  'FailedDeployments',
  'DeploymentDuration',
  'RollbackCount',
  'AutoRollbackCount',
  'ManualRollbackCount',
  'RollbackTime',
  'LeadTime',
  'CanaryTrafficPercentage',
  'CanaryHealthScore',
] as const;
export type DeploymentMetricName = (typeof DEPLOYMENT_METRIC_NAMES)[number];

export interface MetricPoint {
  name: DeploymentMetricName;
  unit: 'Count' | 'Percent' | 'None';
  value: number;
}

export interface DeploymentFacts {
  status: 'success' | 'failure' | 'rolled_back';
  durationMinutes?: number;
  /** One sample per commit whose commit time is known (hours from commit to this successful deployment). */
  leadTimesHours?: number[];
  /** auto: the analysis (or a task error) rolled it back; manual: a person did; unknown: a CI tool reported it. */
  rollback?: { kind: 'auto' | 'manual' | 'unknown'; minutes?: number };
}

const count = (name: DeploymentMetricName, value = 1): MetricPoint => ({ name, unit: 'Count', value });

export function deploymentPoints(f: DeploymentFacts): MetricPoint[] {
  const out: MetricPoint[] = [count('DeploymentCount'), count(f.status === 'success' ? 'SuccessfulDeployments' : 'FailedDeployments')];
  // Both counters on every deployment (one as 0), so success and failure rates are defined for every period with a deployment.
  out.push(count(f.status === 'success' ? 'FailedDeployments' : 'SuccessfulDeployments', 0));
  if (f.durationMinutes !== undefined && Number.isFinite(f.durationMinutes)) out.push({ name: 'DeploymentDuration', unit: 'None', value: f.durationMinutes });
  const rollback = f.rollback ?? (f.status === 'rolled_back' ? { kind: 'unknown' as const } : undefined);
  if (rollback) {
    out.push(count('RollbackCount'));
    if (rollback.kind === 'auto') out.push(count('AutoRollbackCount'));
    if (rollback.kind === 'manual') out.push(count('ManualRollbackCount'));
    if (rollback.minutes !== undefined && Number.isFinite(rollback.minutes)) out.push({ name: 'RollbackTime', unit: 'None', value: rollback.minutes });
  }
  if (f.status === 'success') for (const h of f.leadTimesHours ?? []) if (Number.isFinite(h) && h >= 0) out.push({ name: 'LeadTime', unit: 'None', value: h });
  return out;
}

/** Canary weight after a step: CanaryTrafficPercentage. */
export const canaryTrafficPoints = (canaryWeight: number): MetricPoint[] => [{ name: 'CanaryTrafficPercentage', unit: 'Percent', value: canaryWeight }];

/**
 * Health of the canary at one analysis: pass 100, inconclusive 50, fail 0. An `error` (the metrics source failed)
 * says nothing about the canary and publishes nothing.
 */
export function canaryHealthPoints(verdict: 'pass' | 'fail' | 'inconclusive' | 'error'): MetricPoint[] {
  const score = { pass: 100, inconclusive: 50, fail: 0 }[verdict as 'pass' | 'fail' | 'inconclusive'];
  return score === undefined ? [] : [{ name: 'CanaryHealthScore', unit: 'Percent', value: score }];
}
