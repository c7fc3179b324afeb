import { assignRecovery, contributionsOf, mergeRollups, type Rollup } from './contributions.js';
import { refKey, type DeploymentState, type EntityState } from './entities.js';
import { updatesFor } from './entities.js';
import { computeMetrics, type DoraMetrics, type DoraWindow } from './metrics.js';
import { parseDoraRecord, type DoraRecord } from './records.js';

/**
 * The whole pipeline in memory: records → entity states → recovery links → contributions → daily rollups.
 * The reference the DynamoDB store must agree with, and the "compute from raw records" baseline of the benchmark.
 */

export function foldRecords(records: Iterable<DoraRecord>, into = new Map<string, EntityState>()): Map<string, EntityState> {
  for (const r of records) {
    for (const u of updatesFor(r)) {
      const k = refKey(u.ref);
      into.set(k, u.apply(into.get(k)));
    }
  }
  return into;
}

export function rollupsOfStates(states: Iterable<EntityState>): Rollup[] {
  const all = [...states];
  const deployments = assignRecovery(all.filter((s): s is DeploymentState => s.kind === 'deployment'));
  const others = all.filter((s) => s.kind !== 'deployment');
  return mergeRollups([...deployments, ...others].flatMap(contributionsOf));
}

export const rollupsOf = (records: Iterable<DoraRecord>): Rollup[] => rollupsOfStates(foldRecords(records).values());

/** Validates raw inputs, then rollupsOf + computeMetrics, scoped to a service/environment when given. */
export function metricsOfRecords(
  inputs: Iterable<unknown>,
  window: Partial<DoraWindow> & Pick<DoraWindow, 'from' | 'to'>,
  scope: { services?: string[]; environment?: string } = {},
): DoraMetrics {
  const rollups = rollupsOf([...inputs].map(parseDoraRecord)).filter(
    (r) => (!scope.services || scope.services.includes(r.service)) && (!scope.environment || r.environment === scope.environment),
  );
  return computeMetrics(rollups, window);
}
