import { DELIVERY_SOURCE } from './define.js';
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

/** Every rollout lifecycle event (for DORA recording and audit consumers). */
export const deliveryLifecyclePattern = {
  source: [DELIVERY_SOURCE],
  'detail-type': [{ prefix: 'Rollout ' }],
};
