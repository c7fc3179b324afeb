import { describe, expect, it } from 'vitest';
import { evaluateSecurity, ScanSummarySchema, SecurityPolicySchema, type ScanSummaryInput, type SecurityPolicyInput } from '../../core/security/policy.js';

const scan = (s: ScanSummaryInput) => ScanSummarySchema.parse(s);
const crit = (...ids: string[]) => ids.map((name) => ({ name, severity: 'CRITICAL' as const }));

describe('evaluateSecurity', () => {
  it.each<[string, SecurityPolicyInput, ScanSummaryInput | null, 'pass' | 'block' | 'warn', string]>([
    ['a clean scan passes', {}, { LOW: 2 }, 'pass', 'scan within policy: 0 CRITICAL (allows 0), 0 HIGH (no limit), 2 LOW'],
    [
      'CRITICAL findings above the limit block, naming them',
      {},
      { CRITICAL: 3, findings: crit('CVE-2024-1234', 'CVE-2024-2222', 'CVE-2024-3333') },
      'block',
      '3 CRITICAL findings, policy allows 0: CVE-2024-1234, CVE-2024-2222, CVE-2024-3333',
    ],
    ['one finding is singular; no names without a findings list', {}, { CRITICAL: 1 }, 'block', '1 CRITICAL finding, policy allows 0'],
    ['CRITICAL within a raised limit passes', { maxCritical: 2 }, { CRITICAL: 2 }, 'pass', 'scan within policy: 2 CRITICAL (allows 2), 0 HIGH (no limit)'],
    ['HIGH is unlimited by default', {}, { HIGH: 40 }, 'pass', 'scan within policy: 0 CRITICAL (allows 0), 40 HIGH (no limit)'],
    ['HIGH above maxHigh blocks', { maxHigh: 1 }, { HIGH: 2, findings: [{ name: 'CVE-1', severity: 'HIGH' }, { name: 'CVE-2', severity: 'HIGH' }] }, 'block', '2 HIGH findings, policy allows 1: CVE-1, CVE-2'],
    [
      'more than five names are cut',
      {},
      { CRITICAL: 7, findings: crit('C-1', 'C-2', 'C-3', 'C-4', 'C-5', 'C-6', 'C-7') },
      'block',
      '7 CRITICAL findings, policy allows 0: C-1, C-2, C-3, C-4, C-5, … (+2 more)',
    ],
    ['ignored ids are taken out of the counts', { ignore: ['cve-2024-1234'] }, { CRITICAL: 1, findings: crit('CVE-2024-1234') }, 'pass', 'scan within policy: 0 CRITICAL (allows 0), 0 HIGH (no limit)'],
    ['no scan warns by default', {}, null, 'warn', 'no scan findings for this image; policy onMissing: warn'],
    ['no scan blocks with onMissing: block', { onMissing: 'block' }, null, 'block', 'no scan findings for this image; policy onMissing: block'],
    ['a pending scan follows onMissing', { onMissing: 'block' }, { status: 'PENDING' }, 'block', 'the image scan has not completed yet; policy onMissing: block'],
    ['a failed scan follows onMissing, with the reason', {}, { status: 'FAILED', statusDescription: 'FINDINGS_UNAVAILABLE: expired' }, 'warn', 'the image scan failed (FINDINGS_UNAVAILABLE: expired); policy onMissing: warn'],
    ['an unsupported image follows onMissing', {}, { status: 'UNSUPPORTED' }, 'warn', 'the scanner does not support this image; policy onMissing: warn'],
    ['a disabled gate passes whatever the scan', { enabled: false }, { CRITICAL: 9 }, 'pass', 'security gate disabled for this environment'],
  ])('%s', (_name, policy, summary, verdict, reason) => {
    const decision = evaluateSecurity(policy, summary && scan(summary));
    expect(decision.verdict).toBe(verdict);
    expect(decision.reasons[0]).toBe(reason);
  });

  it('reports both limits when both are exceeded, and the counts after ignores', () => {
    const decision = evaluateSecurity(
      { maxHigh: 0, ignore: ['CVE-2024-0001'] },
      scan({ CRITICAL: 2, HIGH: 1, MEDIUM: 4, findings: [...crit('CVE-2024-0001', 'CVE-2024-0002'), { name: 'CVE-2024-0003', severity: 'HIGH' }] }),
    );
    expect(decision).toEqual({
      verdict: 'block',
      reasons: ['1 CRITICAL finding, policy allows 0: CVE-2024-0002', '1 HIGH finding, policy allows 0: CVE-2024-0003', 'ignored by policy: CVE-2024-0001'],
      counts: { CRITICAL: 1, HIGH: 1, MEDIUM: 4, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 },
      scan: 'complete',
      ignored: ['CVE-2024-0001'],
    });
  });

  it('says when the ignore list could not be applied (counts only, no findings)', () => {
    const decision = evaluateSecurity({ ignore: ['CVE-2024-1234'] }, scan({ CRITICAL: 1 }));
    expect(decision.verdict).toBe('block');
    expect(decision.reasons).toContain('the ignore list was not applied: the scan summary lists no individual findings');
  });

  it('the policy defaults: maxCritical 0, maxHigh unlimited, onMissing warn, nothing ignored', () => {
    expect(SecurityPolicySchema.parse({})).toEqual({ enabled: true, maxCritical: 0, maxHigh: null, onMissing: 'warn', ignore: [] });
  });
});
