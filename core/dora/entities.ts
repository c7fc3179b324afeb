import { ms, type DeploymentRecord, type DeploymentStatus, type DoraRecord } from './records.js';

/**
 * Records fold into entity states (a deployment, a commit, an incident). Every merge is commutative, associative
 * and idempotent, so the state after any delivery order, with any duplicates, is the same. Rollup contributions
 * are a pure function of entity states (contributions.ts).
 */

export const STATUS_RANK: Record<DeploymentStatus, number> = { success: 0, failure: 1, rolled_back: 2 };
const RANK_SCALE = 1e14; // > any epoch-ms until year 5138
/** A deployment's status and finish as one number: a higher status rank wins, then a later finish. */
export const deployCode = (status: DeploymentStatus, finishedAtMs: number): number => STATUS_RANK[status] * RANK_SCALE + finishedAtMs;
export const isSuccessCode = (code: number): boolean => code < RANK_SCALE;

export interface DeploymentRun {
  status: DeploymentStatus;
  finishedAt: number;
  startedAt?: number;
  commitShas: string[];
  unplanned: boolean;
  fixesIncidentId?: string;
  team?: string;
}

export interface DeploymentState {
  kind: 'deployment';
  service: string;
  environment: string;
  deploymentId: string;
  /** The winning record: highest status rank (rolled_back > failure > success), then latest finish. */
  run?: DeploymentRun;
  /** Incidents that name this deployment as their cause (sorted). */
  incidents: string[];
  /** Finish of the next successful deployment of the service/environment (failed deployments only). */
  recoveredAt?: number;
}

/** [environment, deploymentId, deployCode] */
export type CommitDeploy = [string, string, number];

export interface CommitState {
  kind: 'commit';
  service: string;
  sha: string;
  /** Earliest commit time reported (change records and deployments' commitTimes). */
  committedAt?: number;
  /** Every deployment that shipped the commit, sorted by environment then id. */
  deploys: CommitDeploy[];
}

export interface IncidentState {
  kind: 'incident';
  service: string;
  environment: string;
  incidentId: string;
  openedAt: number;
  resolvedAt?: number;
}

export type EntityState = DeploymentState | CommitState | IncidentState;

export type EntityRef =
  | { kind: 'deployment'; service: string; environment: string; id: string }
  | { kind: 'commit'; service: string; id: string }
  | { kind: 'incident'; service: string; environment: string; id: string };

export const refKey = (r: EntityRef): string => JSON.stringify([r.kind, r.service, 'environment' in r ? r.environment : '', r.id]);

export function refOf(s: EntityState): EntityRef {
  if (s.kind === 'deployment') return { kind: 'deployment', service: s.service, environment: s.environment, id: s.deploymentId };
  if (s.kind === 'commit') return { kind: 'commit', service: s.service, id: s.sha };
  return { kind: 'incident', service: s.service, environment: s.environment, id: s.incidentId };
}

export interface EntityUpdate {
  ref: EntityRef;
  apply(state: EntityState | undefined): EntityState;
}

/** JSON with object keys sorted: equal states have equal text. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

const compact = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
const union = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();

export function runOf(r: DeploymentRecord): DeploymentRun {
  return compact({
    status: r.status,
    finishedAt: ms(r.finishedAt),
    startedAt: r.startedAt ? ms(r.startedAt) : undefined,
    commitShas: union([], r.commitShas),
    unplanned: r.unplanned ?? false,
    fixesIncidentId: r.fixesIncidentId,
    team: r.team,
  });
}

function compareRuns(a: DeploymentRun, b: DeploymentRun): number {
  const d = deployCode(a.status, a.finishedAt) - deployCode(b.status, b.finishedAt);
  if (d !== 0) return d;
  const ca = canonical(a);
  const cb = canonical(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

const emptyDeployment = (service: string, environment: string, deploymentId: string): DeploymentState => ({ kind: 'deployment', service, environment, deploymentId, incidents: [] });

function asKind<K extends EntityState['kind']>(kind: K, s: EntityState | undefined): Extract<EntityState, { kind: K }> | undefined {
  if (s && s.kind !== kind) throw new Error(`entity kind mismatch: ${s.kind} where ${kind} was expected`);
  return s as Extract<EntityState, { kind: K }> | undefined;
}

export function mergeRun(state: DeploymentState | undefined, ref: { service: string; environment: string; id: string }, run: DeploymentRun): DeploymentState {
  const s = state ?? emptyDeployment(ref.service, ref.environment, ref.id);
  return !s.run || compareRuns(run, s.run) > 0 ? { ...s, run } : s;
}

export function linkIncident(state: DeploymentState | undefined, ref: { service: string; environment: string; id: string }, incidentId: string): DeploymentState {
  const s = state ?? emptyDeployment(ref.service, ref.environment, ref.id);
  return s.incidents.includes(incidentId) ? s : { ...s, incidents: union(s.incidents, [incidentId]) };
}

/** Not a merge: the recovery linker sets it from the current deployment history (see contributions.ts). */
export function withRecovery(s: DeploymentState, recoveredAt: number | undefined): DeploymentState {
  if (s.recoveredAt === recoveredAt) return s;
  const { recoveredAt: _old, ...rest } = s;
  return recoveredAt === undefined ? rest : { ...rest, recoveredAt };
}

export function mergeCommit(state: CommitState | undefined, service: string, sha: string, add: { committedAt?: number; deploy?: CommitDeploy }): CommitState {
  let s: CommitState = state ?? { kind: 'commit', service, sha, deploys: [] };
  if (add.committedAt !== undefined && (s.committedAt === undefined || add.committedAt < s.committedAt)) s = { ...s, committedAt: add.committedAt };
  if (add.deploy) {
    const [env, id, code] = add.deploy;
    const i = s.deploys.findIndex(([e, d]) => e === env && d === id);
    if (i < 0) s = { ...s, deploys: [...s.deploys, add.deploy].sort((a, b) => (a[0] + '\u0000' + a[1] < b[0] + '\u0000' + b[1] ? -1 : 1)) };
    else if (s.deploys[i]![2] < code) s = { ...s, deploys: s.deploys.map((d, j) => (j === i ? add.deploy! : d)) };
  }
  return s;
}

export function mergeIncident(state: IncidentState | undefined, add: Omit<IncidentState, 'kind'>): IncidentState {
  if (!state) return compact({ kind: 'incident' as const, ...add });
  const openedAt = Math.min(state.openedAt, add.openedAt);
  const resolvedAt = state.resolvedAt === undefined ? add.resolvedAt : add.resolvedAt === undefined ? state.resolvedAt : Math.max(state.resolvedAt, add.resolvedAt);
  return openedAt === state.openedAt && resolvedAt === state.resolvedAt ? state : compact({ ...state, openedAt, resolvedAt });
}

/** The entity updates one record makes. */
export function updatesFor(r: DoraRecord): EntityUpdate[] {
  if (r.kind === 'change') {
    const committedAt = ms(r.committedAt);
    return [{ ref: { kind: 'commit', service: r.service, id: r.commitSha }, apply: (s) => mergeCommit(asKind('commit', s), r.service, r.commitSha, { committedAt }) }];
  }
  if (r.kind === 'deployment') {
    const ref = { kind: 'deployment' as const, service: r.service, environment: r.environment, id: r.deploymentId };
    const run = runOf(r);
    const code = deployCode(run.status, run.finishedAt);
    const commits: EntityUpdate[] = run.commitShas.map((sha) => {
      const t = r.commitTimes?.[sha];
      const add = { deploy: [r.environment, r.deploymentId, code] as CommitDeploy, ...(t ? { committedAt: ms(t) } : {}) };
      return { ref: { kind: 'commit', service: r.service, id: sha }, apply: (s) => mergeCommit(asKind('commit', s), r.service, sha, add) };
    });
    return [{ ref, apply: (s) => mergeRun(asKind('deployment', s), ref, run) }, ...commits];
  }
  const add = compact({ service: r.service, environment: r.environment, incidentId: r.incidentId, openedAt: ms(r.openedAt), resolvedAt: r.resolvedAt ? ms(r.resolvedAt) : undefined });
  const out: EntityUpdate[] = [{ ref: { kind: 'incident', service: r.service, environment: r.environment, id: r.incidentId }, apply: (s) => mergeIncident(asKind('incident', s), add) }];
  if (r.causedByDeploymentId) {
    const dep = { kind: 'deployment' as const, service: r.service, environment: r.environment, id: r.causedByDeploymentId };
    out.push({ ref: dep, apply: (s) => linkIncident(asKind('deployment', s), dep, r.incidentId) });
  }
  return out;
}
