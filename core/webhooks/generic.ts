import * as z from 'zod';
import {
  NonEmpty,
  Sha,
  Timestamp,
  changePushed,
  check,
  deploymentFinished,
  incidentOpened,
  incidentResolved,
  resolveService,
  type ParseInput,
  type ParseOutcome,
} from './shared.js';

/**
 * Our own webhook for CI systems we have no parser for (documented in core/webhooks/README.md).
 * Signed with `X-Lumina-Signature` (see verify.ts). `id` is the sender's unique event id and the
 * dedupe key: resend the same id when retrying. Timestamps are ISO 8601 with an offset.
 * Unknown fields are allowed and ignored, so senders can add their own.
 */

const Id = NonEmpty.max(256);

export const GenericPing = z.looseObject({ type: z.literal('ping'), id: Id });

export const GenericDeployment = z.looseObject({
  type: z.literal('deployment'),
  id: Id,
  service: NonEmpty,
  environment: NonEmpty,
  /** Defaults to `id`. */
  deploymentId: NonEmpty.optional(),
  status: z.enum(['success', 'failure', 'rolled_back']),
  startedAt: Timestamp.optional(),
  finishedAt: Timestamp,
  commitShas: z.array(Sha).default([]),
  repository: NonEmpty.optional(),
  unplanned: z.boolean().optional(),
  fixesIncident: NonEmpty.optional(),
});

export const GenericChange = z.looseObject({
  type: z.literal('change'),
  id: Id,
  repository: NonEmpty,
  /** Defaults to the repository → service mapping. */
  service: NonEmpty.optional(),
  commitSha: Sha,
  committedAt: Timestamp,
  /** Defaults to the receipt time. */
  pushedAt: Timestamp.optional(),
  branch: NonEmpty,
  commitCount: z.number().int().min(0).default(1),
});

export const GenericIncident = z.looseObject({
  type: z.literal('incident'),
  id: Id,
  action: z.enum(['opened', 'resolved']),
  incidentId: NonEmpty,
  service: NonEmpty,
  environment: NonEmpty,
  /** When it was opened (action opened) or resolved (action resolved). */
  at: Timestamp,
  /** For action resolved: when it was opened, if known. */
  openedAt: Timestamp.optional(),
  deploymentId: NonEmpty.optional(),
});

export const GenericWebhook = z.discriminatedUnion('type', [GenericPing, GenericDeployment, GenericChange, GenericIncident]);
export type GenericWebhook = z.input<typeof GenericWebhook>;

export function parseGeneric(input: ParseInput): ParseOutcome {
  const c = check(GenericWebhook, input.payload, 'Generic webhook');
  if (!c.ok) return c.outcome;
  const p = c.data;
  const env = { provider: 'generic' as const, deliveryId: p.id, input };
  switch (p.type) {
    case 'ping':
      return { kind: 'ping', deliveryId: p.id };
    case 'deployment': {
      const event = deploymentFinished(env, {
        service: p.service,
        environment: p.environment,
        deploymentId: p.deploymentId ?? p.id,
        status: p.status,
        startedAt: p.startedAt,
        finishedAt: p.finishedAt,
        commitShas: p.commitShas,
        repository: p.repository,
        unplanned: p.unplanned,
        fixesIncident: p.fixesIncident,
      });
      return { kind: 'events', deliveryId: p.id, events: [event] };
    }
    case 'change': {
      const event = changePushed(env, {
        service: p.service ?? resolveService(p.repository, input.options.services),
        repository: p.repository,
        commitSha: p.commitSha,
        committedAt: p.committedAt,
        pushedAt: p.pushedAt ?? input.receivedAt,
        branch: p.branch,
        commitCount: p.commitCount,
        via: 'push',
        committedAtSource: 'commit',
      });
      return { kind: 'events', deliveryId: p.id, events: [event] };
    }
    case 'incident': {
      const common = { incidentId: p.incidentId, service: p.service, environment: p.environment, deploymentId: p.deploymentId };
      const event =
        p.action === 'opened'
          ? incidentOpened(env, { ...common, openedAt: p.at })
          : incidentResolved(env, { ...common, resolvedAt: p.at, openedAt: p.openedAt });
      return { kind: 'events', deliveryId: p.id, events: [event] };
    }
  }
}
