import * as z from 'zod';
import { defineEvent, envelope } from './define.js';

/**
 * Amazon ECR "ECR Image Action" event (pushes and deletes), sent by ECR to the default bus.
 * Fields per the ECR user guide, "Amazon ECR events and EventBridge".
 */
export const EcrImageActionDetail = z.object({
  'action-type': z.enum(['PUSH', 'DELETE']),
  result: z.enum(['SUCCESS', 'FAILURE']),
  'repository-name': z.string().min(2).max(256),
  'image-digest': z.string().regex(/^[a-z0-9]+:[a-f0-9]{32,}$/, 'must be <algorithm>:<hex digest>'),
  'image-tag': z.string().max(300).optional(),
  'manifest-media-type': z.string().optional(),
  'artifact-media-type': z.string().optional(),
});

export const EcrImageAction = defineEvent({
  source: 'aws.ecr',
  detailType: 'ECR Image Action',
  version: '0',
  schema: EcrImageActionDetail,
});

export const EcrImageActionEvent = envelope(EcrImageActionDetail);
export type EcrImageActionEvent = z.infer<typeof EcrImageActionEvent>;
