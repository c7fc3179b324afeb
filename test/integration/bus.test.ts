import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidEventPatternError } from '../../core/events/pattern.js';
import { LocalBus, type BusEvent } from '../../local/bus.js';

const ISO_NO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('LocalBus over the EventBridge wire protocol (real AWS SDK)', () => {
  const bus = new LocalBus({ retry: { attempts: 3, baseDelayMs: 10 } });
  let client: EventBridgeClient;
  let endpoint: string;
  const received = new Map<string, BusEvent[]>();
  const record = (rule: string) => async (e: BusEvent) => {
    received.set(rule, [...(received.get(rule) ?? []), e]);
  };

  beforeAll(async () => {
    bus.addRule({ name: 'pushes', pattern: { source: ['lumina.test'], 'detail-type': ['Image Pushed'], detail: { tag: [{ prefix: 'v' }] } }, target: record('pushes') });
    bus.addRule({ name: 'rollbacks', pattern: { source: ['lumina.test'], 'detail-type': ['Rollback'] }, target: record('rollbacks') });
    const port = await bus.listen(0);
    endpoint = `http://127.0.0.1:${port}`;
    client = new EventBridgeClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    await bus.close();
  });

  afterEach(async () => {
    await bus.drain();
    received.clear();
  });

  it('delivers the full envelope to a matching rule, not to a non-matching one', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'lumina.test',
            DetailType: 'Image Pushed',
            Detail: JSON.stringify({ repository: 'checkout', tag: 'v1.2.3', nested: { ok: true } }),
            Resources: ['arn:aws:ecr:us-east-1:000000000000:repository/checkout'],
            Time: new Date('2024-01-01T00:00:00.456Z'),
            EventBusName: 'lumina',
          },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    const eventId = out.Entries?.[0]?.EventId;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);

    await bus.drain();
    expect(received.get('rollbacks')).toBeUndefined();
    expect(received.get('pushes')).toEqual([
      {
        version: '0',
        id: eventId,
        'detail-type': 'Image Pushed',
        source: 'lumina.test',
        account: '000000000000',
        time: '2024-01-01T00:00:00Z',
        region: 'us-east-1',
        resources: ['arn:aws:ecr:us-east-1:000000000000:repository/checkout'],
        detail: { repository: 'checkout', tag: 'v1.2.3', nested: { ok: true } },
      },
    ]);
  });

  it('defaults time to now (no milliseconds) and resources to []', async () => {
    const before = Date.now();
    await client.send(new PutEventsCommand({ Entries: [{ Source: 'lumina.test', DetailType: 'Rollback', Detail: '{"service":"checkout"}' }] }));
    await bus.drain();
    const [event] = received.get('rollbacks') ?? [];
    expect(event?.time).toMatch(ISO_NO_MS);
    expect(Date.parse(event?.time ?? '')).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(event?.resources).toEqual([]);
    expect(received.get('pushes')).toBeUndefined();
  });

  it('reports invalid entries per entry and still delivers the valid ones', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'lumina.test', DetailType: 'Rollback', Detail: 'not json' },
          { Source: 'lumina.test', DetailType: 'Rollback', Detail: '[1,2]' },
          { DetailType: 'Rollback', Detail: '{}' },
          { Source: 'lumina.test', Detail: '{}' },
          { Source: 'lumina.test', DetailType: 'Rollback' },
          { Source: 'lumina.test', DetailType: 'Rollback', Detail: '{}', EventBusName: 'other-bus' },
          { Source: 'lumina.test', DetailType: 'Rollback', Detail: '{"n":1}', EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/default' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(6);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'ResourceNotFoundException',
      'ok',
    ]);
    expect(out.Entries?.[0]?.ErrorMessage).toBe('Detail is malformed.');
    expect(out.Entries?.[2]?.ErrorMessage).toBe('Parameter Source is not valid. Reason: Source is a required argument.');
    expect(out.Entries?.[6]?.EventId).toBeTruthy();
    await bus.drain();
    expect(received.get('rollbacks')?.map((e) => e.detail)).toEqual([{ n: 1 }]);
  });

  it('rejects more than 10 entries with a ValidationException', async () => {
    const entry = { Source: 'lumina.test', DetailType: 'Rollback', Detail: '{}' };
    const err = await client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('ValidationException');
    expect((err as Error).message).toMatch(/less than or equal to 10/);
    expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(400);
    await bus.drain();
    expect(received.size).toBe(0);
  });

  it('rejects entries totalling more than 256 KB with a ValidationException', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(140 * 1024) });
    const err = await client
      .send(new PutEventsCommand({ Entries: [1, 2].map(() => ({ Source: 'lumina.test', DetailType: 'Rollback', Detail: big })) }))
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe('ValidationException');
    expect((err as Error).message).toMatch(/over the limit/);
  });

  it('answers an unknown X-Amz-Target with UnknownOperationException', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutRule' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await res.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers 400 ValidationException when Entries is missing', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'ValidationException' });
  });

  it('answers 413 for bodies over 1 MiB', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: JSON.stringify({ Entries: [{ Source: 's', DetailType: 'd', Detail: JSON.stringify({ x: 'y'.repeat(1024 * 1024) }) }] }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
  });

  it('accepts a plain fetch with application/json and epoch-seconds Time', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: JSON.stringify({ Entries: [{ Source: 'lumina.test', DetailType: 'Rollback', Detail: '{"via":"fetch"}', Time: 1704067200 }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    const out = (await res.json()) as { FailedEntryCount: number; Entries: Array<{ EventId: string }> };
    expect(out.FailedEntryCount).toBe(0);
    await bus.drain();
    expect(received.get('rollbacks')?.[0]).toMatchObject({ id: out.Entries[0]?.EventId, time: '2024-01-01T00:00:00Z', detail: { via: 'fetch' } });
  });
});

describe('LocalBus delivery, retries and dead letters', () => {
  const envelope = (detail: Record<string, unknown> = {}): BusEvent => ({
    version: '0',
    id: 'evt-1',
    'detail-type': 'Job',
    source: 'lumina.jobs',
    account: '000000000000',
    time: '2024-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  });

  it('retries a target that fails twice, with exponential backoff', async () => {
    const bus = new LocalBus({ retry: { attempts: 3, baseDelayMs: 20 } });
    const calls: number[] = [];
    bus.addRule({
      name: 'flaky',
      pattern: { source: ['lumina.jobs'] },
      target: async () => {
        calls.push(Date.now());
        if (calls.length <= 2) throw new Error(`boom ${calls.length}`);
      },
    });
    const out = await bus.putEvents([{ Source: 'lumina.jobs', DetailType: 'Job', Detail: '{"n":1}' }]);
    expect(out.FailedEntryCount).toBe(0);
    await bus.drain();
    expect(calls).toHaveLength(3);
    const [a, b, c] = calls as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(15); // 20 ms
    expect(c - b).toBeGreaterThanOrEqual(35); // 40 ms
    expect(bus.deadLetters()).toEqual([]);
  });

  it('dead-letters an always-failing target and replays it', async () => {
    const warnings: string[] = [];
    const bus = new LocalBus({
      retry: { attempts: 3, baseDelayMs: 1 },
      logger: { info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    });
    let healthy = false;
    const got: BusEvent[] = [];
    let calls = 0;
    bus.addRule({
      name: 'sink',
      pattern: { detail: { n: [{ numeric: ['>', 0] }] } },
      target: async (e) => {
        calls++;
        if (!healthy) throw new Error('downstream unavailable');
        got.push(e);
      },
    });
    await bus.publish(envelope({ n: 1 }));
    await bus.publish(envelope({ n: 0 })); // no match
    await bus.drain();
    expect(calls).toBe(3);
    const dead = bus.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ rule: 'sink', error: 'downstream unavailable', attempts: 3, event: { detail: { n: 1 } } });
    expect(dead[0]?.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(warnings.some((w) => w.includes('dead-lettered'))).toBe(true);

    // replaying while still broken puts it back
    expect(await bus.replayDeadLetters()).toBe(0);
    expect(bus.deadLetters()).toHaveLength(1);

    healthy = true;
    expect(await bus.replayDeadLetters()).toBe(1);
    expect(bus.deadLetters()).toEqual([]);
    expect(got).toHaveLength(1);
    expect(got[0]?.detail).toEqual({ n: 1 });
  });

  it('does not wait for targets in putEvents; drain does', async () => {
    const bus = new LocalBus();
    let done = false;
    bus.addRule({
      name: 'slow',
      pattern: { source: ['s'] },
      target: async () => {
        await new Promise((r) => setTimeout(r, 50));
        done = true;
      },
    });
    await bus.putEvents([{ Source: 's', DetailType: 'd', Detail: '{}' }]);
    expect(done).toBe(false);
    await bus.drain();
    expect(done).toBe(true);
  });

  it('gives each target its own copy of the event', async () => {
    const bus = new LocalBus();
    const seen: unknown[] = [];
    bus.addRule({ name: 'mutator', pattern: { source: ['lumina.jobs'] }, target: async (e) => void (e.detail.x = 'changed') });
    bus.addRule({ name: 'observer', pattern: { source: ['lumina.jobs'] }, target: async (e) => void seen.push(e.detail.x) });
    expect(await bus.publish(envelope({ x: 'orig' }))).toEqual(['mutator', 'observer']);
    await bus.drain();
    expect(seen).toEqual(['orig']);
  });

  it('validates rule patterns and putEvents limits in-process', async () => {
    const bus = new LocalBus();
    expect(() => bus.addRule({ name: 'bad', pattern: { detail: { n: [{ numeric: ['>', 5, '<', 1] }] } }, target: async () => {} })).toThrow(InvalidEventPatternError);
    await expect(bus.putEvents([])).rejects.toMatchObject({ name: 'ValidationException' });
    const entries = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));
    await expect(bus.putEvents(entries)).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
