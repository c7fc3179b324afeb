import { CI_SOURCE, ciEvents } from './ci.js';
import { DELIVERY_SOURCE } from './define.js';
import { AnalysisCompleted, RolloutFailed, RolloutSucceeded, StepCompleted } from './delivery.js';
import { EcrImageAction } from './ecr-image-action.js';

/**
 * Rule patterns, defined once: stacks/ turns them into EventBridge rules and local/ registers them
 * on the in-process bus. Both sides read these objects, so they cannot drift.
 */

/** Successful image pushes from ECR. Deletes and failed pushes never start a rollout. */
export const ecrPushPattern = {
  source: [EcrImageAction.source],
  'detail-type': [EcrImageAction.detailType],
  detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] },
};

/**
 * A rollout ended: a promoted one starts the same revision on the service's next environment
 * (progressive delivery), and either moves the release it belongs to on (core/delivery/release.ts).
 */
export const progressionPattern = {
  source: [DELIVERY_SOURCE],
  'detail-type': [RolloutSucceeded.detailType, RolloutFailed.detailType],
};

/** Every rollout lifecycle event (for DORA recording and audit consumers). */
export const deliveryLifecyclePattern = {
  source: [DELIVERY_SOURCE],
  'detail-type': [{ prefix: 'Rollout ' }],
};

/**
 * What the DORA recorder (functions/dora/recorder.ts) consumes: every normalized CI event (source `lumina.ci`)
 * and our own rollout outcomes plus the canary progress events it turns into CloudWatch metrics. The
 * detail-types of the two sources do not overlap, so one pattern serves both.
 */
export const doraRecorderPattern = {
  source: [CI_SOURCE, DELIVERY_SOURCE],
  'detail-type': [
    ...ciEvents.map((e) => e.detailType),
    RolloutSucceeded.detailType,
    RolloutFailed.detailType,
    StepCompleted.detailType,
    AnalysisCompleted.detailType,
  ],
};
