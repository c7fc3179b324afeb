import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { DeliveryDeps, ExecutionStarter } from '../../core/delivery/ports.js';
import { startFromPush, type TriggerResult } from '../../core/delivery/trigger.js';
import { logger, metrics, tracing } from '../shared/powertools.js';

export type TriggerDeps = Pick<DeliveryDeps, 'repo' | 'events' | 'clock'> & { executions: ExecutionStarter };

/**
 * EventBridge target for ECR pushes. Ignored events (unknown repository, malformed, deletes) are
 * logged with their reason and acknowledged — retrying them would never help. Errors (table or
 * Step Functions unavailable) propagate so EventBridge retries and, at the end, dead-letters.
 */
export function makeTriggerHandler(deps: () => TriggerDeps) {
  const base = async (event: unknown, _context: Context): Promise<TriggerResult> => {
    const result = await startFromPush(deps(), event);
    metrics.addMetric(`push_${result.status}`, MetricUnit.Count, 1);
    if (result.status === 'ignored') logger.warn('push ignored', { reason: result.reason, eventId: (event as { id?: unknown })?.id });
    else logger.info(`push ${result.status}`, { ...result });
    return result;
  };
  return middy(base).use(tracing()).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
}
