import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { phaseOf } from '../../core/delivery/phase.js';
import type { RolloutView } from '../../core/delivery/ports.js';

/** Errors callers see: `{ error: { code, message, details } }`, never a stack trace. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const errorResult = (e: HttpError) => json(e.status, { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } });

/** What the API shows of a rollout: the stored record plus its computed phase and message. */
export function presentRollout(r: RolloutView, full = false) {
  const { phase, message } = phaseOf(r);
  const summary = {
    rolloutId: r.rolloutId,
    service: r.service,
    environment: r.environment,
    image: r.revision.image,
    stableImage: r.stableRevision?.image ?? null,
    phase,
    message,
    step: { index: r.status.stepIndex, total: r.spec.steps.length },
    weights: { stable: 100 - r.status.canaryWeight, canary: r.status.canaryWeight },
    outcome: r.status.outcome ?? null,
    failure: r.status.failure ?? null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
  return full ? { ...summary, spec: r.spec, status: r.status, trigger: r.trigger, revision: r.revision, stableRevision: r.stableRevision, audit: r.audit } : summary;
}
