import type { CiEvent } from '../../events/ci.js';
import { ingestWebhook, type IngestBody, type IngestRequest, type IngestStatus } from './ingest.js';
import { normalizeHeaders } from './shared.js';
import { SIGNATURE_HEADERS } from './verify.js';

/**
 * A webhook delivery from request to bus: ingest (pure, ./ingest.ts), then for an accepted delivery
 *
 *   1. claim its dedupe key with ONE conditional write that also keeps the raw body for audit, `published: false`;
 *   2. publish the normalized events (validated, awaited);
 *   3. mark the delivery `published: true`.
 *
 * A redelivery whose claim finds `published: true` is a duplicate: 200 `{ duplicate: true }`, nothing published.
 * One that finds `published: false` (the first attempt crashed or failed between 1 and 3, and answered 5xx or
 * nothing) publishes again and answers like the first acceptance: the state converges to "published once or
 * more", and consumers are idempotent (STYLE 8). Two concurrent first deliveries may both publish — the same
 * trade-off. Rejected (4xx), ping and ignored deliveries store nothing and publish nothing.
 */

export interface WebhookClaim {
  /** `<provider>:<delivery id>` (ingest's dedupe key). */
  key: string;
  provider: string;
  receivedAt: string;
  rawBody: Buffer;
  /** Request headers minus signatures, tokens and credentials. */
  headers: Record<string, string>;
  events: number;
}

export interface WebhookDeliveryStore {
  /** Conditional create; when the key exists, whether that delivery's events were published. */
  claim(claim: WebhookClaim): Promise<{ claimed: true } | { claimed: false; published: boolean }>;
  markPublished(key: string, at: string): Promise<void>;
}

export interface CiEventPublisher {
  publish(events: CiEvent[]): Promise<void>;
}

export interface ReceiveDeps {
  store: WebhookDeliveryStore;
  bus: CiEventPublisher;
  /** When the events went out (`publishedAt`); default the system clock. */
  now?: () => Date;
}

export type ReceiveOutcome = 'rejected' | 'pong' | 'ignored' | 'accepted' | 'duplicate' | 'republished';

export interface ReceiveResult {
  status: IngestStatus;
  body: IngestBody | { duplicate: true };
  outcome: ReceiveOutcome;
  dedupeKey?: string;
}

/** Headers never stored: what authenticates a delivery, and credentials in general. */
const SECRET_HEADERS = new Set<string>([...Object.values(SIGNATURE_HEADERS), 'x-hub-signature', 'authorization', 'cookie', 'proxy-authorization', 'x-api-key']);

export function auditHeaders(headers: IngestRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of normalizeHeaders(headers)) if (!SECRET_HEADERS.has(k)) out[k] = v;
  return out;
}

export async function receiveWebhook(req: IngestRequest, deps: ReceiveDeps): Promise<ReceiveResult> {
  const result = ingestWebhook(req);
  const key = result.dedupeKey;
  if (!result.events?.length || !key) {
    const outcome: ReceiveOutcome = result.status >= 300 ? 'rejected' : 'pong' in result.body ? 'pong' : 'ignored';
    return { status: result.status, body: result.body, outcome, ...(key ? { dedupeKey: key } : {}) };
  }
  const claim = await deps.store.claim({
    key,
    provider: req.provider,
    receivedAt: req.now.toISOString(),
    rawBody: typeof req.rawBody === 'string' ? Buffer.from(req.rawBody, 'utf8') : req.rawBody,
    headers: auditHeaders(req.headers),
    events: result.events.length,
  });
  if (!claim.claimed && claim.published) return { status: 200, body: { duplicate: true }, outcome: 'duplicate', dedupeKey: key };
  await deps.bus.publish(result.events);
  await deps.store.markPublished(key, (deps.now?.() ?? new Date()).toISOString());
  return { status: result.status, body: result.body, outcome: claim.claimed ? 'accepted' : 'republished', dedupeKey: key };
}
