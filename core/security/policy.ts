import * as z from 'zod';

/**
 * The pre-deployment security gate: an image's vulnerability scan findings against an environment's
 * policy. Pure; the findings come from a ScanFindingsSource (ECR in AWS, a JSON file locally).
 */

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type SeverityCounts = Record<Severity, number>;

const count = z.number().int().min(0).default(0);

export const FindingSchema = z.object({
  /** Usually the vulnerability id, e.g. CVE-2024-1234. */
  name: z.string().min(1),
  severity: z.enum(SEVERITIES),
  uri: z.string().optional(),
  /** The affected package, e.g. `openssl@3.0.7`. */
  package: z.string().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

/**
 * - COMPLETE: counts (and findings, when listed) are final.
 * - PENDING: a scan is running (ECR IN_PROGRESS / PENDING); counts mean nothing yet.
 * - FAILED: the scan could not produce findings (ECR FAILED, FINDINGS_UNAVAILABLE, LIMIT_EXCEEDED, …).
 * - UNSUPPORTED: the scanner does not support the image (ECR UNSUPPORTED_IMAGE).
 * No scan at all is `null` from the source, not a status.
 */
export const ScanStatusSchema = z.enum(['COMPLETE', 'PENDING', 'FAILED', 'UNSUPPORTED']);
export type ScanStatus = z.infer<typeof ScanStatusSchema>;

export const ScanSummarySchema = z.object({
  CRITICAL: count,
  HIGH: count,
  MEDIUM: count,
  LOW: count,
  INFORMATIONAL: count,
  UNDEFINED: count,
  findings: z.array(FindingSchema).optional(),
  scanCompletedAt: z.string().optional(),
  status: ScanStatusSchema.default('COMPLETE'),
  /** Why a scan is not COMPLETE, as the scanner said it. */
  statusDescription: z.string().optional(),
});
export type ScanSummary = z.infer<typeof ScanSummarySchema>;
export type ScanSummaryInput = z.input<typeof ScanSummarySchema>;

/** Where scan findings come from. `null`: the image has no scan (never scanned, or scanning is off). */
export interface ScanFindingsSource {
  findings(repository: string, digest: string, tag?: string): Promise<ScanSummary | null>;
}

export const SecurityPolicySchema = z.strictObject({
  /** false = the gate always passes (reason says it is disabled). */
  enabled: z.boolean().default(true),
  /** CRITICAL findings tolerated. */
  maxCritical: z.number().int().min(0).default(0),
  /** HIGH findings tolerated; null = any number. */
  maxHigh: z.number().int().min(0).nullable().default(null),
  /** What a missing, pending, failed or unsupported scan means: `warn` lets the rollout go on. */
  onMissing: z.enum(['block', 'warn']).default('warn'),
  /** Vulnerability ids accepted by decision (matched against finding names, case-insensitive). */
  ignore: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]+$/, 'must be a vulnerability id such as CVE-2024-1234')).default([]),
});
export type SecurityPolicy = z.infer<typeof SecurityPolicySchema>;
export type SecurityPolicyInput = z.input<typeof SecurityPolicySchema>;

export type SecurityVerdict = 'pass' | 'block' | 'warn';
export interface SecurityDecision {
  verdict: SecurityVerdict;
  /** Readable, one sentence each; the first says why the verdict is what it is. */
  reasons: string[];
  /** Counts after ignored findings are taken out (all zero when there is no complete scan). */
  counts: SeverityCounts;
  scan: 'complete' | 'missing' | 'pending' | 'failed' | 'unsupported' | 'disabled';
  /** Ignored vulnerability ids that were actually found. */
  ignored: string[];
}

export const zeroCounts = (): SeverityCounts => ({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 });
const plural = (n: number, severity: string) => `${n} ${severity} finding${n === 1 ? '' : 's'}`;
const MAX_NAMES = 5;

function names(findings: Finding[], severity: Severity): string {
  const ids = [...new Set(findings.filter((f) => f.severity === severity).map((f) => f.name))];
  if (!ids.length) return '';
  const shown = ids.slice(0, MAX_NAMES).join(', ');
  return `: ${shown}${ids.length > MAX_NAMES ? `, … (+${ids.length - MAX_NAMES} more)` : ''}`;
}

function missing(policy: SecurityPolicy, scan: SecurityDecision['scan'], what: string): SecurityDecision {
  const verdict = policy.onMissing;
  return { verdict, reasons: [`${what}; policy onMissing: ${verdict}`], counts: zeroCounts(), scan, ignored: [] };
}

/** The gate's decision for one image in one environment. */
export function evaluateSecurity(policyInput: SecurityPolicyInput, summary: ScanSummary | null): SecurityDecision {
  const policy = SecurityPolicySchema.parse(policyInput);
  if (!policy.enabled) return { verdict: 'pass', reasons: ['security gate disabled for this environment'], counts: zeroCounts(), scan: 'disabled', ignored: [] };
  if (!summary) return missing(policy, 'missing', 'no scan findings for this image');
  if (summary.status === 'PENDING') return missing(policy, 'pending', 'the image scan has not completed yet');
  const why = summary.statusDescription ? ` (${summary.statusDescription})` : '';
  if (summary.status === 'FAILED') return missing(policy, 'failed', `the image scan failed${why}`);
  if (summary.status === 'UNSUPPORTED') return missing(policy, 'unsupported', `the scanner does not support this image${why}`);

  const ignoreSet = new Set(policy.ignore.map((id) => id.toUpperCase()));
  const all = summary.findings ?? [];
  const isIgnored = (f: Finding) => ignoreSet.has(f.name.toUpperCase());
  const kept = all.filter((f) => !isIgnored(f));
  const counts = zeroCounts();
  for (const s of SEVERITIES) counts[s] = Math.max(0, summary[s] - all.filter((f) => f.severity === s && isIgnored(f)).length);
  const ignored = [...new Set(all.filter(isIgnored).map((f) => f.name))];

  const blocks: string[] = [];
  if (counts.CRITICAL > policy.maxCritical) blocks.push(`${plural(counts.CRITICAL, 'CRITICAL')}, policy allows ${policy.maxCritical}${names(kept, 'CRITICAL')}`);
  if (policy.maxHigh !== null && counts.HIGH > policy.maxHigh) blocks.push(`${plural(counts.HIGH, 'HIGH')}, policy allows ${policy.maxHigh}${names(kept, 'HIGH')}`);

  const notes: string[] = [];
  if (ignored.length) notes.push(`ignored by policy: ${ignored.join(', ')}`);
  if (ignoreSet.size && !summary.findings) notes.push('the ignore list was not applied: the scan summary lists no individual findings');
  if (blocks.length) return { verdict: 'block', reasons: [...blocks, ...notes], counts, scan: 'complete', ignored };
  const high = policy.maxHigh === null ? 'no limit' : `allows ${policy.maxHigh}`;
  const rest = (['MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'] as const).filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  const line = [`${counts.CRITICAL} CRITICAL (allows ${policy.maxCritical})`, `${counts.HIGH} HIGH (${high})`, ...rest].join(', ');
  return { verdict: 'pass', reasons: [`scan within policy: ${line}`, ...notes], counts, scan: 'complete', ignored };
}
