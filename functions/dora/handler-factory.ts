import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import type { MetricPoint } from '../../core/dora/deployment-metrics.js';
import { recordEvent, type RecorderDeps, type RecorderEvent } from '../../core/dora/recorder.js';
import { CI_SOURCE, ciEvents, type CiEvent } from '../../events/ci.js';
import { DELIVERY_SOURCE, envelope } from '../../events/define.js';
import { AnalysisCompleted, RolloutFailed, RolloutSucceeded, StepCompleted } from '../../events/delivery.js';
import { deploymentMetrics, logger, tracing } from '../shared/powertools.js';

/**
 * The DORA recorder: EventBridge target of `doraRecorderPattern` (events/rules.ts) — normalized CI events and
 * our rollout outcomes become DORA records (idempotent store), and deployment / canary metrics are published as
 * EMF. An event that can never be recorded (not a known detail-type, invalid detail) is logged and acknowledged;
 * storage errors propagate so EventBridge / Lambda retry and, at the end, dead-letter.
 */

const Envelope = envelope(z.unknown());
const pathOf = (issues: z.core.$ZodIssue[]) => issues[0]?.path.map(String).join('.') || '(root)';

export type Parsed = RecorderEvent | { ignored: string };

/** The consumer validates again (STYLE 5): the envelope, then the detail against its own definition. */
export function parseRecorderEvent(raw: unknown): Parsed {
  const env = Envelope.safeParse(raw);
  if (!env.success) return { ignored: `not an EventBridge event (${pathOf(env.error.issues)})` };
  const { source, 'detail-type': type, detail } = env.data;
  const check = <S extends z.ZodType>(schema: S): { ok: true; data: z.output<S> } | { ok: false; reason: string } => {
    const r = schema.safeParse(detail);
    return r.success ? { ok: true, data: r.data } : { ok: false, reason: `invalid "${type}" detail at ${pathOf(r.error.issues)}` };
  };
  if (source === CI_SOURCE) {
    const def = ciEvents.find((d) => d.detailType === type);
    if (!def) return { ignored: `${source} "${type}" is not recorded` };
    const r = check(def.schema);
    // The detail was parsed by this very definition's schema: pairing them is what CiEvent means.
    return r.ok ? { kind: 'ci', event: { definition: def, detail: r.data } as CiEvent } : { ignored: r.reason };
  }
  if (source !== DELIVERY_SOURCE) return { ignored: `source ${source} is not recorded` };
  if (type === RolloutSucceeded.detailType) {
    const r = check(RolloutSucceeded.schema);
    return r.ok ? { kind: 'rollout-end', event: { detailType: 'Rollout Succeeded', detail: r.data } } : { ignored: r.reason };
  }
  if (type === RolloutFailed.detailType) {
    const r = check(RolloutFailed.schema);
    return r.ok ? { kind: 'rollout-end', event: { detailType: 'Rollout Failed', detail: r.data } } : { ignored: r.reason };
  }
  if (type === StepCompleted.detailType) {
    const r = check(StepCompleted.schema);
    return r.ok ? { kind: 'step', detail: r.data } : { ignored: r.reason };
  }
  if (type === AnalysisCompleted.detailType) {
    const r = check(AnalysisCompleted.schema);
    return r.ok ? { kind: 'analysis', detail: r.data } : { ignored: r.reason };
  }
  return { ignored: `${source} "${type}" is not recorded` };
}

/**
 * One EMF document per dimension set — [service, environment] and [environment] — published at once. Synchronous
 * from the first dimension to the flush, so concurrent invocations in one process cannot mix their dimensions.
 */
export function publishDeploymentMetrics(m: Pick<Metrics, 'addDimensions' | 'addMetric' | 'publishStoredMetrics'>, scope: { service: string; environment: string }, points: MetricPoint[]): void {
  if (!points.length) return;
  const sets: Record<string, string>[] = [{ service: scope.service, environment: scope.environment }, { environment: scope.environment }];
  for (const dims of sets) {
    m.addDimensions(dims);
    for (const p of points) m.addMetric(p.name, p.unit, p.value);
    m.publishStoredMetrics();
  }
}

export type RecorderResult = { status: 'ignored'; reason: string } | { status: 'recorded'; records: number; skipped?: string };

export function makeRecorderHandler(deps: () => RecorderDeps, metricsSink: Pick<Metrics, 'addDimensions' | 'addMetric' | 'publishStoredMetrics'> = deploymentMetrics) {
  const base = async (event: unknown, _context: Context): Promise<RecorderResult> => {
    const parsed = parseRecorderEvent(event);
    const id = (event as { id?: unknown } | null)?.id;
    if ('ignored' in parsed) {
      logger.warn('event not recorded', { reason: parsed.ignored, eventId: id });
      return { status: 'ignored', reason: parsed.ignored };
    }
    const result = await recordEvent(deps(), parsed);
    if (result.metrics) publishDeploymentMetrics(metricsSink, result.metrics, result.metrics.points);
    if (result.records || result.skipped) logger.info('DORA event recorded', { eventId: id, kind: parsed.kind, records: result.records, skipped: result.skipped });
    return { status: 'recorded', records: result.records, ...(result.skipped ? { skipped: result.skipped } : {}) };
  };
  return middy(base).use(tracing()).use(injectLambdaContext(logger, { resetKeys: true }));
}
