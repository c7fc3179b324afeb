import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { compilePattern, validatePattern, type EventPattern } from '../core/events/pattern.js';

/** The envelope EventBridge delivers to targets. */
export type BusEvent = {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
};

export interface BusLogger {
  info(msg: string, extra?: object): void;
  warn(msg: string, extra?: object): void;
  error(msg: string, extra?: object): void;
}

export interface BusRule {
  name: string;
  pattern: EventPattern;
  target: (event: BusEvent) => Promise<void>;
}

/** A PutEvents request entry. `Time` may also be epoch seconds, which is how the AWS SDK sends it. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: string | Date | number;
  EventBusName?: string;
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

export interface DeadLetter {
  rule: string;
  event: BusEvent;
  error: string;
  attempts: number;
  at: string;
}

export interface LocalBusOptions {
  busName?: string;
  account?: string;
  region?: string;
  logger?: BusLogger;
  /** `attempts` is the total number of tries per delivery (first try included). */
  retry?: { attempts: number; baseDelayMs: number };
  /** Oldest dead letters are dropped beyond this many (default 1000). */
  maxDeadLetters?: number;
}

/** A whole-request failure, answered as the AWS `ValidationException`. */
export class BusValidationError extends Error {
  override name = 'ValidationException';
}

const MAX_ENTRIES = 10;
const MAX_ENTRIES_BYTES = 256 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_11 = 'application/x-amz-json-1.1';

const silent: BusLogger = { info() {}, warn() {}, error() {} };
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** ISO-8601 without milliseconds, as EventBridge writes `time`: 2024-01-01T00:00:00Z. */
export function eventTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface CompiledRule extends BusRule {
  test: (event: unknown) => boolean;
}

/**
 * The local, in-process EventBridge bus of the embedded runtime: rules are event patterns (matched by
 * core/events/pattern) with async function targets. Delivery is asynchronous and at-least-once:
 * failing targets are retried with exponential backoff, then parked in a dead-letter list that can be
 * replayed. `httpHandler()` speaks the EventBridge PutEvents wire protocol, so the AWS SDK (and the
 * code under test) can publish to it unchanged by pointing `endpoint` at it.
 */
export class LocalBus {
  readonly busName: string;
  readonly account: string;
  readonly region: string;
  private readonly log: BusLogger;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDeadLetters: number;
  private readonly rules = new Map<string, CompiledRule>();
  private readonly inflight = new Set<Promise<void>>();
  private dead: DeadLetter[] = [];
  private server: http.Server | undefined;

  constructor(opts: LocalBusOptions = {}) {
    this.busName = opts.busName ?? 'lumina';
    this.account = opts.account ?? '000000000000';
    this.region = opts.region ?? 'us-east-1';
    this.log = opts.logger ?? silent;
    this.attempts = Math.max(1, Math.floor(opts.retry?.attempts ?? 3));
    this.baseDelayMs = Math.max(0, opts.retry?.baseDelayMs ?? 200);
    this.maxDeadLetters = opts.maxDeadLetters ?? 1000;
  }

  /** Adds (or, for an existing name, replaces) a rule. Throws InvalidEventPatternError for bad patterns. */
  addRule(rule: BusRule): void {
    validatePattern(rule.pattern);
    this.rules.set(rule.name, { ...rule, test: compilePattern(rule.pattern) });
  }

  removeRule(name: string): boolean {
    return this.rules.delete(name);
  }

  /** The PutEvents API. Whole-request problems throw BusValidationError; entry problems are reported per entry. */
  async putEvents(entries: PutEventsEntry[]): Promise<PutEventsResult> {
    if (!Array.isArray(entries) || entries.length === 0)
      throw new BusValidationError("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (entries.length > MAX_ENTRIES)
      throw new BusValidationError(`1 validation error detected: Value '[${entries.length} entries]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`);
    let total = 0;
    for (const e of entries) total += entrySize(e);
    if (total > MAX_ENTRIES_BYTES) throw new BusValidationError('Total size of the entries in the request is over the limit.');

    const results: PutEventsResultEntry[] = [];
    const accepted: BusEvent[] = [];
    for (const entry of entries) {
      const built = this.buildEvent(entry);
      if ('ErrorCode' in built) {
        results.push(built);
      } else {
        results.push({ EventId: built.id });
        accepted.push(built);
      }
    }
    for (const event of accepted) await this.publish(event);
    const failed = results.filter((r) => r.ErrorCode).length;
    if (failed) this.log.warn('bus: PutEvents entries rejected', { failed, errors: results.filter((r) => r.ErrorCode) });
    return { FailedEntryCount: failed, Entries: results };
  }

  /** Dispatches a ready envelope to every matching rule; returns the matched rule names without awaiting delivery. */
  async publish(event: BusEvent): Promise<string[]> {
    const matched: string[] = [];
    for (const rule of this.rules.values()) {
      let hit = false;
      try {
        hit = rule.test(event);
      } catch (e) {
        this.log.error('bus: pattern evaluation failed', { rule: rule.name, error: (e as Error).message });
      }
      if (hit) {
        matched.push(rule.name);
        this.track(this.deliver(rule, event));
      }
    }
    this.log.info('bus: event published', { id: event.id, source: event.source, 'detail-type': event['detail-type'], rules: matched });
    return matched;
  }

  /** Resolves once every in-flight delivery (retries included) has finished. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  deadLetters(): DeadLetter[] {
    return this.dead.map((d) => ({ ...d }));
  }

  /**
   * Redelivers every dead letter to its rule (with the usual retries) and waits for the outcome.
   * Returns how many were delivered successfully; failures go back to the dead-letter list, and
   * letters whose rule has since been removed stay there.
   */
  async replayDeadLetters(): Promise<number> {
    const letters = this.dead;
    this.dead = [];
    let delivered = 0;
    const runs: Promise<void>[] = [];
    for (const letter of letters) {
      const rule = this.rules.get(letter.rule);
      if (!rule) {
        this.dead.push(letter);
        continue;
      }
      const run = this.deliver(rule, letter.event).then((ok) => {
        if (ok) delivered++;
      });
      this.track(run);
      runs.push(run);
    }
    await Promise.all(runs);
    this.log.info('bus: dead letters replayed', { replayed: runs.length, delivered });
    return delivered;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP: the EventBridge JSON 1.1 protocol (PutEvents only)

  /**
   * Request handler for the PutEvents wire protocol: POST, `Content-Type: application/x-amz-json-1.1`,
   * `X-Amz-Target: AWSEvents.PutEvents`, body `{"Entries":[...]}`. Errors use the AWS JSON error shape
   * (`{"__type","message"}` plus the `x-amzn-ErrorType` header). SigV4 signatures are NOT verified:
   * this is a local development endpoint bound to loopback by default, and any credentials work.
   */
  httpHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => void {
    return (req, res) => {
      void this.handle(req, res).catch((e: unknown) => {
        this.log.error('bus: http handler failed', { error: (e as Error).message });
        if (!res.headersSent) sendError(res, 500, 'InternalException', 'Internal error');
        else res.destroy();
      });
    };
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    if (this.server) throw new Error('LocalBus is already listening');
    const server = http.createServer(this.httpHandler());
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const actual = (server.address() as AddressInfo).port;
    this.log.info('bus: listening', { url: `http://${host}:${actual}`, bus: this.busName });
    return actual;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, 'UnknownOperationException', `Method ${req.method ?? ''} is not supported`);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      return sendError(res, 413, 'RequestEntityTooLargeException', `Request must be smaller than ${MAX_BODY_BYTES} bytes`);
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) return sendError(res, 413, 'RequestEntityTooLargeException', `Request must be smaller than ${MAX_BODY_BYTES} bytes`);

    const target = String(req.headers['x-amz-target'] ?? '');
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (target !== 'AWSEvents.PutEvents' || (contentType !== JSON_11 && contentType !== 'application/json'))
      return sendError(res, 400, 'UnknownOperationException', target ? `Operation ${target} is not supported` : 'Missing X-Amz-Target');

    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return sendError(res, 400, 'SerializationException', 'Request body is not valid JSON');
    }
    const entries = (input as { Entries?: unknown } | null)?.Entries;
    if (!Array.isArray(entries))
      return sendError(res, 400, 'ValidationException', "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null");

    try {
      const out = await this.putEvents(entries as PutEventsEntry[]);
      send(res, 200, out);
    } catch (e) {
      if (e instanceof BusValidationError) return sendError(res, 400, 'ValidationException', e.message);
      throw e;
    }
  }

  private buildEvent(entry: PutEventsEntry): BusEvent | Required<Omit<PutEventsResultEntry, 'EventId'>> {
    const invalid = (field: string, reason: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${field} is not valid. Reason: ${reason}`,
    });
    if (entry === null || typeof entry !== 'object') return invalid('Entry', 'Entry must be an object.');
    const bus = entry.EventBusName;
    if (bus !== undefined && bus !== '' && !this.acceptsBus(bus))
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    if (typeof entry.Source !== 'string' || !entry.Source) return invalid('Source', 'Source is a required argument.');
    if (typeof entry.DetailType !== 'string' || !entry.DetailType) return invalid('DetailType', 'DetailType is a required argument.');
    if (typeof entry.Detail !== 'string' || !entry.Detail) return invalid('Detail', 'Detail is a required argument.');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    const resources = entry.Resources ?? [];
    if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string'))
      return invalid('Resources', 'Resources must be a list of strings.');
    let time = new Date();
    if (entry.Time !== undefined && entry.Time !== null) {
      const t = entry.Time instanceof Date ? entry.Time : typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : new Date(entry.Time);
      if (Number.isNaN(t.getTime())) return invalid('Time', 'Time is not a valid timestamp.');
      time = t;
    }
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.account,
      time: eventTime(time),
      region: this.region,
      resources: [...resources],
      detail: detail as Record<string, unknown>,
    };
  }

  /** This bus answers to its own name, to `default`, and to an event-bus ARN ending in either. */
  private acceptsBus(nameOrArn: string): boolean {
    const name = nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
    return name === this.busName || name === 'default';
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  /** Delivers with retries; never rejects. Resolves true on success, false once dead-lettered. */
  private async deliver(rule: CompiledRule, event: BusEvent): Promise<boolean> {
    await new Promise<void>((r) => setImmediate(r)); // never run targets inside the publisher's call
    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        await rule.target(structuredClone(event));
        if (attempt > 1) this.log.info('bus: delivered after retry', { rule: rule.name, id: event.id, attempt });
        return true;
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
        if (attempt < this.attempts) {
          const delay = this.baseDelayMs * 2 ** (attempt - 1);
          this.log.warn('bus: target failed, retrying', { rule: rule.name, id: event.id, attempt, delayMs: delay, error: lastError });
          await sleep(delay);
        }
      }
    }
    this.log.error('bus: target failed, dead-lettered', { rule: rule.name, id: event.id, attempts: this.attempts, error: lastError });
    this.dead.push({ rule: rule.name, event, error: lastError, attempts: this.attempts, at: new Date().toISOString() });
    if (this.dead.length > this.maxDeadLetters) this.dead.splice(0, this.dead.length - this.maxDeadLetters);
    return false;
  }
}

/** PutEventsRequestEntry size as EventBridge computes it (Time counts 14 bytes). */
function entrySize(e: PutEventsEntry): number {
  if (e === null || typeof e !== 'object') return 0;
  let size = e.Time !== undefined && e.Time !== null ? 14 : 0;
  if (typeof e.Source === 'string') size += utf8(e.Source);
  if (typeof e.DetailType === 'string') size += utf8(e.DetailType);
  if (typeof e.Detail === 'string') size += utf8(e.Detail);
  if (Array.isArray(e.Resources)) for (const r of e.Resources) if (typeof r === 'string') size += utf8(r);
  return size;
}

/** Reads the whole body, or resolves undefined (and discards the rest) once it exceeds `limit` bytes. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_11,
    'content-length': String(Buffer.byteLength(payload)),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

function sendError(res: http.ServerResponse, status: number, type: string, message: string): void {
  send(res, status, { __type: type, message }, { 'x-amzn-errortype': type });
}
