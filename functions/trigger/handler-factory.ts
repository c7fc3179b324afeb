import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { DeliveryDeps, ExecutionControl, ExecutionStarter } from '../../core/delivery/ports.js';
import { startFromPush, startNextEnvironment, type TriggerResult } from '../../core/delivery/trigger.js';
import { RolloutFailed, RolloutSucceeded } from '../../events/delivery.js';
import { advanceRelease, type ReleaseRepository } from '../../core/delivery/release.js';
import * as z from 'zod';
import { envelope } from '../../events/define.js';
import { logger, metrics, tracing } from '../shared/powertools.js';

export type TriggerDeps = Pick<DeliveryDeps, 'repo' | 'events' | 'clock'> & { executions: ExecutionStarter; releases?: ReleaseRepository; control?: ExecutionControl };

/**
 * EventBridge target for ECR pushes. Ignored events (unknown repository, malformed, deletes) are
 * logged with their reason and acknowledged — retrying them would never help. Errors (table or
 * Step Functions unavailable) propagate so EventBridge retries and, at the end, dead-letters.
 */
export function makeTriggerHandler(deps: () => TriggerDeps, kind: 'push' | 'progression' = 'push') {
  const start = kind === 'push' ? startFromPush : afterRolloutEnded;
  const base = async (event: unknown, _context: Context): Promise<TriggerResult> => {
    const result = await start(deps(), event);
    metrics.addMetric(`${kind}_${result.status}`, MetricUnit.Count, 1);
    if (result.status === 'ignored') logger.warn(`${kind} ignored`, { reason: result.reason, eventId: (event as { id?: unknown })?.id });
    else logger.info(`${kind} ${result.status}`, { ...result });
    return result;
  };
  return middy(base).use(tracing()).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
}

const EndedEnvelope = z.union([envelope(RolloutSucceeded.schema), envelope(RolloutFailed.schema)]);

/**
 * A rollout ended: its release (if any) moves on, and a promoted one starts the same revision on its
 * service's next environment (progressive delivery). Both are idempotent, so a redelivery is harmless.
 */
async function afterRolloutEnded(deps: TriggerDeps, raw: unknown): Promise<TriggerResult> {
  const parsed = EndedEnvelope.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { status: 'ignored', reason: `not a valid Rollout Succeeded/Failed event: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  const { rolloutId } = parsed.data.detail;
  if (deps.releases) await advanceRelease({ ...deps, releases: deps.releases }, rolloutId);
  if (parsed.data['detail-type'] !== RolloutSucceeded.detailType) return { status: 'ignored', reason: `rollout ${rolloutId} did not succeed` };
  return startNextEnvironment(deps, rolloutId);
}
