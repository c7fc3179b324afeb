import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ServiceConfig } from '../../core/config/services.js';
import type { Measurement } from '../../core/delivery/analysis.js';
import { ConcurrentUpdateError, type RolloutRepository, type RolloutView, type ServiceRecord } from '../../core/delivery/ports.js';
import type { AuditEntry, Revision, Rollout, RolloutStatus } from '../../core/delivery/rollout.js';
import { GSI1, GSI2, keys, serviceConfigUpdate } from './keys.js';

const isConditionFailure = (e: unknown) => e instanceof ConditionalCheckFailedException || (e as Error)?.name === 'ConditionalCheckFailedException';

type Item = Record<string, unknown>;

function toService(item: Item): ServiceRecord {
  return {
    name: item.name as string,
    config: item.config as ServiceConfig,
    configVersion: (item.configVersion as string) ?? 'unknown',
    stableRevision: (item.stableRevision as Revision | undefined) ?? null,
    activeRolloutId: (item.activeRolloutId as string | undefined) ?? null,
  };
}

const ROLLOUT_FIELDS = ['rolloutId', 'service', 'environment', 'revision', 'stableRevision', 'spec', 'configVersion', 'status', 'trigger', 'createdAt', 'updatedAt', 'version', 'audit'] as const;

function toRollout(item: Item): RolloutView {
  const out: Item = {};
  for (const f of ROLLOUT_FIELDS) if (item[f] !== undefined) out[f] = item[f];
  out.stableRevision = item.stableRevision ?? null;
  out.audit = item.audit ?? [];
  return out as unknown as RolloutView; // items are written only by this repository, from typed values
}

/** DynamoDB single-table repository; the same code runs against AWS and against dynalite locally. */
export class DynamoRolloutRepository implements RolloutRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putServiceConfig(config: ServiceConfig, configVersion: string): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.table, ...serviceConfigUpdate(config, configVersion) }));
  }

  async getService(name: string): Promise<ServiceRecord | null> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.service(name), ConsistentRead: true }));
    return res.Item ? toService(res.Item) : null;
  }

  async listServices(): Promise<ServiceRecord[]> {
    const items = await this.queryAll({ TableName: this.table, IndexName: GSI2, KeyConditionExpression: 'GSI2PK = :p', ExpressionAttributeValues: { ':p': keys.SERVICES } });
    return items.map(toService);
  }

  async findServiceByRepository(repository: string): Promise<ServiceRecord | null> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI1,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.repoIndex(repository) },
        Limit: 1,
      }),
    );
    const hit = res.Items?.[0];
    // GSIs are eventually consistent: re-read the item itself for its lock and stable revision.
    return hit ? this.getService(hit.name as string) : null;
  }

  async createRollout(rollout: Rollout, audit: AuditEntry[]): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.rollout(rollout.rolloutId),
            type: 'rollout',
            ...rollout,
            audit,
            GSI1PK: keys.serviceIndex(rollout.service),
            GSI1SK: keys.rolloutIndexSk(rollout.createdAt, rollout.rolloutId),
            GSI2PK: keys.ACTIVE,
            GSI2SK: `${rollout.createdAt}#${rollout.rolloutId}`,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async getRollout(rolloutId: string): Promise<RolloutView | null> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.rollout(rolloutId), ConsistentRead: true }));
    return res.Item ? toRollout(res.Item) : null;
  }

  async updateStatus(rolloutId: string, expectedVersion: number, status: RolloutStatus, audit: AuditEntry[], stableRevision?: Revision | null): Promise<RolloutView> {
    const withStable = stableRevision !== undefined;
    const terminal = status.outcome !== undefined && status.completedAt !== undefined;
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.rollout(rolloutId),
          UpdateExpression: `SET #status = :status, version = :next, updatedAt = :now, audit = list_append(if_not_exists(audit, :empty), :audit)${withStable ? ', stableRevision = :stable' : ''}${terminal ? ' REMOVE GSI2PK, GSI2SK' : ''}`,
          ConditionExpression: 'version = :expected',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':next': expectedVersion + 1,
            ':expected': expectedVersion,
            ':now': new Date().toISOString(),
            ':audit': audit,
            ':empty': [],
            ...(withStable ? { ':stable': stableRevision } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRollout(res.Attributes!);
    } catch (e) {
      if (isConditionFailure(e)) throw new ConcurrentUpdateError(`rollout ${rolloutId} changed since version ${expectedVersion}`);
      throw e;
    }
  }

  async putMeasurement(rolloutId: string, seq: number, measurement: Measurement): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.measurement(rolloutId, measurement.stepIndex, seq), type: 'measurement', rolloutId, seq, ...measurement },
      }),
    );
  }

  async listMeasurements(rolloutId: string): Promise<Measurement[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :m)',
      ExpressionAttributeValues: { ':pk': keys.rollout(rolloutId).PK, ':m': 'MEAS#' },
      ConsistentRead: true,
    });
    return items.map(({ PK: _pk, SK: _sk, type: _t, rolloutId: _r, seq: _s, ...m }) => m as unknown as Measurement);
  }

  async listRollouts(query: { service: string; limit?: number }): Promise<RolloutView[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI1,
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :r)',
        ExpressionAttributeValues: { ':pk': keys.serviceIndex(query.service), ':r': 'ROLLOUT#' },
        ScanIndexForward: false,
        Limit: query.limit ?? 50,
      }),
    );
    return (res.Items ?? []).map(toRollout);
  }

  async listActiveRollouts(): Promise<RolloutView[]> {
    const items = await this.queryAll({ TableName: this.table, IndexName: GSI2, KeyConditionExpression: 'GSI2PK = :a', ExpressionAttributeValues: { ':a': keys.ACTIVE } });
    // The index is eventually consistent: confirm each against the item.
    const fresh = await Promise.all(items.map((i) => this.getRollout(i.rolloutId as string)));
    return fresh.filter((r): r is RolloutView => r !== null && !r.status.completedAt);
  }

  async acquireLock(service: string, rolloutId: string): Promise<{ acquired: boolean; holder: string | null }> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.service(service),
          UpdateExpression: 'SET activeRolloutId = :id, lockedAt = :now',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(activeRolloutId) OR activeRolloutId = :id)',
          ExpressionAttributeValues: { ':id': rolloutId, ':now': new Date().toISOString() },
        }),
      );
      return { acquired: true, holder: rolloutId };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const svc = await this.getService(service);
      return { acquired: false, holder: svc?.activeRolloutId ?? null };
    }
  }

  async seedStableRevision(service: string, revision: Revision): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.service(service),
          UpdateExpression: 'SET stableRevision = :rev',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(stableRevision)',
          ExpressionAttributeValues: { ':rev': revision },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async releaseLock(service: string, rolloutId: string, stableRevision?: Revision): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.service(service),
          UpdateExpression: stableRevision ? 'REMOVE activeRolloutId, lockedAt SET stableRevision = :rev' : 'REMOVE activeRolloutId, lockedAt',
          ConditionExpression: 'activeRolloutId = :id',
          ExpressionAttributeValues: { ':id': rolloutId, ...(stableRevision ? { ':rev': stableRevision } : {}) },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e; // not ours (already released): nothing to do
    }
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const out: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
      out.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
