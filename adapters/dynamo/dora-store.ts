import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { contributionsOf, orderKey } from '../../core/dora/contributions.js';
import { canonical, refKey, updatesFor, withRecovery, type DeploymentState, type EntityRef, type EntityState } from '../../core/dora/entities.js';
import { computeMetrics, DoraWindowSchema, type DoraMetrics } from '../../core/dora/metrics.js';
import { parseDoraRecord } from '../../core/dora/records.js';
import { GSI1 } from './keys.js';
import { doraKeys } from './dora-keys.js';
import { DoraRollups, isConditionFailure, type Entry } from './dora-rollups.js';
import { DoraSummaries } from './dora-summaries.js';

/**
 * DORA store on the single table. `record` folds one record into its entity items (optimistic, version-checked
 * puts), then reconciles each entity's contributions to the daily rollups: contributions it no longer has are
 * retracted, current ones applied; both are idempotent, so a redelivered record — after a crash at any point —
 * converges to the same rollups. Contribution ids are tied to the entity version that created them, so a
 * retracted contribution is never wanted again. See core/dora/README.md.
 *
 * Recovery links (failed deployment → next success) are recomputed from the GSI1 order of deployments; records of
 * one service/environment must be processed one at a time (e.g. FIFO message group = service#environment).
 */

export const DoraQuerySchema = z.intersection(
  DoraWindowSchema,
  z.object({ service: z.string().min(1).optional(), environment: z.string().min(1).default('production'), team: z.string().min(1).optional() }),
);
export type DoraQuery = z.input<typeof DoraQuerySchema>;
export interface DoraQueryResult extends DoraMetrics {
  scope: { services: string[] | 'all'; environment: string; team?: string };
}

export class DoraConflictError extends Error {
  override readonly name = 'DoraConflictError';
}

interface EntityItem {
  ref: EntityRef;
  v: number;
  state: EntityState;
  /** Every contribution applied and not yet pruned; `current` are the ids the state wants now. */
  applied: Entry[];
  current: string[];
  /**
   * Set when this call wrote a new version: current ids carried over unchanged from the previous version. Their
   * apply belongs to the writer of that version (and to its redelivery, which reconciles everything), so they
   * are not applied again here — no write, no change mark, no summary re-read.
   */
  carried?: Set<string>;
}

const contributionId = (ref: EntityRef, v: number, i: number) => createHash('sha256').update(`${refKey(ref)}|${v}|${i}`).digest('base64url').slice(0, 12);

export class DynamoDoraStore {
  private readonly writer: DoraRollups;
  /** The read side: daily rollups of a window, through the month summaries. */
  readonly rollups: DoraSummaries;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    /** service → team, for team queries. */
    private readonly teams: Readonly<Record<string, string>> = {},
  ) {
    this.writer = new DoraRollups(doc, table);
    this.rollups = new DoraSummaries(doc, table);
  }

  /** Validates and records one change, deployment or incident record. Safe to call again with the same record. */
  async record(input: unknown): Promise<void> {
    const r = parseDoraRecord(input);
    // Each update touches a different item: run them side by side.
    const touched = await Promise.all(updatesFor(r).map((u) => this.upsert(u.ref, u.apply)));
    if (r.kind === 'deployment') {
      const first = touched[0]!;
      const relinked = await this.relinkRecovery(first);
      // A second version written by this same call: only what both versions carried from before is someone else's.
      if (relinked.v !== first.v) relinked.carried = first.carried && new Set([...first.carried].filter((id) => relinked.carried?.has(id)));
      touched[0] = relinked;
    }
    await Promise.all(touched.map((item) => this.reconcile(item)));
  }

  async query(input: DoraQuery): Promise<DoraQueryResult> {
    const q = DoraQuerySchema.parse(input);
    const services = q.team ? Object.keys(this.teams).filter((s) => this.teams[s] === q.team && (!q.service || s === q.service)).sort() : q.service ? [q.service] : 'all';
    const scope = services === 'all' ? (await this.rollups.scopes(q.from, q.to)).filter((s) => s.environment === q.environment).map((s) => s.service) : services;
    const rollups = (await Promise.all(scope.map((s) => this.rollups.forService(s, q.environment, q.from, q.to)))).flat();
    return { scope: { services, environment: q.environment, ...(q.team ? { team: q.team } : {}) }, ...computeMetrics(rollups, q) };
  }

  /** Commit times already known (from change records or deployments' commitTimes), by sha, as ISO instants. */
  async commitTimes(service: string, shas: readonly string[]): Promise<Record<string, string>> {
    const items = await Promise.all([...new Set(shas)].map((sha) => this.read({ kind: 'commit', service, id: sha })));
    const out: Record<string, string> = {};
    for (const i of items) if (i?.state.kind === 'commit' && i.state.committedAt !== undefined) out[i.state.sha] = new Date(i.state.committedAt).toISOString();
    return out;
  }

  private async read(ref: EntityRef): Promise<EntityItem | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: doraKeys.entity(ref), ConsistentRead: true }));
    const i = res.Item;
    return i ? { ref, v: i.v as number, state: JSON.parse(i.state as string), applied: JSON.parse(i.applied as string), current: JSON.parse(i.current as string) } : undefined;
  }

  /** Read, merge, put if changed (conditional on the version read); retried on a concurrent writer. */
  private async upsert(ref: EntityRef, apply: (s: EntityState | undefined) => EntityState): Promise<EntityItem> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const old = await this.read(ref);
      const state = apply(old?.state);
      if (old && canonical(state) === canonical(old.state)) return old;
      const v = (old?.v ?? 0) + 1;
      // Keep the id of a current contribution whose content is unchanged; a new content gets an id of this version.
      const reusable = new Map<string, string[]>();
      for (const e of old?.applied ?? []) if (old!.current.includes(e.id)) reusable.set(canonical(e.c), [...(reusable.get(canonical(e.c)) ?? []), e.id]);
      const wanted = contributionsOf(state).map((c, i) => ({ id: reusable.get(canonical(c))?.shift() ?? contributionId(ref, v, i), c }));
      const known = new Set((old?.applied ?? []).map((e) => e.id));
      const item: EntityItem = {
        ref,
        v,
        state,
        applied: [...(old?.applied ?? []), ...wanted.filter((e) => !known.has(e.id))],
        current: wanted.map((e) => e.id),
        carried: new Set(wanted.filter((e) => old?.current.includes(e.id)).map((e) => e.id)),
      };
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...doraKeys.entity(ref), type: `dora-${ref.kind}`, v, state: JSON.stringify(state), applied: JSON.stringify(item.applied), current: JSON.stringify(item.current), ...indexOf(state) },
            ConditionExpression: old ? 'v = :v' : 'attribute_not_exists(PK)',
            ...(old ? { ExpressionAttributeValues: { ':v': old.v } } : {}),
          }),
        );
        return item;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    }
    throw new DoraConflictError(`entity ${refKey(ref)} kept changing under 20 attempts`);
  }

  /** Retract what the entity no longer contributes, apply what it does, then forget the retracted. */
  private async reconcile(item: EntityItem): Promise<void> {
    const current = new Set(item.current);
    const stale = item.applied.filter((e) => !current.has(e.id));
    await Promise.all(stale.map((e) => this.writer.retract(e)));
    await Promise.all(item.applied.filter((e) => current.has(e.id) && !item.carried?.has(e.id)).map((e) => this.writer.apply(e)));
    if (!stale.length) return;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: doraKeys.entity(item.ref),
          UpdateExpression: 'SET applied = :a',
          ConditionExpression: 'v = :v',
          ExpressionAttributeValues: { ':a': JSON.stringify(item.applied.filter((e) => current.has(e.id))), ':v': item.v },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e; // a newer version exists: its writer prunes
    }
  }

  /**
   * Recomputes recovery for every failed deployment whose next success may have changed because of `dep`: those
   * between the previous and the next success around it. Returns dep's own item, with its recovery set.
   */
  private async relinkRecovery(dep: EntityItem): Promise<EntityItem> {
    const s = dep.state as DeploymentState;
    if (!s.run) return dep;
    const key = orderKey(s.run.finishedAt, s.deploymentId);
    const okPk = doraKeys.successIndex(s.service, s.environment);
    const [prev, next] = await Promise.all([
      this.indexQuery({ KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK < :k', ExpressionAttributeValues: { ':pk': okPk, ':k': key }, ScanIndexForward: false, Limit: 1 }, true),
      this.indexQuery({ KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK > :k', ExpressionAttributeValues: { ':pk': okPk, ':k': key }, Limit: 1 }, true),
    ]);
    const p = prev[0];
    const n = next[0];
    const failPk = doraKeys.failureIndex(s.service, s.environment);
    const range = p && n ? 'GSI1SK BETWEEN :a AND :b' : p ? 'GSI1SK > :a' : n ? 'GSI1SK < :b' : undefined;
    const failures = await this.indexQuery({
      KeyConditionExpression: `GSI1PK = :pk${range ? ` AND ${range}` : ''}`,
      ExpressionAttributeValues: { ':pk': failPk, ...(p ? { ':a': p.GSI1SK } : {}), ...(n ? { ':b': n.GSI1SK } : {}) },
    });
    const nextAt = n?.finishedAt as number | undefined;
    for (const f of failures) {
      if (f.deploymentId === s.deploymentId || f.GSI1SK === p?.GSI1SK || f.GSI1SK === n?.GSI1SK) continue;
      const at = s.run.status === 'success' && (f.GSI1SK as string) < key ? s.run.finishedAt : nextAt;
      const ref: EntityRef = { kind: 'deployment', service: s.service, environment: s.environment, id: f.deploymentId as string };
      await this.reconcile(await this.upsert(ref, (x) => withRecovery(x as DeploymentState, at)));
    }
    return s.run.status === 'success' ? dep : this.upsert(dep.ref, (x) => withRecovery(x as DeploymentState, nextAt));
  }

  private async indexQuery(input: Omit<QueryCommandInput, 'TableName' | 'IndexName'>, single = false): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(new QueryCommand({ TableName: this.table, IndexName: GSI1, ProjectionExpression: 'GSI1SK, deploymentId, finishedAt', ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
      out.push(...(res.Items ?? []));
      start = single ? undefined : res.LastEvaluatedKey;
    } while (start);
    return out;
  }
}

/** GSI1 attributes of a deployment with a known run: its place in the success or failure order. */
function indexOf(s: EntityState): Record<string, unknown> {
  if (s.kind !== 'deployment' || !s.run) return {};
  const pk = s.run.status === 'success' ? doraKeys.successIndex(s.service, s.environment) : doraKeys.failureIndex(s.service, s.environment);
  return { GSI1PK: pk, GSI1SK: orderKey(s.run.finishedAt, s.deploymentId), deploymentId: s.deploymentId, finishedAt: s.run.finishedAt };
}
