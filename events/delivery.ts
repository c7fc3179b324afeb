import * as z from 'zod';
import { DELIVERY_SOURCE, defineEvent, type EventDefinition } from './define.js';

/**
 * Our own events on the delivery bus (source `lumina.delivery`), one definition per detail-type.
 * Every detail carries `version` (schema version, additive changes only) and the rollout's identity.
 */

const Base = z.object({
  version: z.literal('1'),
  rolloutId: z.string().min(1),
  service: z.string().min(1),
  environment: z.string().min(1),
  image: z.string().min(1),
  at: z.string().datetime({ offset: true }),
});

const FailureDetail = z.object({
  reason: z.string(),
  stepIndex: z.number().int().min(0),
  stage: z.number().min(0).max(100),
  metric: z.string().optional(),
  value: z.union([z.number(), z.string(), z.null()]).optional(),
  threshold: z.union([z.number(), z.string()]).optional(),
});

export const RolloutStarted = defineEvent({
  source: DELIVERY_SOURCE,
  detailType: 'Rollout Started',
  version: '1',
  schema: Base.extend({ strategy: z.string(), stableImage: z.string().nullable(), trigger: z.object({ kind: z.string(), id: z.string(), actor: z.string() }) }),
});

export const StepCompleted = defineEvent({
  source: DELIVERY_SOURCE,
  detailType: 'Rollout Step Completed',
  version: '1',
  schema: Base.extend({ stepIndex: z.number().int().min(0), stepKind: z.string(), canaryWeight: z.number().min(0).max(100) }),
});

export const AnalysisCompleted = defineEvent({
  source: DELIVERY_SOURCE,
  detailType: 'Rollout Analysis Completed',
  version: '1',
  schema: Base.extend({
    stepIndex: z.number().int().min(0),
    stage: z.number().min(0).max(100),
    verdict: z.enum(['pass', 'fail', 'inconclusive', 'error']),
    reason: z.string(),
  }),
});

export const RolloutPaused = defineEvent({
  source: DELIVERY_SOURCE,
  detailType: 'Rollout Paused',
  version: '1',
  schema: Base.extend({ stepIndex: z.number().int().min(0), reason: z.string() }),
});

export const RolloutPromoted = defineEvent({
  source: DELIVERY_SOURCE,
  detailType: 'Rollout Promoted',
  version: '1',
  schema: Base.extend({ previousImage: z.string().nullable() }),
});

export const RolloutRolledBack = defineEvent({
  source: DELIVERY_SOURCE,
  detailType: 'Rollout Rolled Back',
  version: '1',
  schema: Base.extend({ failure: FailureDetail, restoredImage: z.string().nullable() }),
});

export const RolloutSucceeded = defineEvent({
  source: DELIVERY_SOURCE,
  detailType: 'Rollout Succeeded',
  version: '1',
  schema: Base.extend({ durationSeconds: z.number().min(0) }),
});

export const RolloutFailed = defineEvent({
  source: DELIVERY_SOURCE,
  detailType: 'Rollout Failed',
  version: '1',
  schema: Base.extend({ outcome: z.enum(['rolledBack', 'aborted', 'failed']), failure: FailureDetail.optional(), durationSeconds: z.number().min(0) }),
});

export const deliveryEvents = [
  RolloutStarted,
  StepCompleted,
  AnalysisCompleted,
  RolloutPaused,
  RolloutPromoted,
  RolloutRolledBack,
  RolloutSucceeded,
  RolloutFailed,
] as const;

export type DeliveryEventDefinition = (typeof deliveryEvents)[number];
/** A detail paired with its definition; distributes over the union so each detail matches its own schema. */
export type DeliveryEvent = DeliveryEventDefinition extends infer D
  ? D extends EventDefinition<infer S>
    ? { definition: D; detail: z.infer<S> }
    : never
  : never;
