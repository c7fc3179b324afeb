import { createHash } from 'node:crypto';
import { deployLevels } from '../config/graph.js';
import { CommandConflictError } from './control.js';
import type { DeliveryDeps, ExecutionStarter, ServiceRecord } from './ports.js';
import type { Revision } from './rollout.js';
import { launch, rolloutIdFor } from './trigger.js';

/**
 * A release: several services rolled out together, in dependency order. Services in one level (none
 * depends on another) roll out in parallel; the next level starts once every rollout of the level
 * succeeded; a failed one stops the release (later levels never start; rollouts already running finish
 * on their own — each rolls back by itself if unhealthy).
 *
 * Event-driven rather than a Map state: each component already is a durable execution of its own, so
 * the coordinator only reacts to their `Rollout Succeeded` / `Rollout Failed` events (one conditional
 * write on the release item each). A coordinating state machine would have to poll them.
 */

export type ComponentState = 'pending' | 'rolling' | 'succeeded' | 'failed';

export interface ReleaseComponent {
  service: string;
  revision: Revision;
  level: number;
  state: ComponentState;
  rolloutId?: string;
}

export interface Release {
  releaseId: string;
  status: 'running' | 'succeeded' | 'failed';
  levels: string[][];
  level: number;
  components: Record<string, ReleaseComponent>;
  actor: string;
  reason: string;
  createdAt: string;
  updatedAt: string;
  failure?: string;
  version: number;
}

export interface ReleaseRepository {
  /** false = a release with this id exists already. */
  createRelease(release: Release): Promise<boolean>;
  getRelease(releaseId: string): Promise<Release | null>;
  /** Conditional on `release.version - 1` being stored; throws ConcurrentUpdateError otherwise. */
  updateRelease(release: Release): Promise<void>;
}

export type ReleaseDeps = Pick<DeliveryDeps, 'repo' | 'events' | 'clock'> & { executions: ExecutionStarter; releases: ReleaseRepository };

export interface ReleaseRequest {
  /** Omitted: derived from the components, so a retried request is the same release. */
  releaseId?: string;
  components: { service: string; digest: string; tag?: string; image?: string }[];
  actor: string;
  reason?: string;
}

/** The push target of a service: its record, or its first environment's (`<service>.<env>`). */
async function pushTarget(deps: Pick<DeliveryDeps, 'repo'>, service: string): Promise<ServiceRecord | null> {
  const own = await deps.repo.getService(service);
  if (own && !own.config.progression) return own;
  return (await deps.repo.listServices()).find((s) => s.config.progression?.service === service && s.config.progression.first) ?? own;
}

/** Validates the components, orders them by `dependsOn` (among themselves) and starts the first level. */
export async function startRelease(deps: ReleaseDeps, req: ReleaseRequest): Promise<Release> {
  const names = req.components.map((c) => c.service);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new CommandConflictError(`service ${duplicate} appears twice in the release`);
  const targets = new Map<string, ServiceRecord>();
  for (const c of req.components) {
    const t = await pushTarget(deps, c.service);
    if (!t) throw new CommandConflictError(`no service named ${c.service}`);
    targets.set(c.service, t);
  }
  // Dependencies outside the release are taken as already deployed.
  const graph = Object.fromEntries(req.components.map((c) => [c.service, { dependsOn: (targets.get(c.service)!.config.dependsOn ?? []).filter((d) => names.includes(d)) }]));
  const levels = deployLevels(graph);
  const now = deps.clock.now().toISOString();
  const releaseId = req.releaseId ?? `release-${createHash('sha256').update(JSON.stringify([...req.components].sort((a, b) => a.service.localeCompare(b.service)))).digest('hex').slice(0, 12)}`;
  const components: Record<string, ReleaseComponent> = {};
  for (const c of req.components) {
    const repository = targets.get(c.service)!.config.repository;
    components[c.service] = {
      service: c.service,
      revision: { repository, digest: c.digest, image: c.image ?? `${repository}${c.tag ? `:${c.tag}` : ''}@${c.digest}`, ...(c.tag ? { tag: c.tag } : {}) },
      level: levels.findIndex((l) => l.includes(c.service)),
      state: 'pending',
    };
  }
  const release: Release = { releaseId, status: 'running', levels, level: 0, components, actor: req.actor, reason: req.reason ?? '', createdAt: now, updatedAt: now, version: 0 };
  const created = await deps.releases.createRelease(release);
  const stored = created ? release : (await deps.releases.getRelease(releaseId))!;
  return startLevel(deps, stored);
}

/** Starts every pending component of the current level (idempotent: rollout ids derive from the release). */
async function startLevel(deps: ReleaseDeps, release: Release): Promise<Release> {
  if (release.status !== 'running') return release;
  const next = structuredClone(release);
  for (const service of release.levels[release.level] ?? []) {
    const c = next.components[service]!;
    if (c.state !== 'pending') continue;
    const target = (await pushTarget(deps, service))!;
    const rolloutId = rolloutIdFor(target.name, release.createdAt, `release:${release.releaseId}:${service}`);
    const started = await launch(deps, target, {
      rolloutId,
      revision: c.revision,
      createdAt: deps.clock.now().toISOString(),
      trigger: { kind: 'release', id: release.releaseId, actor: release.actor },
      reason: `release ${release.releaseId}, level ${release.level + 1}/${release.levels.length}${release.reason ? `: ${release.reason}` : ''}`,
    });
    if (started.status === 'ignored') {
      c.state = c.revision.digest === target.stableRevision?.digest ? 'succeeded' : 'failed';
      if (c.state === 'failed') next.failure = `${service}: ${started.reason}`;
    } else {
      c.state = 'rolling';
      c.rolloutId = rolloutId;
    }
  }
  return settle(deps, next, release.version);
}

/** Moves to the next level, or ends the release, from the components' states; writes conditionally. */
async function settle(deps: ReleaseDeps, r: Release, expectedVersion: number): Promise<Release> {
  const before = r.level;
  const level = (r.levels[r.level] ?? []).map((s) => r.components[s]!);
  const failed = level.find((c) => c.state === 'failed');
  if (failed) {
    r.status = 'failed';
    r.failure ??= `${failed.service} did not roll out (rollout ${failed.rolloutId ?? 'not started'}); later levels were not started`;
  } else if (level.every((c) => c.state === 'succeeded')) {
    if (r.level + 1 >= r.levels.length) r.status = 'succeeded';
    else r.level += 1;
  }
  r.version = expectedVersion + 1;
  r.updatedAt = deps.clock.now().toISOString();
  await deps.releases.updateRelease(r);
  return r.status === 'running' && r.level > before ? startLevel(deps, r) : r;
}

/** A rollout ended: if it belongs to a release, record it there and move the release on. Safe to repeat. */
export async function advanceRelease(deps: ReleaseDeps, rolloutId: string): Promise<Release | null> {
  for (let attempt = 0; ; attempt++) {
    const rollout = await deps.repo.getRollout(rolloutId);
    if (!rollout || rollout.trigger.kind !== 'release' || !rollout.status.outcome) return null;
    const release = await deps.releases.getRelease(rollout.trigger.id);
    if (!release) return null;
    const c = Object.values(release.components).find((x) => x.rolloutId === rolloutId);
    if (!c || c.state !== 'rolling') return release; // a redelivery: already recorded
    const next = structuredClone(release);
    next.components[c.service]!.state = rollout.status.outcome === 'succeeded' ? 'succeeded' : 'failed';
    try {
      return await settle(deps, next, release.version);
    } catch (e) {
      if ((e as Error).name !== 'ConcurrentUpdateError' || attempt >= 4) throw e;
    }
  }
}
