import * as z from 'zod';
import {
  ChangePushed,
  CiProvider,
  DeploymentFinished,
  IncidentOpened,
  IncidentResolved,
  type ChangePushedDetail,
  type CiEvent,
  type DeploymentFinishedDetail,
  type IncidentOpenedDetail,
  type IncidentResolvedDetail,
  type RawPayloadRef,
} from '../../events/ci.js';
import { fromUnixSeconds, toUtcIso } from './time.js';

/** Headers as an HTTP layer hands them over: any case, a value or a list of values. */
export type RawHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;
/** Lowercase name → value; repeated headers are joined with ", " (RFC 9110 field-line combination). */
export type HeaderMap = ReadonlyMap<string, string>;

export function normalizeHeaders(headers: RawHeaders): HeaderMap {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const v = typeof value === 'string' ? value : value.join(', ');
    const key = name.toLowerCase();
    const prev = out.get(key);
    out.set(key, prev === undefined ? v : `${prev}, ${v}`);
  }
  return out;
}

/** Repository full name (owner/name) → service. Unmapped repositories use their name (after the last `/`). */
export type ServiceMap = Readonly<Record<string, string>> | ((repository: string) => string | undefined);

/** Marks a CI run as a deployment: which workflow / job / pipeline name, into which environment. */
export interface DeployRule {
  /** GitHub workflow name, GitLab pipeline name, Jenkins job name, CircleCI workflow name (exact match). */
  name: string;
  environment: string;
  /** Overrides the repository → service mapping. */
  service?: string;
  /** Only runs on these branches count (GitHub head_branch, GitLab ref, CircleCI vcs.branch). */
  branches?: readonly string[];
  /** CircleCI only: count this job's `job-completed` event instead of the whole workflow. */
  job?: string;
}

export interface WebhookOptions {
  services?: ServiceMap;
  /** Issue label that marks an incident (GitHub, GitLab; case-insensitive). Default `incident`. */
  incidentLabel?: string;
  /** Environment recorded on incidents from issue trackers. Default `production`. */
  incidentEnvironment?: string;
  github?: { deployWorkflows?: readonly DeployRule[] };
  gitlab?: { deployPipelines?: readonly DeployRule[] };
  jenkins?: { deployJobs?: readonly DeployRule[] };
  circleci?: { deployWorkflows?: readonly DeployRule[] };
  /** Default MAX_BODY_BYTES (1 MiB). */
  maxBodyBytes?: number;
  /** Generic signature replay window. Default 300 s. */
  replayWindowSeconds?: number;
}

export const DEFAULT_INCIDENT_LABEL = 'incident';
export const DEFAULT_INCIDENT_ENVIRONMENT = 'production';

export interface ParseInput {
  headers: HeaderMap;
  payload: unknown;
  receivedAt: string;
  rawPayload: RawPayloadRef;
  options: WebhookOptions;
}

export type ParseOutcome =
  | { kind: 'ping'; deliveryId?: string }
  | { kind: 'ignored'; deliveryId?: string; reason: string }
  | { kind: 'events'; deliveryId: string; events: CiEvent[] }
  | { kind: 'rejected'; code: 'missing_header' | 'schema_violation'; message: string; path?: PropertyKey[] };

export type Parser = (input: ParseInput) => ParseOutcome;

export const ignored = (reason: string, deliveryId?: string): ParseOutcome => ({ kind: 'ignored', reason, deliveryId });
export const missingHeader = (header: string): ParseOutcome => ({
  kind: 'rejected',
  code: 'missing_header',
  message: `Required header ${header} is missing`,
});

/** Parses `payload` with `schema`; on failure the outcome names the path of the first issue. */
export function check<S extends z.ZodType>(
  schema: S,
  payload: unknown,
  what: string,
): { ok: true; data: z.output<S> } | { ok: false; outcome: ParseOutcome } {
  const r = schema.safeParse(payload);
  if (r.success) return { ok: true, data: r.data };
  const issue = r.error.issues[0];
  const path = issue?.path ?? [];
  return {
    ok: false,
    outcome: {
      kind: 'rejected',
      code: 'schema_violation',
      message: `${what} does not match its schema at ${formatPath(path)}: ${issue?.message ?? 'invalid'}`,
      path,
    },
  };
}

/** `commits[0].timestamp`; the root is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** RFC 6901 JSON pointer for a path. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

// ---- zod building blocks for provider payloads (loose: unknown fields pass through) ----

/** A payload timestamp in any accepted shape (see time.ts), normalized to a UTC ISO string. */
export const Timestamp = z.string().transform((s, ctx) => {
  const iso = toUtcIso(s);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a timestamp with a timezone (ISO 8601 or "YYYY-MM-DD HH:MM:SS ±HHMM")' });
    return z.NEVER;
  }
  return iso;
});

/** Unix seconds or a timestamp string (GitHub `repository.pushed_at` is either, depending on the event). */
export const EpochOrTimestamp = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const iso = typeof v === 'number' ? fromUnixSeconds(v) : toUtcIso(v);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be unix seconds or a timestamp with a timezone' });
    return z.NEVER;
  }
  return iso;
});

/** A git commit id in any case, normalized to lowercase. */
export const Sha = z
  .string()
  .regex(/^[0-9a-fA-F]{7,64}$/, 'must be a hex commit sha')
  .transform((s) => s.toLowerCase());

export const NonEmpty = z.string().min(1);

// ---- mapping helpers ----

export function repositoryName(fullName: string): string {
  const last = fullName.slice(fullName.lastIndexOf('/') + 1);
  return last.length > 0 ? last : fullName;
}

export function resolveService(repository: string, services: ServiceMap | undefined): string {
  let mapped: unknown;
  if (typeof services === 'function') mapped = services(repository);
  else if (services && Object.hasOwn(services, repository)) mapped = services[repository];
  return typeof mapped === 'string' && mapped.length > 0 ? mapped : repositoryName(repository);
}

export function findRule(
  rules: readonly DeployRule[] | undefined,
  name: string | undefined,
  branch?: string | null,
  job?: string,
): DeployRule | undefined {
  return rules?.find(
    (r) =>
      r.name === name &&
      r.job === job &&
      (r.branches === undefined || (branch != null && r.branches.includes(branch))),
  );
}

/** Own-property lookup (payload strings never reach Object.prototype). */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string | null | undefined): T | undefined {
  return key != null && Object.hasOwn(table, key) ? table[key] : undefined;
}

export const isProvider = (p: unknown): p is CiProvider => CiProvider.safeParse(p).success;

// ---- event builders (the ingest step validates every detail with its schema before returning it) ----

type Base = 'version' | 'provider' | 'deliveryId' | 'receivedAt' | 'rawPayload';
export interface Envelope {
  provider: CiProvider;
  deliveryId: string;
  input: ParseInput;
}
const base = ({ provider, deliveryId, input }: Envelope) => ({
  version: '1' as const,
  provider,
  deliveryId,
  receivedAt: input.receivedAt,
  rawPayload: input.rawPayload,
});

export const changePushed = (e: Envelope, d: Omit<ChangePushedDetail, Base>): CiEvent => ({
  definition: ChangePushed,
  detail: { ...base(e), ...d },
});
export const deploymentFinished = (e: Envelope, d: Omit<DeploymentFinishedDetail, Base>): CiEvent => ({
  definition: DeploymentFinished,
  detail: { ...base(e), ...d },
});
export const incidentOpened = (e: Envelope, d: Omit<IncidentOpenedDetail, Base>): CiEvent => ({
  definition: IncidentOpened,
  detail: { ...base(e), ...d },
});
export const incidentResolved = (e: Envelope, d: Omit<IncidentResolvedDetail, Base>): CiEvent => ({
  definition: IncidentResolved,
  detail: { ...base(e), ...d },
});

/** Lead-time start of a merge: earliest known commit time; PR/MR creation when the list is incomplete. */
export function leadTimeStart(
  knownCommitTimes: readonly string[],
  createdAt: string,
  complete: boolean,
): { committedAt: string; committedAtSource: 'commit' | 'pull_request_created' } {
  const times = knownCommitTimes.map((t) => ({ t, ms: Date.parse(t) })).filter((x) => Number.isFinite(x.ms));
  const first = times.reduce<{ t: string; ms: number } | undefined>((a, b) => (a === undefined || b.ms < a.ms ? b : a), undefined);
  if (first && (complete || first.ms < Date.parse(createdAt))) return { committedAt: first.t, committedAtSource: 'commit' };
  return { committedAt: createdAt, committedAtSource: 'pull_request_created' };
}
