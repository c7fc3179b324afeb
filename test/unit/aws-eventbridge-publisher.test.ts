import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher, EventPublishError, InvalidEventError } from '../../adapters/aws/eventbridge-publisher.js';
import { RolloutStarted, StepCompleted, type DeliveryEvent } from '../../events/delivery.js';

const BUS = 'lumina-delivery';
const base = {
  version: '1' as const,
  rolloutId: 'demo-20261122T100000-1a2b3c4d',
  service: 'demo',
  environment: 'production',
  image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/demo:v2@sha256:2222',
  at: '2026-11-22T10:00:05.000Z',
};
const step = (i: number): DeliveryEvent => ({ definition: StepCompleted, detail: { ...base, stepIndex: i, stepKind: 'setWeight', canaryWeight: 10 } });
const started: DeliveryEvent = {
  definition: RolloutStarted,
  detail: { ...base, strategy: 'canary', stableImage: null, trigger: { kind: 'ecr-push', id: 'e-1', actor: 'event:e-1' } },
};

let eb: AwsClientStub<EventBridgeClient>;
let sleeps: number[];
let publisher: EventBridgePublisher;
const ok = (entries: PutEventsRequestEntry[]) => ({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `id-${i}` })) });

beforeEach(() => {
  const client = new EventBridgeClient({ region: 'us-east-1' });
  eb = mockClient(client);
  sleeps = [];
  publisher = new EventBridgePublisher(client, BUS, { sleep: async (ms) => void sleeps.push(ms) });
});

describe('EventBridgePublisher', () => {
  it('sends Source, DetailType, Detail (JSON) and EventBusName', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ok(input.Entries));
    await publisher.publish([started]);
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input)).toEqual([
      { Entries: [{ Source: 'lumina.delivery', DetailType: 'Rollout Started', Detail: JSON.stringify(started.detail), EventBusName: BUS }] },
    ]);
  });

  it('publishes 23 events in batches of 10, 10 and 3, in order', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ok(input.Entries));
    await publisher.publish(Array.from({ length: 23 }, (_, i) => step(i)));
    const batches = eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat().map((e) => JSON.parse(e.Detail!).stepIndex)).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it('does nothing for no events', async () => {
    await publisher.publish([]);
    expect(eb.calls()).toHaveLength(0);
  });

  it('rejects an invalid detail, with its path, before any call — even when other events are valid', async () => {
    const bad = { definition: StepCompleted, detail: { ...base, stepIndex: 0, stepKind: 'setWeight', canaryWeight: 120 } } as DeliveryEvent;
    const noActor = { definition: RolloutStarted, detail: { ...started.detail, trigger: { kind: 'api', id: 'r-1' } } } as unknown as DeliveryEvent;
    await expect(publisher.publish([started, bad])).rejects.toThrow(InvalidEventError);
    await expect(publisher.publish([bad])).rejects.toMatchObject({ name: 'InvalidEventError', detailType: 'Rollout Step Completed', issues: [{ path: 'canaryWeight' }] });
    await expect(publisher.publish([noActor])).rejects.toThrow(/trigger\.actor/);
    expect(eb.calls()).toHaveLength(0);
  });

  it('retries only the failed entries, then succeeds', async () => {
    const failure: PutEventsResultEntry = { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
    eb.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 2, Entries: [{ EventId: 'a' }, failure, { EventId: 'c' }, failure] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }, { EventId: 'd' }] });
    await publisher.publish([step(0), step(1), step(2), step(3)]);
    const calls = eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.map((e) => JSON.parse(e.Detail!).stepIndex));
    expect(calls).toEqual([
      [0, 1, 2, 3],
      [1, 3],
    ]);
    expect(sleeps).toEqual([100]);
  });

  it('gives up after 3 retries and reports ErrorCode and ErrorMessage', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((e) => (JSON.parse(e.Detail!).stepIndex === 1 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try later' } : { EventId: 'x' })),
    }));
    const err = await publisher.publish([step(0), step(1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventPublishError);
    expect((err as EventPublishError).failures).toEqual([{ detailType: 'Rollout Step Completed', errorCode: 'InternalFailure', errorMessage: 'try later' }]);
    expect((err as Error).message).toContain('InternalFailure try later');
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([2, 1, 1, 1]);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('a failing batch does not stop the next ones; the error lists every entry that failed', async () => {
    // The whole first batch (events 0–9) is refused every time; the second (10, 11) goes through.
    eb.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      const failed = (e: PutEventsRequestEntry) => JSON.parse(e.Detail!).stepIndex < 10;
      return {
        FailedEntryCount: input.Entries.filter(failed).length,
        Entries: input.Entries.map((e) => (failed(e) ? { ErrorCode: 'AccessDeniedException', ErrorMessage: 'denied' } : { EventId: 'x' })),
      };
    });
    const err = (await publisher.publish(Array.from({ length: 12 }, (_, i) => step(i))).catch((e: unknown) => e)) as EventPublishError;
    expect(err).toBeInstanceOf(EventPublishError);
    expect(err.failures).toHaveLength(10);
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 10, 10, 2]);
  });
});
