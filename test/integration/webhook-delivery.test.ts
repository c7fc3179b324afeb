import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoWebhookStore, packPayload, WEBHOOK_PAYLOAD_LIMIT, webhookKey } from '../../adapters/dynamo/webhook-store.js';
import { receiveWebhook, type CiEventPublisher } from '../../core/webhooks/receive.js';
import type { CiEvent } from '../../events/ci.js';
import { startDynamo, type LocalDynamo } from '../../local/dynamo.js';
import { fixture, genericRequest, SECRET } from '../fixtures/webhooks/requests.js';

/** The real store on dynalite; the bus is a recorder that can be told to fail (the edge, not the part under test). */
class RecordingBus implements CiEventPublisher {
  published: CiEvent[][] = [];
  failNext = 0;
  async publish(events: CiEvent[]) {
    if (this.failNext > 0) {
      this.failNext--;
      const e = new Error('PutEvents unavailable');
      e.name = 'EventPublishError';
      throw e;
    }
    this.published.push(events);
  }
}

let dynamo: LocalDynamo;
let store: DynamoWebhookStore;
beforeAll(async () => {
  dynamo = await startDynamo();
  store = new DynamoWebhookStore(dynamo.doc, dynamo.table);
});
afterAll(async () => dynamo?.close());

const storedKeys = async () => ((await dynamo.doc.send(new ScanCommand({ TableName: dynamo.table }))).Items ?? []).filter((i) => String(i.PK).startsWith('WEBHOOK#')).map((i) => i.dedupeKey as string);
const change = (id: string) => ({ ...fixture('generic/change.json'), id });

describe('webhook delivery: claim, publish, mark published', () => {
  it('an accepted delivery is stored once with its raw body (no signature) and published once', async () => {
    const bus = new RecordingBus();
    const req = genericRequest(change('d-1'));
    const r = await receiveWebhook(req, { store, bus });
    expect(r).toMatchObject({ status: 202, outcome: 'accepted', dedupeKey: 'generic:d-1', body: { accepted: true } });
    expect(bus.published).toHaveLength(1);
    expect(bus.published[0]![0]!.detail).toMatchObject({ commitSha: '5f4e3d2c1b0a99887766554433221100ffeeddcc', deliveryId: 'd-1' });
    const stored = await store.get('generic:d-1');
    expect(stored).toMatchObject({ provider: 'generic', published: true, payloadTruncated: false, events: 1, payloadBytes: Buffer.byteLength(req.rawBody) });
    expect(stored!.payload.toString('utf8')).toBe(req.rawBody);
    expect(stored!.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.stringify(stored)).not.toContain('v1=');
  });

  it('a redelivery after publication is a duplicate: 200 { duplicate: true }, nothing published, still one item', async () => {
    const bus = new RecordingBus();
    await receiveWebhook(genericRequest(change('d-2')), { store, bus });
    const again = await receiveWebhook(genericRequest(change('d-2')), { store, bus });
    expect(again).toEqual({ status: 200, body: { duplicate: true }, outcome: 'duplicate', dedupeKey: 'generic:d-2' });
    expect(bus.published).toHaveLength(1);
    expect((await storedKeys()).filter((k) => k === 'generic:d-2')).toHaveLength(1);
  });

  it('a crash between the claim and the publish converges: the item stays unpublished, the redelivery publishes and marks it', async () => {
    const bus = new RecordingBus();
    bus.failNext = 1;
    await expect(receiveWebhook(genericRequest(change('d-3')), { store, bus })).rejects.toThrow('PutEvents unavailable');
    expect(await store.get('generic:d-3')).toMatchObject({ published: false });
    const retry = await receiveWebhook(genericRequest(change('d-3')), { store, bus });
    expect(retry).toMatchObject({ status: 202, outcome: 'republished' });
    expect(bus.published).toHaveLength(1);
    expect(await store.get('generic:d-3')).toMatchObject({ published: true });
    expect((await receiveWebhook(genericRequest(change('d-3')), { store, bus })).outcome).toBe('duplicate');
  });

  it('ten concurrent deliveries of one key: one item, one claim, every answer a success', async () => {
    const bus = new RecordingBus();
    const answers = await Promise.all(Array.from({ length: 10 }, () => receiveWebhook(genericRequest(change('d-4')), { store, bus })));
    expect(answers.filter((a) => a.outcome === 'accepted')).toHaveLength(1);
    for (const a of answers) expect([200, 202]).toContain(a.status);
    expect((await storedKeys()).filter((k) => k === 'generic:d-4')).toHaveLength(1);
    expect(await store.get('generic:d-4')).toMatchObject({ published: true });
  });

  it.each([
    ['a bad signature', () => genericRequest(change('d-5'), { secret: 'not-the-secret' }), 401, 'signature_invalid'],
    ['a malformed body', () => ({ ...genericRequest('{"type":'), secrets: [SECRET] }), 400, 'malformed_json'],
    ['a wrong media type', () => ({ ...genericRequest(change('d-6')), headers: { ...genericRequest(change('d-6')).headers, 'content-type': 'text/plain' } }), 415, 'unsupported_media_type'],
  ])('%s answers what ingestWebhook says and stores and publishes nothing', async (_what, request, status, code) => {
    const bus = new RecordingBus();
    const before = await storedKeys();
    const r = await receiveWebhook(request(), { store, bus });
    expect(r).toMatchObject({ status, outcome: 'rejected', body: { error: { code } } });
    expect(await storedKeys()).toEqual(before);
    expect(bus.published).toEqual([]);
  });

  it('a ping is answered and not stored', async () => {
    const before = await storedKeys();
    const r = await receiveWebhook(genericRequest(fixture('generic/ping.json')), { store, bus: new RecordingBus() });
    expect(r).toMatchObject({ status: 200, outcome: 'pong' });
    expect(await storedKeys()).toEqual(before);
  });
});

describe('raw body storage limits', () => {
  it('JSON up to the 1 MiB ingest cap is kept whole, gzip-compressed', () => {
    const body = Buffer.from(JSON.stringify({ commits: Array.from({ length: 6000 }, (_, i) => ({ id: i.toString(16).padStart(40, '0'), message: 'fix the thing '.repeat(8) })) }).slice(0, 1024 * 1024));
    const { payload, truncated } = packPayload(body);
    expect(truncated).toBe(false);
    expect(payload.byteLength).toBeLessThan(WEBHOOK_PAYLOAD_LIMIT);
  });
  it('an incompressible body beyond the limit is kept truncated, under the limit, and stored (item < 400 KB)', async () => {
    const body = randomBytes(1024 * 1024);
    const { payload, truncated } = packPayload(body);
    expect(truncated).toBe(true);
    expect(payload.byteLength).toBeLessThanOrEqual(WEBHOOK_PAYLOAD_LIMIT);
    await store.claim({ key: 'generic:big', provider: 'generic', receivedAt: new Date().toISOString(), rawBody: body, headers: {}, events: 1 });
    const stored = await store.get('generic:big');
    expect(stored).toMatchObject({ payloadTruncated: true, payloadBytes: 1024 * 1024 });
    expect(stored!.payload.equals(body.subarray(0, stored!.payload.byteLength))).toBe(true);
  });
  it('a key too long for a partition key is stored under its digest', async () => {
    expect(webhookKey('generic:' + 'x'.repeat(500)).PK).toMatch(/^WEBHOOK#sha256:[0-9a-f]{64}$/);
    expect(webhookKey('github:72d3162e').PK).toBe('WEBHOOK#github:72d3162e');
  });
});
