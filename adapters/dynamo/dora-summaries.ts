import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Counts, Rollup } from '../../core/dora/contributions.js';
import { monthOf } from '../../core/dora/time.js';
import { GSI2 } from './keys.js';
import { doraKeys } from './dora-keys.js';

/**
 * Reads daily rollups for a window through per-month summaries. A one-year query reads the year's DIR item (the
 * change mark of every day), 12 MONTH items, and only the DAY items whose mark moved since their month was
 * sealed — then reseals those months. A DAY item carries its ids set (idempotence), so reading 365 of them costs
 * far more than 12 summaries; the marks make a stale summary impossible to trust (see dora-rollups.ts).
 */

type Item = Record<string, unknown>;
interface SealedDay {
  /** The day's mark read before the day item was: later writes show as a larger mark. */
  seen: number;
  c: Counts;
  lt: Record<string, number>;
  rc: Record<string, number>;
}

const nonZero = (m: unknown): Record<string, number> =>
  Object.fromEntries(Object.entries((m as Record<string, number> | undefined) ?? {}).filter(([, n]) => typeof n === 'number' && n !== 0));
const isEmpty = (d: { c: object; lt: object; rc: object }) => !Object.keys(d.c).length && !Object.keys(d.lt).length && !Object.keys(d.rc).length;
const yearsOf = (from: string, to: string) => Array.from({ length: Number(to.slice(0, 4)) - Number(from.slice(0, 4)) + 1 }, (_, i) => String(Number(from.slice(0, 4)) + i));

export interface ReadStats {
  dayItemsRead: number;
  monthsResealed: number;
}

export class DoraSummaries {
  /** Counters of the last read, for the benchmark and tests. */
  lastRead: ReadStats = { dayItemsRead: 0, monthsResealed: 0 };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Every (service, environment) with data in [from, to]'s years. */
  async scopes(from: string, to: string): Promise<{ service: string; environment: string }[]> {
    const seen = new Map<string, { service: string; environment: string }>();
    for (const year of yearsOf(from, to)) {
      let start: Item | undefined;
      do {
        const res = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: GSI2,
            KeyConditionExpression: 'GSI2PK = :pk',
            ExpressionAttributeValues: { ':pk': doraKeys.scopeIndex(year) },
            ProjectionExpression: '#s, #env',
            ExpressionAttributeNames: { '#s': 'service', '#env': 'environment' },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const i of res.Items ?? []) seen.set(JSON.stringify([i.service, i.environment]), { service: i.service as string, environment: i.environment as string });
        start = res.LastEvaluatedKey;
      } while (start);
    }
    return [...seen.values()];
  }

  /** The non-empty daily rollups of one service/environment in [from, to], oldest first. */
  async forService(service: string, environment: string, from: string, to: string): Promise<Rollup[]> {
    const marks = new Map<string, number>();
    const dirs = await Promise.all(yearsOf(from, to).map((y) => this.doc.send(new GetCommand({ TableName: this.table, Key: doraKeys.dir(service, environment, y), ConsistentRead: true }))));
    for (const d of dirs) {
      for (const [k, v] of Object.entries(d.Item ?? {})) {
        const day = k.slice(1);
        if (k.startsWith('m') && day >= from && day <= to && typeof v === 'number') marks.set(day, v);
      }
    }
    if (!marks.size) return [];
    const months = new Map<string, Record<string, SealedDay>>();
    let start: Item | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :a AND :b',
          ExpressionAttributeValues: { ':pk': doraKeys.rollupPk(service, environment), ':a': doraKeys.monthSk(monthOf(from)), ':b': doraKeys.monthSk(monthOf(to)) },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of res.Items ?? []) months.set((i.SK as string).slice('MONTH#'.length), JSON.parse(i.days as string));
      start = res.LastEvaluatedKey;
    } while (start);

    const stale = [...marks].filter(([day, mark]) => !((months.get(monthOf(day))?.[day]?.seen ?? -1) >= mark)).map(([day]) => day);
    const fresh = await this.readDays(service, environment, stale);
    const touched = new Set<string>();
    for (const day of stale) {
      const m = monthOf(day);
      months.set(m, { ...months.get(m), [day]: { seen: marks.get(day)!, ...(fresh.get(day) ?? { c: {}, lt: {}, rc: {} }) } });
      touched.add(m);
    }
    await Promise.all(
      [...touched].map((m) =>
        this.doc.send(new PutCommand({ TableName: this.table, Item: { ...doraKeys.month(service, environment, m), type: 'dora-month', days: JSON.stringify(months.get(m)) } })),
      ),
    );
    this.lastRead = { dayItemsRead: stale.length, monthsResealed: touched.size };

    const out: Rollup[] = [];
    for (const day of [...marks.keys()].sort()) {
      const d = months.get(monthOf(day))![day]!;
      if (!isEmpty(d)) out.push({ service, environment, day, counts: d.c, leadTime: d.lt, recovery: d.rc });
    }
    return out;
  }

  private async readDays(service: string, environment: string, days: string[]): Promise<Map<string, Omit<SealedDay, 'seen'>>> {
    const out = new Map<string, Omit<SealedDay, 'seen'>>();
    for (let i = 0; i < days.length; i += 100) {
      let keys: Item[] | undefined = days.slice(i, i + 100).map((d) => doraKeys.day(service, environment, d));
      while (keys?.length) {
        const res = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'SK, c, lt, rc' } },
          }),
        );
        for (const it of res.Responses?.[this.table] ?? []) out.set((it.SK as string).slice('DAY#'.length), { c: nonZero(it.c) as Counts, lt: nonZero(it.lt), rc: nonZero(it.rc) });
        keys = res.UnprocessedKeys?.[this.table]?.Keys as Item[] | undefined;
      }
    }
    return out;
  }
}
