import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { logger, metrics, tracing } from './powertools.js';

/** What every task receives from the state machine: the rollout id, plus an error when a Catch routed here. */
export const TaskInputSchema = z.object({
  rolloutId: z.string().min(1).max(200),
  outcome: z.enum(['succeeded', 'rolledBack', 'aborted', 'failed']).optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  rollbackError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  /** Set by the Gate state's Catch when the wait timed out. */
  gateTimeout: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/** The Gate function's payload (`.waitForTaskToken`): the task token to store, and where the execution waits. */
export const GateInputSchema = z.object({
  rolloutId: z.string().min(1).max(200),
  stepIndex: z.number().int().min(0),
  timeoutSeconds: z.number().int().min(1).optional(),
  taskToken: z.string().min(1).max(1024),
});
export type TaskEvent = z.infer<typeof TaskInputSchema>;

export class InvalidTaskInputError extends Error {
  override name = 'InvalidTaskInputError';
}

/**
 * Wraps one core task as a Lambda handler: parse the state input, call core with injected deps,
 * log and count. The local runtime builds its task functions with this same factory.
 */
export function makeTaskHandler<D, I, O>(name: string, task: (deps: D, input: I) => Promise<O>, deps: () => D, schema: z.ZodType<{ rolloutId: string }> = TaskInputSchema) {
  const base = async (event: unknown, _context: Context): Promise<O> => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) throw new InvalidTaskInputError(`${name}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    logger.appendKeys({ rolloutId: parsed.data.rolloutId, task: name });
    const result = await task(deps(), parsed.data as I);
    metrics.addMetric(`task_${name}`, MetricUnit.Count, 1);
    logger.info(`${name} done`, { result });
    return result;
  };
  return middy(base)
    .use(tracing())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}
