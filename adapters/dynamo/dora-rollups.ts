import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Contribution } from '../../core/dora/contributions.js';
import { doraKeys } from './dora-keys.js';

/**
 * Writes to the daily rollup items. A contribution is applied at most once: its id joins the item's `ids` set
 * in the same conditional write that adds its counts (`NOT contains(ids, :id)`). A retraction adds `~id` (a
 * tombstone) and subtracts the counts only if the id was applied, so a late apply of a retracted contribution is
 * refused too. After every attempt — applied, refused or retracted — the day's change mark in the year's DIR
 * item is bumped (an unconditional ADD), so a cached month summary sealed before the write is seen as stale; a
 * crash between the two writes is healed by the redelivery, which bumps the mark again.
 */

export const isConditionFailure = (e: unknown) => e instanceof ConditionalCheckFailedException || (e as Error)?.name === 'ConditionalCheckFailedException';
const isValidation = (e: unknown) => (e as Error)?.name === 'ValidationException';

export interface Entry {
  id: string;
  c: Contribution;
}

const tomb = (id: string) => `~${id}`;

function deltaClauses(c: Contribution, sign: number) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  const add = (map: 'c' | 'lt' | 'rc', entries: [string, number][]) =>
    entries.forEach(([k, n], i) => {
      names[`#${map}${i}`] = k;
      values[`:${map}${i}`] = sign * n;
      adds.push(`${map}.#${map}${i} :${map}${i}`);
    });
  add('c', Object.entries(c.counts) as [string, number][]);
  add('lt', Object.entries(c.leadTime));
  add('rc', Object.entries(c.recovery));
  return { names, values, adds };
}

export class DoraRollups {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Applies a contribution once; false if it was already applied or retracted. */
  async apply(e: Entry): Promise<boolean> {
    const { names, values, adds } = deltaClauses(e.c, 1);
    const cmd = () =>
      new UpdateCommand({
        TableName: this.table,
        Key: doraKeys.day(e.c.service, e.c.environment, e.c.day),
        UpdateExpression: `ADD ${[...adds, 'ids :idset'].join(', ')}`,
        ConditionExpression: 'NOT contains(ids, :id) AND NOT contains(ids, :tomb)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':idset': new Set([e.id]), ':id': e.id, ':tomb': tomb(e.id) },
      });
    let applied = false;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(cmd());
        applied = true;
        break;
      } catch (err) {
        if (isConditionFailure(err)) break;
        // The maps c / lt / rc do not exist yet (first write of the day): create them, then add.
        if (!isValidation(err) || attempt > 0) throw err;
        await this.init(e.c);
      }
    }
    await this.mark(e.c);
    return applied;
  }

  /** Undoes a contribution (if applied) and blocks it for good. */
  async retract(e: Entry): Promise<void> {
    const Key = doraKeys.day(e.c.service, e.c.environment, e.c.day);
    for (let attempt = 0; attempt < 10; attempt++) {
      const got = await this.doc.send(new GetCommand({ TableName: this.table, Key, ProjectionExpression: 'ids', ConsistentRead: true }));
      const ids = (got.Item?.ids as Set<string> | undefined) ?? new Set<string>();
      if (ids.has(tomb(e.id))) return this.mark(e.c);
      const applied = ids.has(e.id);
      const { names, values, adds } = applied ? deltaClauses(e.c, -1) : { names: undefined, values: {}, adds: [] };
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key,
            UpdateExpression: `ADD ${[...adds, 'ids :tombset'].join(', ')}`,
            ConditionExpression: `${applied ? 'contains' : 'NOT contains'}(ids, :id) AND NOT contains(ids, :tomb)`,
            ...(names ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: { ...values, ':tombset': new Set([tomb(e.id)]), ':id': e.id, ':tomb': tomb(e.id) },
          }),
        );
        return this.mark(e.c);
      } catch (err) {
        if (!isConditionFailure(err)) throw err; // applied or retracted meanwhile: look again
      }
    }
    throw new Error(`could not retract contribution ${e.id}`);
  }

  /** Bumps the day's change mark (and registers the service/environment for the year in GSI2). */
  private async mark(c: Contribution): Promise<void> {
    const year = c.day.slice(0, 4);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: doraKeys.dir(c.service, c.environment, year),
        UpdateExpression: 'ADD #m :one SET #s = :s, #env = :env, #type = :type, GSI2PK = :g2pk, GSI2SK = :g2sk',
        ExpressionAttributeNames: { '#m': doraKeys.markAttr(c.day), '#s': 'service', '#env': 'environment', '#type': 'type' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':s': c.service,
          ':env': c.environment,
          ':type': 'dora-dir',
          ':g2pk': doraKeys.scopeIndex(year),
          ':g2sk': doraKeys.scopeIndexSk(c.service, c.environment),
        },
      }),
    );
  }

  private async init(c: Contribution) {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: doraKeys.day(c.service, c.environment, c.day),
        UpdateExpression: 'SET c = if_not_exists(c, :e), lt = if_not_exists(lt, :e), rc = if_not_exists(rc, :e), #s = :s, #env = :env, #day = :day, #type = :type',
        ExpressionAttributeNames: { '#s': 'service', '#env': 'environment', '#day': 'day', '#type': 'type' },
        ExpressionAttributeValues: { ':e': {}, ':s': c.service, ':env': c.environment, ':day': c.day, ':type': 'dora-rollup' },
      }),
    );
  }
}
