import * as z from 'zod';

/** The bus our own events travel on (the default bus in AWS receives aws.* events). */
export const DELIVERY_SOURCE = 'lumina.delivery';

export interface EventDefinition<S extends z.ZodType> {
  source: string;
  detailType: string;
  /** Schema version carried in `detail.version`; bump only with additive changes. */
  version: string;
  schema: S;
}

export function defineEvent<S extends z.ZodType>(def: EventDefinition<S>): EventDefinition<S> {
  return def;
}

/** The EventBridge envelope around a detail, as rules and targets receive it. */
export const envelope = <S extends z.ZodType>(detail: S) =>
  z.object({
    version: z.string(),
    id: z.string().min(1),
    'detail-type': z.string(),
    source: z.string(),
    account: z.string(),
    time: z.string(),
    region: z.string(),
    resources: z.array(z.string()),
    detail,
  });
