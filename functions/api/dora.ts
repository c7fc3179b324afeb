import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import type { DoraQuery, DoraQueryResult } from '../../adapters/dynamo/dora-store.js';
import type { Clock } from '../../core/delivery/ports.js';
import { addDays, BUCKETS, DaySchema, dayOf, daysBetween } from '../../core/dora/time.js';
import { HttpError, json } from './http-errors.js';

/**
 * `GET /api/dora?service=&environment=&team=&from=&to=&bucket=day|week|month` — DORA metrics, their levels and
 * the counts they come from (core/dora/README.md has the conventions). Defaults: the last 30 days ending today
 * (UTC, both ends inclusive), weekly buckets, environment `production`, every service. Any invalid parameter →
 * 400 `InvalidQuery` naming it. The query reads rollups and reseals month summaries (a write).
 */

export interface DoraReader {
  query(q: DoraQuery): Promise<DoraQueryResult>;
}

export interface DoraDeps {
  dora?: DoraReader;
}

export const DEFAULT_DORA_DAYS = 30;
const MAX_DAYS = 3 * 366;
const Name = z.string().min(1).max(200);

const Query = z
  .strictObject({
    service: Name.optional(),
    environment: Name.default('production'),
    team: Name.optional(),
    from: DaySchema.optional(),
    to: DaySchema.optional(),
    bucket: z.enum(BUCKETS).default('week'),
  });

const issuePath = (i: z.core.$ZodIssue): string =>
  i.code === 'unrecognized_keys' ? (i.keys[0] ?? '(query)') : i.path.map(String).join('.') || '(query)';

function invalid(issues: { path: string; message: string }[]): never {
  const first = issues[0]!;
  throw new HttpError(400, 'InvalidQuery', `${first.path}: ${first.message}`, issues);
}

/** The validated query with its window filled in. */
export function doraQueryOf(params: Record<string, string | undefined>, today: string): DoraQuery & { from: string; to: string } {
  const r = Query.safeParse(params);
  if (!r.success) invalid(r.error.issues.map((i) => ({ path: issuePath(i), message: i.code === 'unrecognized_keys' ? 'unknown parameter' : i.message })));
  const q = r.data;
  const to = q.to ?? (q.from && q.from > today ? q.from : today);
  const from = q.from ?? addDays(to, -(DEFAULT_DORA_DAYS - 1));
  if (from > to) invalid([{ path: 'from', message: `must not be after to (${to})` }]);
  if (daysBetween(from, to) > MAX_DAYS) invalid([{ path: 'to', message: `a window spans at most ${MAX_DAYS} days` }]);
  return { ...q, from, to };
}

export async function handleDora(event: APIGatewayProxyEventV2, deps: DoraDeps & { clock?: Clock }): Promise<APIGatewayProxyStructuredResultV2> {
  if (!deps.dora) throw new Error('the API handler was built without the DORA store');
  const today = dayOf((deps.clock?.now() ?? new Date()).getTime());
  const query = doraQueryOf(event.queryStringParameters ?? {}, today);
  return json(200, await deps.dora.query(query));
}
