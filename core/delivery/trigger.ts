import { createHash } from 'node:crypto';
import { RolloutStarted } from '../../events/delivery.js';
import { EcrImageActionEvent } from '../../events/ecr-image-action.js';
import { CommandConflictError, runCommand } from './control.js';
import { initialStatus } from './engine.js';
import type { DeliveryDeps, ExecutionControl, ExecutionStarter, ServiceRecord } from './ports.js';
import type { AuditEntry, Revision, Rollout } from './rollout.js';
import type { ServiceConfig } from '../config/services.js';
import type { RolloutSpec } from './spec.js';
import { environmentSpec } from './strategies.js';
import { detailBase } from './tasks.js';

export type TriggerResult =
  | { status: 'started'; rolloutId: string; superseded: string[] }
  | { status: 'duplicate'; rolloutId: string }
  | { status: 'ignored'; reason: string };

/** Same event → same id, so a redelivered push finds the rollout it already created. Sortable by time. */
export function rolloutIdFor(service: string, eventTime: string, eventId: string): string {
  const stamp = eventTime.replace(/[-:]/g, '').replace(/\.\d+/, '').replace(/Z$/, '');
  return `${service}-${stamp}-${createHash('sha256').update(eventId).digest('hex').slice(0, 8)}`;
}

export function imageUri(account: string, region: string, repository: string, digest: string, tag?: string) {
  return `${account}.dkr.ecr.${region}.amazonaws.com/${repository}${tag ? `:${tag}` : ''}@${digest}`;
}

/**
 * An ECR push becomes a rollout. At-least-once safe: the rollout id is derived from the event id and
 * created with a conditional write, and the execution is started by that name (Step Functions ignores
 * a second start of the same name and input). A newer push supersedes (aborts) every older rollout of
 * the service still in flight; an older push arriving late is ignored.
 */
export async function startFromPush(
  deps: Pick<DeliveryDeps, 'repo' | 'events' | 'clock'> & { executions: ExecutionStarter; control?: ExecutionControl },
  raw: unknown,
): Promise<TriggerResult> {
  const parsed = EcrImageActionEvent.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { status: 'ignored', reason: `not a valid ECR Image Action event: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  const event = parsed.data;
  const d = event.detail;
  if (d['action-type'] !== 'PUSH' || d.result !== 'SUCCESS') return { status: 'ignored', reason: `${d['action-type']} ${d.result} is not a successful push` };
  const svc = await deps.repo.findServiceByRepository(d['repository-name']);
  if (!svc) return { status: 'ignored', reason: `no service is configured for repository ${d['repository-name']}` };
  const tag = d['image-tag'] || undefined;
  if (tag && svc.config.ignoreTags.includes(tag)) return { status: 'ignored', reason: `tag ${tag} is in ignoreTags of service ${svc.name}` };
  if (svc.stableRevision?.digest === d['image-digest']) return { status: 'ignored', reason: `${d['image-digest']} is already the stable revision of ${svc.name}` };
  if (svc.config.progression && !svc.config.progression.first) return { status: 'ignored', reason: `${svc.name} receives revisions from its previous environment, not from pushes` };

  const revision: Revision = {
    repository: d['repository-name'],
    digest: d['image-digest'],
    image: imageUri(event.account, event.region, d['repository-name'], d['image-digest'], tag),
    ...(tag ? { tag } : {}),
  };
  return launch(deps, svc, {
    rolloutId: rolloutIdFor(svc.name, event.time, event.id),
    revision,
    createdAt: new Date(Date.parse(event.time) || deps.clock.now().getTime()).toISOString(),
    trigger: { kind: 'ecr-push', id: event.id, actor: `event:${event.id}` },
    reason: `ECR push of ${d['repository-name']}:${tag ?? '(untagged)'} (${d['image-digest']}); config ${svc.configVersion}`,
  });
}

/**
 * Creates a rollout of `revision` on a service (target) and starts its execution, at-least-once safe:
 * the id is deterministic, creation conditional, the execution started by name. A newer rollout wins:
 * older in-flight rollouts of the service are aborted; an older one arriving late is ignored.
 */
export async function launch(
  deps: Pick<DeliveryDeps, 'repo' | 'events' | 'clock'> & { executions: ExecutionStarter; control?: ExecutionControl },
  svc: ServiceRecord,
  o: { rolloutId: string; revision: Revision; createdAt: string; trigger: Rollout['trigger']; reason: string },
): Promise<TriggerResult> {
  const { rolloutId, revision, createdAt } = o;
  const now = deps.clock.now();
  const inFlight = (await deps.repo.listRollouts({ service: svc.name, limit: 20 })).filter((r) => !r.status.outcome && r.rolloutId !== rolloutId);
  const newer = inFlight.find((r) => r.createdAt > createdAt);
  if (newer) return { status: 'ignored', reason: `a newer revision (rollout ${newer.rolloutId}) is already rolling out` };

  const actor = o.trigger.actor;
  const rollout: Rollout = {
    rolloutId,
    service: svc.name,
    environment: svc.config.environment,
    revision,
    stableRevision: svc.stableRevision,
    spec: specOf(svc.config),
    configVersion: svc.configVersion,
    status: initialStatus(),
    trigger: o.trigger,
    createdAt,
    updatedAt: now.toISOString(),
    version: 0,
  };
  const audit: AuditEntry[] = [{ at: now.toISOString(), actor, action: 'rollout.created', reason: o.reason }];
  const created = await deps.repo.createRollout(rollout, audit);
  let alreadyStarted = true;
  if (created || (await isPending(deps, rolloutId))) {
    // Started by name: a crash between create and start is healed by the redelivery, and a second start
    // of the same name is a no-op. A rollout already past Prepare is never given a second execution.
    ({ alreadyStarted } = await deps.executions.start(rolloutId, { rolloutId }));
  }
  // Also on a duplicate delivery: a crash between create and abort must not leave two rollouts racing.
  const superseded: string[] = [];
  for (const old of inFlight) {
    if (await requestAbort(deps, old.rolloutId, `superseded by rollout ${rolloutId} (${revision.image})`, actor)) superseded.push(old.rolloutId);
  }
  if (!created) return { status: 'duplicate', rolloutId };
  if (!alreadyStarted) {
    await deps.events.publish([
      {
        definition: RolloutStarted,
        detail: { ...detailBase(rollout, now), strategy: rollout.spec.strategy, stableImage: rollout.stableRevision?.image ?? null, trigger: rollout.trigger },
      },
    ]);
  }
  return { status: 'started', rolloutId, superseded };
}

/**
 * Progressive delivery: a rollout that succeeded on one environment of a service starts the same
 * revision on the next (`config.progression.next`), behind that environment's approval gate if it has
 * one. Idempotent per source rollout (a redelivered Rollout Succeeded finds the rollout it created).
 */
export async function startNextEnvironment(
  deps: Pick<DeliveryDeps, 'repo' | 'events' | 'clock'> & { executions: ExecutionStarter; control?: ExecutionControl },
  sourceRolloutId: string,
): Promise<TriggerResult> {
  const source = await deps.repo.getRollout(sourceRolloutId);
  if (!source) return { status: 'ignored', reason: `no rollout ${sourceRolloutId}` };
  if (source.status.outcome !== 'succeeded') return { status: 'ignored', reason: `rollout ${sourceRolloutId} did not succeed (${source.status.outcome ?? 'in flight'})` };
  const here = await deps.repo.getService(source.service);
  const nextName = here?.config.progression?.next;
  if (!nextName) return { status: 'ignored', reason: `${source.service} is the last environment of its service` };
  const next = await deps.repo.getService(nextName);
  if (!next) return { status: 'ignored', reason: `next environment ${nextName} is not configured` };
  if (next.stableRevision?.digest === source.revision.digest) return { status: 'ignored', reason: `${source.revision.digest} is already stable on ${nextName}` };
  return launch(deps, next, {
    rolloutId: rolloutIdFor(nextName, source.createdAt, `progression:${source.rolloutId}`),
    revision: source.revision,
    createdAt: deps.clock.now().toISOString(),
    trigger: { kind: 'progression', id: source.rolloutId, actor: 'system:progression' },
    reason: `${source.revision.image} promoted on ${source.service} (rollout ${source.rolloutId}); next environment ${next.config.environment}; config ${next.configVersion}`,
  });
}

/** The spec a service's configuration gives: its strategy (or canary options), behind its approval gate if required. */
export const specOf = (config: ServiceConfig): RolloutSpec => environmentSpec(config.strategy ?? { kind: 'canary', ...config.canary }, config.environment, config.approval);

async function isPending(deps: Pick<DeliveryDeps, 'repo'>, rolloutId: string): Promise<boolean> {
  const r = await deps.repo.getRollout(rolloutId);
  return !!r && !r.status.lockHeld && !r.status.outcome;
}

const NO_CONTROL: ExecutionControl = { sendTaskSuccess: async () => {}, sendTaskFailure: async () => {} };

/**
 * Aborts a rollout as the `abort` command does (the execution notices at its next task, or at once when
 * `control` can wake it at a gate, and rolls back). false = nothing to abort (ended, already aborting).
 */
export async function requestAbort(
  deps: Pick<DeliveryDeps, 'repo' | 'clock'> & { control?: ExecutionControl },
  rolloutId: string,
  reason: string,
  actor: string,
): Promise<boolean> {
  const load = async (id: string) => {
    const r = await deps.repo.getRollout(id);
    if (!r) throw new CommandConflictError(`no rollout ${id}`);
    return r;
  };
  try {
    await runCommand({ ...deps, control: deps.control ?? NO_CONTROL }, rolloutId, 'abort', actor, reason, load);
    return true;
  } catch (e) {
    if (e instanceof CommandConflictError) return false;
    throw e;
  }
}

/**
 * Rolls a service back to the revision that was stable before `source` (a promoted rollout): a new
 * rollout of that revision with a single step — all traffic at once — through the same state machine,
 * lock, audit and notifications. Idempotent per source rollout. CommandConflictError (409) when it
 * does not apply: the rollout did not promote, there is nothing earlier, a later revision has been
 * promoted since, or another rollout holds the service.
 */
export async function startRollbackOf(
  deps: Pick<DeliveryDeps, 'repo' | 'events' | 'clock'> & { executions: ExecutionStarter; control?: ExecutionControl },
  source: Rollout,
  actor: string,
  reason: string,
): Promise<{ rolloutId: string; service: string; image: string }> {
  if (source.status.outcome !== 'succeeded') {
    throw new CommandConflictError(source.status.outcome ? `rollout ${source.rolloutId} ended ${source.status.outcome}: only a promoted rollout can be rolled back` : `rollout ${source.rolloutId} is still in flight: abort it instead`);
  }
  const target = source.stableRevision;
  if (!target) throw new CommandConflictError(`rollout ${source.rolloutId} was the first of ${source.service}: there is no earlier revision to go back to`);
  const svc = await deps.repo.getService(source.service);
  if (!svc) throw new CommandConflictError(`service ${source.service} is no longer configured`);
  const rolloutId = `${source.service}-rollback-${createHash('sha256').update(source.rolloutId).digest('hex').slice(0, 12)}`;
  const existing = await deps.repo.getRollout(rolloutId);
  if (!existing) {
    if (svc.stableRevision?.digest !== source.revision.digest) {
      throw new CommandConflictError(`${source.service} now runs ${svc.stableRevision?.image ?? 'nothing'}, not this rollout's image: roll back the rollout that promoted it`);
    }
    if (svc.activeRolloutId) throw new CommandConflictError(`rollout ${svc.activeRolloutId} is in flight on ${source.service}: abort it first`);
    const now = deps.clock.now();
    const rollout: Rollout = {
      rolloutId,
      service: source.service,
      environment: source.environment,
      revision: target,
      stableRevision: source.revision,
      spec: { strategy: source.spec.strategy, steps: [{ kind: 'setWeight', weight: 100 }], analysis: source.spec.analysis },
      configVersion: svc.configVersion,
      status: initialStatus(),
      trigger: { kind: 'rollback', id: source.rolloutId, actor },
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 0,
    };
    const why = `roll back rollout ${source.rolloutId}: ${source.revision.image} → ${target.image}${reason ? `: ${reason}` : ''}`;
    if (await deps.repo.createRollout(rollout, [{ at: now.toISOString(), actor, action: 'rollout.created', reason: why }])) {
      const { alreadyStarted } = await deps.executions.start(rolloutId, { rolloutId });
      if (!alreadyStarted) {
        await deps.events.publish([
          { definition: RolloutStarted, detail: { ...detailBase(rollout, now), strategy: rollout.spec.strategy, stableImage: source.revision.image, trigger: rollout.trigger } },
        ]);
      }
    }
  } else if (await isPending(deps, rolloutId)) {
    await deps.executions.start(rolloutId, { rolloutId }); // a crash between create and start: start it now
  }
  return { rolloutId, service: source.service, image: target.image };
}
