import type { CommitState, DeploymentState, EntityState, IncidentState } from './entities.js';
import { isSuccessCode, withRecovery } from './entities.js';
import { minutesBetween, single, type Histogram } from './histogram.js';
import { dayOf } from './time.js';

/**
 * What an entity adds to the daily rollups of its (service, environment): counters and duration histograms.
 * `contributionsOf` is the "rollup delta" of an entity; a rollup is the sum of the contributions of every entity.
 */

export const COUNT_NAMES = [
  'deployments', // every deployment (any status), in the day of its finish
  'successful',
  'failed', // status failure or rolled_back
  'rolledBack',
  'incidentLinked', // successful deployments named as the cause of an incident
  'changeFailures', // failed, rolled back or incident-linked: each deployment at most once
  'rework', // unplanned deployments that fix a production incident
  'incidentsOpened', // in the day of openedAt
  'incidentsResolved', // in the day of resolvedAt
  'leadTimes', // lead-time samples (one per commit and environment), in the day of the commit's first successful deploy
  'recoveries', // recovery samples, in the day of recovery
] as const;
export type CountName = (typeof COUNT_NAMES)[number];
export type Counts = Partial<Record<CountName, number>>;

export interface RollupKey {
  service: string;
  environment: string;
  /** UTC day, 'YYYY-MM-DD'. */
  day: string;
}

export interface Rollup extends RollupKey {
  counts: Counts;
  /** Change lead time, minutes. */
  leadTime: Histogram;
  /** Failed deployment recovery time, minutes. */
  recovery: Histogram;
}

/** A contribution has the shape of a rollup: what one entity adds to one day. */
export type Contribution = Rollup;

const contribution = (service: string, environment: string, atMs: number, counts: Counts, h: { leadTime?: Histogram; recovery?: Histogram } = {}): Contribution => ({
  service,
  environment,
  day: dayOf(atMs),
  counts: Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0)) as Counts,
  leadTime: h.leadTime ?? {},
  recovery: h.recovery ?? {},
});

function ofDeployment(s: DeploymentState): Contribution[] {
  const run = s.run;
  if (!run) return []; // only incident links known so far: nothing to count until the deployment itself arrives
  const ok = run.status === 'success';
  const linked = s.incidents.length > 0;
  const out = [
    contribution(s.service, s.environment, run.finishedAt, {
      deployments: 1,
      successful: ok ? 1 : 0,
      failed: ok ? 0 : 1,
      rolledBack: run.status === 'rolled_back' ? 1 : 0,
      incidentLinked: ok && linked ? 1 : 0,
      changeFailures: !ok || linked ? 1 : 0,
      rework: run.unplanned && run.fixesIncidentId ? 1 : 0,
    }),
  ];
  // A failed deployment with incidents is measured by its incidents (open → resolved), not twice.
  if (!ok && !linked && s.recoveredAt !== undefined) {
    out.push(contribution(s.service, s.environment, s.recoveredAt, { recoveries: 1 }, { recovery: single(minutesBetween(run.finishedAt, s.recoveredAt)) }));
  }
  return out;
}

function ofCommit(s: CommitState): Contribution[] {
  if (s.committedAt === undefined) return []; // the change record has not arrived yet
  const first = new Map<string, number>();
  for (const [env, , code] of s.deploys) {
    if (isSuccessCode(code) && code < (first.get(env) ?? Infinity)) first.set(env, code); // a success's code is its finish
  }
  return [...first].map(([env, at]) => contribution(s.service, env, at, { leadTimes: 1 }, { leadTime: single(minutesBetween(s.committedAt!, at)) }));
}

function ofIncident(s: IncidentState): Contribution[] {
  const out = [contribution(s.service, s.environment, s.openedAt, { incidentsOpened: 1 })];
  if (s.resolvedAt !== undefined) {
    out.push(contribution(s.service, s.environment, s.resolvedAt, { incidentsResolved: 1, recoveries: 1 }, { recovery: single(minutesBetween(s.openedAt, s.resolvedAt)) }));
  }
  return out;
}

export function contributionsOf(s: EntityState): Contribution[] {
  return s.kind === 'deployment' ? ofDeployment(s) : s.kind === 'commit' ? ofCommit(s) : ofIncident(s);
}

/** Deployments of one service/environment ordered by finish, then id (the same order the store's index keeps). */
export const orderKey = (finishedAtMs: number, deploymentId: string): string => `${new Date(finishedAtMs).toISOString()}#${deploymentId}`;

/**
 * Recovery of each failed deployment: the finish of the next successful deployment of the same service and
 * environment (in orderKey order). Returns the states with `recoveredAt` set (or cleared) accordingly.
 */
export function assignRecovery(deployments: DeploymentState[]): DeploymentState[] {
  const successes = new Map<string, { key: string; at: number }[]>();
  const scope = (s: DeploymentState) => JSON.stringify([s.service, s.environment]);
  for (const s of deployments) {
    if (s.run?.status !== 'success') continue;
    const list = successes.get(scope(s)) ?? [];
    list.push({ key: orderKey(s.run.finishedAt, s.deploymentId), at: s.run.finishedAt });
    successes.set(scope(s), list);
  }
  for (const list of successes.values()) list.sort((a, b) => (a.key < b.key ? -1 : 1));
  return deployments.map((s) => {
    if (!s.run || s.run.status === 'success') return withRecovery(s, undefined);
    const list = successes.get(scope(s)) ?? [];
    const key = orderKey(s.run.finishedAt, s.deploymentId);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.key <= key) lo = mid + 1;
      else hi = mid;
    }
    return withRecovery(s, list[lo]?.at);
  });
}

/** Adds sign·c into target (counters and histograms), in place; entries reaching zero are removed. */
export function addInto(target: Rollup, c: Contribution, sign = 1): Rollup {
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const k in from) {
      const v = (into[k] ?? 0) + sign * from[k]!;
      if (v === 0) delete into[k];
      else into[k] = v;
    }
  };
  add(target.counts as Record<string, number>, c.counts as Record<string, number>);
  add(target.leadTime, c.leadTime);
  add(target.recovery, c.recovery);
  return target;
}

/** target + sign·c, as a new rollup. */
export const addContribution = (target: Rollup, c: Contribution, sign = 1): Rollup =>
  addInto({ ...target, counts: { ...target.counts }, leadTime: { ...target.leadTime }, recovery: { ...target.recovery } }, c, sign);

export const rollupId = (k: RollupKey): string => JSON.stringify([k.service, k.environment, k.day]);
export const emptyRollup = (k: RollupKey): Rollup => ({ service: k.service, environment: k.environment, day: k.day, counts: {}, leadTime: {}, recovery: {} });

/** Sums contributions (or rollups) per (service, environment, day), sorted by those keys. */
export function mergeRollups(parts: Iterable<Contribution>): Rollup[] {
  const byId = new Map<string, Rollup>();
  for (const c of parts) {
    const id = rollupId(c);
    const r = byId.get(id) ?? emptyRollup(c);
    byId.set(id, addInto(r, c));
  }
  return [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r);
}
