/**
 * The dashboard's view of the HTTP API (functions/api/, functions/flags/): plain fetch, JSON in and out. The shapes
 * below are what the dashboard reads of each answer, not the full documents.
 */

export interface ServiceSummary {
  name: string;
  repository: string;
  environment: string;
  stableImage: string | null;
  activeRolloutId: string | null;
}

export interface RolloutSummary {
  rolloutId: string;
  service: string;
  environment: string;
  image: string;
  phase: string;
  message: string;
  step: { index: number; total: number };
  weights: { stable: number; canary: number };
  outcome: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  reason: string;
  data?: Record<string, unknown>;
}

export interface MetricResult {
  metric: string;
  value: number | string | null;
  threshold: number | string;
  verdict: string;
  reason: string;
}

export interface Judgement {
  mode: string;
  verdict: string;
  reason: string;
  score: number | null;
  explanation: string;
  metrics: { metric: string; label: string; explanation: string }[];
}

export interface Measurement {
  stepIndex: number;
  stage: number;
  from: string;
  to: string;
  requests: number | null;
  verdict: string;
  results: MetricResult[];
  error?: string;
  judgement?: Judgement;
}

export interface RolloutDetail extends RolloutSummary {
  audit: AuditEntry[];
  measurements: Measurement[];
}

/** An answer that was not 2xx: the API's `{error: {code, message}}` when it sent one. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? `HTTP${res.status}`, err?.message ?? `${res.status} ${res.statusText}`);
  }
  return body;
}

export const getJson = async <T>(path: string): Promise<T> => (await parse(await fetch(path, { headers: { accept: 'application/json' } }))) as T;

export async function postJson<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return (await parse(res)) as T;
}

/** A POST whose non-2xx answers are data, not errors (the flags playground shows them). */
export async function postRaw(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  try {
    return { status: res.status, body: text ? JSON.parse(text) : null };
  } catch {
    return { status: res.status, body: text };
  }
}

export const COMMANDS = ['promote', 'promote-full', 'pause', 'resume', 'approve', 'reject', 'abort', 'rollback'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** `POST /api/rollouts/{id}/{command}` as `actor`; promote-full is promote with `{"full": true}`. */
export function sendCommand(id: string, command: CommandName, reason: string, actor: string): Promise<{ message: string; rolloutId?: string }> {
  const route = command === 'promote-full' ? 'promote' : command;
  const body = { ...(reason ? { reason } : {}), ...(command === 'promote-full' ? { full: true } : {}) };
  return postJson(`/api/rollouts/${encodeURIComponent(id)}/${route}`, body, actor ? { 'x-lumina-actor': actor } : {});
}

export const TERMINAL_PHASES = ['Healthy', 'RolledBack', 'Aborted', 'Failed'];
