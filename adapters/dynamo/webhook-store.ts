import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WebhookClaim, WebhookDeliveryStore } from '../../core/webhooks/receive.js';
import { isConditionFailure } from './dora-rollups.js';

/**
 * Webhook deliveries on the single table, one item per dedupe key:
 *
 *   WEBHOOK#<provider>:<delivery id>   DELIVERY   provider, receivedAt, published (false → true), publishedAt,
 *                                                 headers (no signatures or tokens), payload (gzip, binary),
 *                                                 payloadBytes, payloadSha256, payloadTruncated, events (count)
 *
 * The claim is a single conditional put (`attribute_not_exists(PK)`), so a key is stored at most once however
 * many deliveries race. Keys longer than 400 characters are stored under `WEBHOOK#sha256:<hex of the key>`.
 *
 * Payload limit: the raw body is kept gzip-compressed when that fits in 300 KiB (an item holds 400 KB; the rest
 * is headers and attributes). Bodies are at most 1 MiB by default (core/webhooks MAX_BODY_BYTES), and JSON
 * compresses 5–20×, so in practice every body fits; an incompressible body that does not is kept truncated to
 * its first 300 KiB − 1 KiB (raw bytes, gzip) with `payloadTruncated: true`. `payloadSha256` and `payloadBytes`
 * always describe the whole body (the events' `rawPayload` reference carries the same digest).
 */

export const WEBHOOK_PAYLOAD_LIMIT = 300 * 1024;
const SK = 'DELIVERY';

export const webhookKey = (key: string) => ({ PK: `WEBHOOK#${key.length <= 400 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`}`, SK });

/** The stored raw body: whole when its gzip fits the limit, else a truncated prefix. */
export function packPayload(body: Buffer): { payload: Buffer; truncated: boolean } {
  const whole = gzipSync(body);
  if (whole.byteLength <= WEBHOOK_PAYLOAD_LIMIT) return { payload: whole, truncated: false };
  return { payload: gzipSync(body.subarray(0, WEBHOOK_PAYLOAD_LIMIT - 1024)), truncated: true };
}

export interface StoredDelivery {
  key: string;
  provider: string;
  receivedAt: string;
  published: boolean;
  publishedAt?: string;
  headers: Record<string, string>;
  /** The raw body as received (or its first bytes when truncated). */
  payload: Buffer;
  payloadBytes: number;
  payloadSha256: string;
  payloadTruncated: boolean;
  events: number;
}

export class DynamoWebhookStore implements WebhookDeliveryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claim(c: WebhookClaim): Promise<{ claimed: true } | { claimed: false; published: boolean }> {
    const { payload, truncated } = packPayload(c.rawBody);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...webhookKey(c.key),
            type: 'webhook',
            dedupeKey: c.key,
            provider: c.provider,
            receivedAt: c.receivedAt,
            published: false,
            headers: c.headers,
            payload,
            payloadEncoding: 'gzip',
            payloadBytes: c.rawBody.byteLength,
            payloadSha256: createHash('sha256').update(c.rawBody).digest('hex'),
            payloadTruncated: truncated,
            events: c.events,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return { claimed: true };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
    const existing = await this.doc.send(new GetCommand({ TableName: this.table, Key: webhookKey(c.key), ConsistentRead: true, ProjectionExpression: 'published' }));
    return { claimed: false, published: existing.Item?.published === true };
  }

  async markPublished(key: string, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: webhookKey(key),
        UpdateExpression: 'SET published = :t, publishedAt = if_not_exists(publishedAt, :at)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':t': true, ':at': at },
      }),
    );
  }

  /** One delivery with its body decompressed (audit, tests). */
  async get(key: string): Promise<StoredDelivery | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: webhookKey(key), ConsistentRead: true }));
    const i = res.Item;
    if (!i) return undefined;
    return {
      key: i.dedupeKey as string,
      provider: i.provider as string,
      receivedAt: i.receivedAt as string,
      published: i.published === true,
      ...(i.publishedAt ? { publishedAt: i.publishedAt as string } : {}),
      headers: (i.headers as Record<string, string>) ?? {},
      payload: gunzipSync(Buffer.from(i.payload as Uint8Array)),
      payloadBytes: i.payloadBytes as number,
      payloadSha256: i.payloadSha256 as string,
      payloadTruncated: i.payloadTruncated === true,
      events: i.events as number,
    };
  }
}
