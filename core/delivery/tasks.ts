import { AnalysisCompleted, RolloutFailed, RolloutPromoted, RolloutRolledBack, RolloutSucceeded, StepCompleted } from '../../events/delivery.js';
import type { DeliveryEvent } from '../../events/delivery.js';
import { measure, measurementError, type MetricSample } from './analysis.js';
import { applyAnalysis, applySetWeight, nextAction, stepTimeUp, type Next } from './engine.js';
import { withJudgement, type MetricSeries, type SeriesResult } from './judged-analysis.js';
import { ServiceBusyError, RolloutNotFoundError, type DeliveryDeps, type RolloutView, type ServiceRecord } from './ports.js';
import type { AuditEntry, Failure, Outcome, Rollout, RolloutStatus } from './rollout.js';
import { evaluateSecurity, ScanSummarySchema, type SecurityPolicyInput } from '../security/policy.js';
import { sendToTargets } from './notify-targets.js';
import { stageOf } from './spec.js';

/**
 * The state machine's tasks. Each takes `{ rolloutId }`, reads the rollout from the table, does one
 * thing, writes the new status with a conditional write, and returns what to do next. Every task is
 * safe to run twice (Step Functions retries; the local runtime resumes after a crash).
 */

export interface TaskInput {
  rolloutId: string;
  /** Set by a Catch: the error that sent the execution to the rollback path. */
  error?: { Error?: string; Cause?: string };
  rollbackError?: { Error?: string; Cause?: string };
}

export interface TaskOutput {
  rolloutId: string;
  next: Next;
}

export interface FinalOutput {
  rolloutId: string;
  outcome: Outcome;
}

const SYSTEM = 'system:state-machine';

async function load(deps: Pick<DeliveryDeps, 'repo'>, rolloutId: string): Promise<RolloutView> {
  const rollout = await deps.repo.getRollout(rolloutId);
  if (!rollout) throw new RolloutNotFoundError(`rollout ${rolloutId} does not exist`);
  return rollout;
}

async function service(deps: Pick<DeliveryDeps, 'repo'>, rollout: Rollout): Promise<ServiceRecord> {
  const svc = await deps.repo.getService(rollout.service);
  if (!svc) throw new RolloutNotFoundError(`service ${rollout.service} of rollout ${rollout.rolloutId} is not configured`);
  return svc;
}

export function detailBase(rollout: Rollout, now: Date) {
  return {
    version: '1' as const,
    rolloutId: rollout.rolloutId,
    service: rollout.service,
    environment: rollout.environment,
    image: rollout.revision.image,
    at: now.toISOString(),
  };
}

const entry = (now: Date, action: string, reason: string, data?: Record<string, unknown>): AuditEntry => ({
  at: now.toISOString(),
  actor: SYSTEM,
  action,
  reason,
  ...(data ? { data } : {}),
});

const output = (rollout: Pick<Rollout, 'rolloutId' | 'spec' | 'status'>, now: Date): TaskOutput => ({
  rolloutId: rollout.rolloutId,
  next: nextAction(rollout, now),
});

/** Takes the service lock and starts the canary at 0 % — or, for a rollout that already held it, resumes. */
export async function prepare(deps: Pick<DeliveryDeps, 'repo' | 'router' | 'clock' | 'scans'>, input: TaskInput): Promise<TaskOutput> {
  const rollout = await load(deps, input.rolloutId);
  const now = deps.clock.now();
  if (rollout.status.outcome || rollout.status.abort.requested) return output(rollout, now);
  const svc = await service(deps, rollout);
  const lock = await deps.repo.acquireLock(rollout.service, rollout.rolloutId);
  if (!lock.acquired) throw new ServiceBusyError(`service ${rollout.service} is busy with rollout ${lock.holder}`);
  // Record the lock before touching traffic: from here on, any failure goes through a rollback that restores it.
  // The stable revision is read again under the lock: the rollout before this one may have promoted
  // a new one after this rollout was created.
  let current: RolloutView = rollout;
  if (!current.status.lockHeld) {
    const stable = (await deps.repo.getService(current.service))?.stableRevision ?? null;
    current = await deps.repo.updateStatus(
      current.rolloutId,
      current.version,
      { ...current.status, lockHeld: true },
      [entry(now, 'lock.acquired', `service ${current.service} locked for this rollout; stable is ${stable?.image ?? 'nothing yet'}`)],
      stable,
    );
  }
  const resuming = current.status.canaryDeployed;
  if (!resuming && svc.config.security && !current.audit.some((a) => a.action.startsWith('security.'))) {
    // The security gate: before any traffic moves, once per rollout (its verdict is in the audit log).
    const gate = await securityGate(deps, svc.config.security, current, now);
    current = await deps.repo.updateStatus(current.rolloutId, current.version, gate.status ?? current.status, [gate.audit]);
    if (gate.status) return output(current, now);
  }
  await deps.router.deployCanary(svc.config, current.revision, current.stableRevision);
  // Resuming after an interruption: re-assert the weight this rollout had reached (the step's clock restarts).
  await deps.router.setCanaryWeight(svc.config, resuming ? current.status.canaryWeight : 0);
  const audit = resuming
    ? entry(now, 'rollout.resumed', `resumed after an interruption at step ${current.status.stepIndex + 1}; canary weight re-applied at ${current.status.canaryWeight} %`)
    : entry(now, 'canary.deployed', `${current.revision.image} deployed beside ${current.stableRevision?.image ?? 'nothing (first rollout)'} at 0 %`);
  const saved = await deps.repo.updateStatus(current.rolloutId, current.version, { ...current.status, canaryDeployed: true, stepStartedAt: now.toISOString() }, [audit]);
  return output(saved, now);
}

async function securityGate(deps: Pick<DeliveryDeps, 'scans'>, policy: SecurityPolicyInput, r: RolloutView, now: Date): Promise<{ status?: RolloutStatus; audit: AuditEntry }> {
  const found = deps.scans ? await deps.scans.findings(r.revision.repository, r.revision.digest, r.revision.tag) : null;
  const summary = found && ScanSummarySchema.parse(found); // a malformed answer is a task error, never a pass
  const d = evaluateSecurity(policy, summary);
  const data = { verdict: d.verdict, scan: d.scan, counts: d.counts, ...(d.ignored.length ? { ignored: d.ignored } : {}), ...(summary?.findings?.length ? { findings: summary.findings.slice(0, 20) } : {}) };
  const reason = `security gate ${d.verdict === 'block' ? 'blocked' : d.verdict === 'warn' ? 'passed with a warning' : 'passed'}: ${d.reasons.join('; ')}`;
  const audit = entry(now, `security.${d.verdict === 'block' ? 'blocked' : d.verdict === 'warn' ? 'warning' : 'passed'}`, reason, data);
  if (d.verdict !== 'block') return { audit };
  return { audit, status: { ...r.status, failure: { reason, stepIndex: r.status.stepIndex, stage: 0 } } };
}

export async function setWeight(deps: Pick<DeliveryDeps, 'repo' | 'router' | 'events' | 'clock'>, input: TaskInput): Promise<TaskOutput> {
  const rollout = await load(deps, input.rolloutId);
  const now = deps.clock.now();
  const next = nextAction(rollout, now);
  if (next.action !== 'setWeight') return { rolloutId: rollout.rolloutId, next };
  const svc = await service(deps, rollout);
  const step = rollout.spec.steps[rollout.status.stepIndex]!;
  const t = applySetWeight(rollout, now);
  if (step.kind === 'testRoute') await deps.router.setTestRoute(svc.config, step.enabled);
  else await deps.router.setCanaryWeight(svc.config, t.status.canaryWeight, step.kind === 'setWeight' ? step.replicas : undefined);
  const saved = await deps.repo.updateStatus(rollout.rolloutId, rollout.version, t.status, [t.audit]);
  await deps.events.publish([
    { definition: StepCompleted, detail: { ...detailBase(saved, now), stepIndex: rollout.status.stepIndex, stepKind: step.kind, canaryWeight: t.status.canaryWeight } },
  ]);
  return output(saved, now);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Measures the canary over the last interval, judges it and decides. Metrics-source failures are measurements too. */
export async function analyse(deps: Pick<DeliveryDeps, 'repo' | 'metrics' | 'events' | 'clock' | 'metricsTimeoutMs'>, input: TaskInput): Promise<TaskOutput> {
  const rollout = await load(deps, input.rolloutId);
  const now = deps.clock.now();
  const next = nextAction(rollout, now);
  if (next.action !== 'analyse') return { rolloutId: rollout.rolloutId, next };
  const step = rollout.spec.steps[rollout.status.stepIndex]!;
  if (step.kind === 'wait') {
    const t = applyAnalysis(rollout, undefined, now);
    const saved = t.stepCompleted ? await deps.repo.updateStatus(rollout.rolloutId, rollout.version, t.status, t.audit) : rollout;
    return output(saved, now);
  }
  const svc = await service(deps, rollout);
  const { analysis } = rollout.spec;
  const since = Math.max(Date.parse(rollout.status.stepStartedAt ?? now.toISOString()), now.getTime() - analysis.intervalSeconds * 1000);
  const window = { from: new Date(Math.min(since, now.getTime() - 1000)), to: now };
  const where = { stepIndex: rollout.status.stepIndex, stage: stageOf(rollout.spec, rollout.status.stepIndex) };
  const alarms = analysis.metrics.flatMap((m) => (m.metric === 'alarm' ? m.alarmNames : []));
  const timeoutMs = deps.metricsTimeoutMs ?? 10_000;
  // The judge compares the whole step so far; it needs baseline traffic (none at 100 %, none without a stable).
  const notApplicable = !analysis.judge ? 'no judge' : where.stage >= 100 ? 'the stable version serves no traffic at 100 %' : rollout.stableRevision ? null : 'no stable revision to compare with';
  const stepWindow = { from: new Date(Date.parse(rollout.status.stepStartedAt ?? window.from.toISOString())), to: now };
  const series = (role: 'canary' | 'stable') =>
    notApplicable === null ? withTimeout(deps.metrics.series(svc.config, role, stepWindow, analysis.samplePeriodSeconds ?? 1), timeoutMs, `${role} series query`) : Promise.resolve(null);
  const [canary, baseline, canarySeries, baselineSeries] = await Promise.allSettled([
    withTimeout(deps.metrics.sample(svc.config, 'canary', window, alarms), timeoutMs, 'canary metrics query'),
    withTimeout(deps.metrics.sample(svc.config, 'stable', window, []), timeoutMs, 'baseline metrics query'),
    series('canary'),
    series('stable'),
  ]);
  const base: MetricSample | undefined = baseline.status === 'fulfilled' ? baseline.value : undefined;
  const measured =
    canary.status === 'fulfilled'
      ? measure(analysis, canary.value, where, base)
      : measurementError({ ...where, from: window.from.toISOString(), to: window.to.toISOString() }, errorText(canary.reason));
  const settled = (r: PromiseSettledResult<MetricSeries | null>): SeriesResult | null =>
    r.status === 'rejected' ? { error: errorText(r.reason) } : r.value ? { series: r.value } : null;
  const cs = settled(canarySeries);
  const bs = settled(baselineSeries);
  const m = withJudgement(analysis, measured, { final: step.kind === 'analysis' && stepTimeUp(rollout.status, step, now), notApplicable, series: cs && bs ? { canary: cs, baseline: bs } : null });
  await deps.repo.putMeasurement(rollout.rolloutId, rollout.status.counters.measurements + 1, m);
  const t = applyAnalysis(rollout, m, now);
  const saved = await deps.repo.updateStatus(rollout.rolloutId, rollout.version, t.status, t.audit);
  const verdictReason = [m.error ?? m.results.map((r) => r.reason).join('; '), m.judgement ? `judge: ${m.judgement.reason}` : ''].filter(Boolean).join('; ');
  const events: DeliveryEvent[] = [
    { definition: AnalysisCompleted, detail: { ...detailBase(saved, now), stepIndex: where.stepIndex, stage: where.stage, verdict: m.verdict, reason: verdictReason } },
  ];
  if (t.stepCompleted)
    events.push({ definition: StepCompleted, detail: { ...detailBase(saved, now), stepIndex: where.stepIndex, stepKind: 'analysis', canaryWeight: saved.status.canaryWeight } });
  await deps.events.publish(events);
  return output(saved, now);
}

const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

export async function promote(deps: Pick<DeliveryDeps, 'repo' | 'router' | 'events' | 'clock'>, input: TaskInput): Promise<TaskOutput> {
  const rollout = await load(deps, input.rolloutId);
  const now = deps.clock.now();
  if (rollout.status.outcome === 'succeeded') return output(rollout, now);
  const next = nextAction(rollout, now);
  if (next.action !== 'promote') return { rolloutId: rollout.rolloutId, next };
  const svc = await service(deps, rollout);
  await deps.router.promote(svc.config, rollout.revision);
  const status: RolloutStatus = { ...rollout.status, canaryWeight: 100, outcome: 'succeeded' };
  const saved = await deps.repo.updateStatus(rollout.rolloutId, rollout.version, status, [
    entry(now, 'rollout.promoted', `${rollout.revision.image} is now stable and serves 100 %`),
  ]);
  await deps.events.publish([{ definition: RolloutPromoted, detail: { ...detailBase(saved, now), previousImage: rollout.stableRevision?.image ?? null } }]);
  return output(saved, now);
}

/** Sends all traffic back to stable and tears the canary down. Never touches traffic it did not take (no lock). */
export async function rollback(deps: Pick<DeliveryDeps, 'repo' | 'router' | 'events' | 'clock'>, input: TaskInput): Promise<TaskOutput> {
  const rollout = await load(deps, input.rolloutId);
  const now = deps.clock.now();
  if (rollout.status.outcome) return output(rollout, now);
  const { status } = rollout;
  const failure: Failure | undefined =
    status.failure ??
    (input.error
      ? {
          reason: `task failed: ${input.error.Error ?? 'Error'}: ${input.error.Cause ?? ''}`.trim(),
          stepIndex: status.stepIndex,
          stage: status.canaryWeight,
          error: { name: input.error.Error ?? 'Error', cause: input.error.Cause ?? '' },
        }
      : undefined);
  const outcome: Outcome = status.abort.requested ? 'aborted' : status.lockHeld ? 'rolledBack' : 'failed';
  if (status.lockHeld) {
    const svc = await service(deps, rollout);
    await deps.router.rollback(svc.config, rollout.stableRevision);
  }
  const why = status.abort.requested ? `aborted: ${status.abort.reason ?? 'abort requested'}` : (failure?.reason ?? 'rolled back');
  const next: RolloutStatus = { ...status, canaryWeight: 0, canaryDeployed: false, outcome, ...(failure ? { failure } : {}) };
  const audit = [
    entry(
      now,
      `rollout.${outcome}`,
      status.lockHeld ? `traffic 100 % on ${rollout.stableRevision?.image ?? 'stable'}, canary torn down; ${why}` : `never took traffic; ${why}`,
      failure ? { ...failure } : undefined,
    ),
  ];
  const saved = await deps.repo.updateStatus(rollout.rolloutId, rollout.version, next, audit);
  if (outcome === 'rolledBack' && failure) {
    await deps.events.publish([
      { definition: RolloutRolledBack, detail: { ...detailBase(saved, now), failure: eventFailure(failure), restoredImage: rollout.stableRevision?.image ?? null } },
    ]);
  }
  return output(saved, now);
}

const eventFailure = (f: Failure) => ({
  reason: f.reason,
  stepIndex: f.stepIndex,
  stage: f.stage,
  ...(f.metric !== undefined ? { metric: f.metric } : {}),
  ...(f.value !== undefined ? { value: f.value } : {}),
  ...(f.threshold !== undefined ? { threshold: f.threshold } : {}),
});

/** Records the terminal outcome and releases the service lock. */
export async function finalize(deps: Pick<DeliveryDeps, 'repo' | 'events' | 'clock'>, input: TaskInput): Promise<FinalOutput> {
  let rollout = await load(deps, input.rolloutId);
  const now = deps.clock.now();
  if (!rollout.status.outcome) {
    // The rollback itself failed: traffic may still be split. Say so loudly; a person must act.
    const cause = input.rollbackError?.Cause ?? input.error?.Cause ?? 'unknown error';
    const failure: Failure = {
      reason: `rollback failed, traffic may still reach the canary — manual action required: ${cause}`,
      stepIndex: rollout.status.stepIndex,
      stage: rollout.status.canaryWeight,
    };
    rollout = await deps.repo.updateStatus(rollout.rolloutId, rollout.version, { ...rollout.status, outcome: 'failed', failure }, [
      entry(now, 'rollout.failed', failure.reason),
    ]);
  }
  const outcome = rollout.status.outcome!;
  if (!rollout.status.completedAt) {
    if (rollout.status.lockHeld) {
      await deps.repo.releaseLock(rollout.service, rollout.rolloutId, outcome === 'succeeded' ? rollout.revision : undefined);
    }
    rollout = await deps.repo.updateStatus(rollout.rolloutId, rollout.version, { ...rollout.status, lockHeld: false, completedAt: now.toISOString() }, [
      entry(now, 'rollout.finalized', `outcome ${outcome}; service lock released`),
    ]);
    const durationSeconds = Math.max(0, (now.getTime() - Date.parse(rollout.createdAt)) / 1000);
    const f = rollout.status.failure;
    await deps.events.publish([
      outcome === 'succeeded'
        ? { definition: RolloutSucceeded, detail: { ...detailBase(rollout, now), durationSeconds } }
        : { definition: RolloutFailed, detail: { ...detailBase(rollout, now), outcome, durationSeconds, ...(f ? { failure: eventFailure(f) } : {}) } },
    ]);
  }
  return { rolloutId: rollout.rolloutId, outcome };
}

/** Publishes the outcome to the notification topic (SNS in AWS). */
export async function notify(deps: Pick<DeliveryDeps, 'repo' | 'notifier' | 'targets'>, input: FinalOutput): Promise<FinalOutput> {
  const rollout = await load(deps, input.rolloutId);
  const { status } = rollout;
  const outcome = status.outcome ?? input.outcome;
  const f = status.failure;
  const lines = [
    `Service: ${rollout.service} (${rollout.environment})`,
    `Image: ${rollout.revision.image}`,
    `Previous stable: ${rollout.stableRevision?.image ?? 'none'}`,
    `Outcome: ${outcome}`,
  ];
  if (f) {
    lines.push(`Reason: ${f.reason}`, `Stage: ${f.stage} % (step ${f.stepIndex + 1})`);
    if (f.metric) lines.push(`Metric: ${f.metric} = ${String(f.value)} (threshold ${String(f.threshold)})`);
  }
  const notification = {
    subject: `[lumina] ${rollout.service}: rollout ${outcome}`.slice(0, 100),
    message: lines.join('\n'),
    rolloutId: rollout.rolloutId,
    service: rollout.service,
    outcome,
    attributes: { service: rollout.service, environment: rollout.environment, outcome },
  };
  await deps.notifier.notify(notification);
  // The environment's own targets; a failure fails the task (retried: receivers dedupe on x-lumina-delivery).
  const targets = (await deps.repo.getService(rollout.service))?.config.notify ?? [];
  if (targets.length && deps.targets) await sendToTargets(deps.targets, targets, notification);
  return { rolloutId: rollout.rolloutId, outcome };
}
