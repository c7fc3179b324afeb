import * as z from 'zod';
import { defineEvent, envelope } from '../../events/define.js';
import { SEVERITIES, zeroCounts, type ScanStatus, type ScanSummary } from './policy.js';

/**
 * Amazon ECR "ECR Image Scan" event (basic scanning: a scan completed), sent by ECR to the default bus.
 * Fields per the ECR user guide, "Amazon ECR events and EventBridge": `finding-severity-counts` has a
 * key only for severities that have findings.
 */
const severityCount = z.number().int().min(0).optional();
export const EcrImageScanDetail = z.object({
  /** COMPLETE or FAILED for basic scanning; kept open so a new status does not reject the event. */
  'scan-status': z.string().min(1),
  'repository-name': z.string().min(2).max(256),
  'image-digest': z.string().regex(/^[a-z0-9]+:[a-f0-9]{32,}$/, 'must be <algorithm>:<hex digest>'),
  'image-tags': z.array(z.string()).default([]),
  'finding-severity-counts': z
    .object({ CRITICAL: severityCount, HIGH: severityCount, MEDIUM: severityCount, LOW: severityCount, INFORMATIONAL: severityCount, UNDEFINED: severityCount })
    .default({}),
});
export type EcrImageScanDetail = z.infer<typeof EcrImageScanDetail>;

export const EcrImageScan = defineEvent({
  source: 'aws.ecr',
  detailType: 'ECR Image Scan',
  version: '0',
  schema: EcrImageScanDetail,
});

export const EcrImageScanEvent = envelope(EcrImageScanDetail);
export type EcrImageScanEvent = z.infer<typeof EcrImageScanEvent>;

/** ECR scan statuses (API and events) in the gate's terms. */
export function scanStatusOf(ecrStatus: string | undefined): ScanStatus {
  switch (ecrStatus) {
    case 'COMPLETE':
    case 'ACTIVE': // enhanced scanning: scanned and continuously monitored
      return 'COMPLETE';
    case 'IN_PROGRESS':
    case 'PENDING':
      return 'PENDING';
    case 'UNSUPPORTED_IMAGE':
      return 'UNSUPPORTED';
    default: // FAILED, FINDINGS_UNAVAILABLE, LIMIT_EXCEEDED, SCAN_ELIGIBILITY_EXPIRED, IMAGE_ARCHIVED, unknown
      return 'FAILED';
  }
}

/** The summary an ECR Image Scan event carries (counts only: the event lists no individual findings). */
export function summaryFromScanEvent(event: EcrImageScanEvent): ScanSummary {
  const d = event.detail;
  const counts = zeroCounts();
  for (const s of SEVERITIES) counts[s] = d['finding-severity-counts'][s] ?? 0;
  const status = scanStatusOf(d['scan-status']);
  return { ...counts, status, ...(status === 'COMPLETE' ? { scanCompletedAt: event.time } : { statusDescription: d['scan-status'] }) };
}
