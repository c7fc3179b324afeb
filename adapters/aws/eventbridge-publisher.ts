import { PutEventsCommand, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../../core/delivery/ports.js';
import type { CiEvent } from '../../events/ci.js';
import type { DeliveryEvent } from '../../events/delivery.js';

/** A detail does not match its definition's schema; nothing was published. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  constructor(
    readonly detailType: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`invalid "${detailType}" detail: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

export interface EventPublishFailure {
  detailType: string;
  errorCode: string;
  errorMessage: string;
}

/** Entries EventBridge still refused after the retries. */
export class EventPublishError extends Error {
  override name = 'EventPublishError';
  constructor(readonly failures: EventPublishFailure[]) {
    super(`${failures.length} event(s) not published: ${failures.map((f) => `${f.detailType}: ${f.errorCode} ${f.errorMessage}`).join('; ')}`);
  }
}

export interface EventBridgePublisherOptions {
  /** Retries of the failed entries of a batch. Default 3. */
  maxRetries?: number;
  /** Backoff before the n-th retry: baseDelayMs × 2^(n-1). Default 100 ms. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** What the publisher needs of a client: PutEvents. An EventBridgeClient; locally also the bus in process. */
export interface PutEventsSender {
  send(command: PutEventsCommand): Promise<Pick<PutEventsCommandOutput, 'FailedEntryCount' | 'Entries'>>;
}

/** PutEvents takes at most 10 entries. */
const BATCH = 10;

const pathOf = (path: PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/**
 * Publishes delivery events to one bus. Every detail is validated against its definition's schema first (and the
 * parsed detail, i.e. the contract's fields only, is what is sent): one invalid event and nothing is published.
 * Batches of ≤ 10; entries EventBridge fails (FailedEntryCount) are retried alone, with backoff; what still fails is
 * reported in one EventPublishError after every batch was tried.
 */
export class EventBridgePublisher implements EventPublisher {
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: PutEventsSender,
    private readonly busName: string,
    options: EventBridgePublisherOptions = {},
  ) {
    this.maxRetries = options.maxRetries ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Our lifecycle events (lumina.delivery) and normalized CI events (lumina.ci, from the webhooks function). */
  async publish(events: ReadonlyArray<DeliveryEvent | CiEvent>): Promise<void> {
    const entries = events.map((e) => this.entry(e));
    const failures: EventPublishFailure[] = [];
    for (let i = 0; i < entries.length; i += BATCH) failures.push(...(await this.putBatch(entries.slice(i, i + BATCH))));
    if (failures.length) throw new EventPublishError(failures);
  }

  private entry({ definition, detail }: DeliveryEvent | CiEvent): PutEventsRequestEntry {
    const parsed = definition.schema.safeParse(detail);
    if (!parsed.success) {
      throw new InvalidEventError(
        definition.detailType,
        parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })),
      );
    }
    return { Source: definition.source, DetailType: definition.detailType, Detail: JSON.stringify(parsed.data), EventBusName: this.busName };
  }

  private async putBatch(batch: PutEventsRequestEntry[]): Promise<EventPublishFailure[]> {
    let pending = batch;
    for (let attempt = 0; ; attempt++) {
      const res = await this.client.send(new PutEventsCommand({ Entries: pending }));
      if (!res.FailedEntryCount) return [];
      // Results are positional; an entry without an EventId (or with an ErrorCode) failed.
      const failed = pending.flatMap((entry, i) => {
        const result = res.Entries?.[i];
        return result?.EventId && !result.ErrorCode ? [] : [{ entry, code: result?.ErrorCode ?? 'Unknown', message: result?.ErrorMessage ?? 'no result for this entry' }];
      });
      if (failed.length === 0) return [];
      if (attempt >= this.maxRetries) return failed.map((f) => ({ detailType: f.entry.DetailType ?? '?', errorCode: f.code, errorMessage: f.message }));
      pending = failed.map((f) => f.entry);
      await this.sleep(this.baseDelayMs * 2 ** attempt);
    }
  }
}
