import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EcrImageScan, EcrImageScanEvent, scanStatusOf, summaryFromScanEvent } from '../../core/security/ecr-scan-event.js';
import { FileScanFindingsSource, ScanFindingsFileError } from '../../core/security/file-source.js';
import { evaluateSecurity } from '../../core/security/policy.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;

function dataDir(content?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'lumina-scan-'));
  if (content === undefined) copyFileSync('test/fixtures/config/security/scan-findings.json', join(dir, 'scan-findings.json'));
  else writeFileSync(join(dir, 'scan-findings.json'), content);
  return dir;
}

describe('FileScanFindingsSource (<dataDir>/scan-findings.json)', () => {
  const source = FileScanFindingsSource.inDataDir(dataDir());

  it('finds a summary by repository@digest, with its findings', async () => {
    const s = await source.findings('shop/api', D1);
    expect(s).toMatchObject({ CRITICAL: 3, HIGH: 1, LOW: 0, status: 'COMPLETE', scanCompletedAt: '2024-05-06T07:08:09Z' });
    expect(s!.findings!.map((f) => f.name)).toEqual(['CVE-2024-1234', 'CVE-2024-2222', 'CVE-2024-3333', 'CVE-2023-9999']);
    expect(evaluateSecurity({}, s).reasons[0]).toBe('3 CRITICAL findings, policy allows 0: CVE-2024-1234, CVE-2024-2222, CVE-2024-3333');
  });

  it('finds a summary by digest alone, for any repository', async () => {
    expect(await source.findings('shop/other', D2)).toMatchObject({ LOW: 4, CRITICAL: 0, status: 'COMPLETE' });
  });

  it('finds a summary by repository:tag when the digest has none', async () => {
    expect(await source.findings('shop/api', D3, 'v9')).toMatchObject({ status: 'PENDING' });
    expect(await source.findings('shop/api', D3)).toBeNull();
  });

  it('no file means no scan', async () => {
    expect(await new FileScanFindingsSource(join(tmpdir(), 'lumina-none', 'scan-findings.json')).findings('shop/api', D1)).toBeNull();
  });

  it('an invalid file is an error naming the file and the problem', async () => {
    const bad = FileScanFindingsSource.inDataDir(dataDir(JSON.stringify({ [D1]: { CRITICAL: -1 } })));
    await expect(bad.findings('shop/api', D1)).rejects.toBeInstanceOf(ScanFindingsFileError);
    await expect(bad.findings('shop/api', D1)).rejects.toThrow(/scan-findings\.json is not a valid findings file: sha256:1+\.CRITICAL: Too small/);
    await expect(FileScanFindingsSource.inDataDir(dataDir('{ nope')).findings('shop/api', D1)).rejects.toThrow('is not valid JSON');
  });
});

describe('ECR Image Scan event (contract fixtures)', () => {
  const load = (f: string): unknown => JSON.parse(readFileSync(`test/fixtures/config/security/${f}`, 'utf8'));

  it.each(['ecr-image-scan.complete.v0.json', 'ecr-image-scan.failed.v0.json'])('%s parses as an ECR Image Scan event', (file) => {
    const event = load(file);
    expect(EcrImageScanEvent.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({ source: EcrImageScan.source, 'detail-type': EcrImageScan.detailType });
  });

  it('a completed scan becomes a summary with absent severities at 0', () => {
    const event = EcrImageScanEvent.parse(load('ecr-image-scan.complete.v0.json'));
    expect(summaryFromScanEvent(event)).toEqual({ CRITICAL: 2, HIGH: 0, MEDIUM: 9, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0, status: 'COMPLETE', scanCompletedAt: '2024-05-06T07:08:09Z' });
    expect(event.detail['image-tags']).toEqual(['v1.4.2']);
  });

  it('a failed scan becomes a FAILED summary that the policy treats as missing', () => {
    const summary = summaryFromScanEvent(EcrImageScanEvent.parse(load('ecr-image-scan.failed.v0.json')));
    expect(summary).toMatchObject({ status: 'FAILED', statusDescription: 'FAILED', CRITICAL: 0 });
    expect(evaluateSecurity({ onMissing: 'block' }, summary).verdict).toBe('block');
  });

  it('rejects an event without a repository', () => {
    const event = EcrImageScanEvent.parse(load('ecr-image-scan.complete.v0.json'));
    const { 'repository-name': _dropped, ...detail } = event.detail;
    expect(EcrImageScanEvent.safeParse({ ...event, detail }).success).toBe(false);
  });

  it.each([
    ['COMPLETE', 'COMPLETE'],
    ['ACTIVE', 'COMPLETE'],
    ['IN_PROGRESS', 'PENDING'],
    ['PENDING', 'PENDING'],
    ['UNSUPPORTED_IMAGE', 'UNSUPPORTED'],
    ['FINDINGS_UNAVAILABLE', 'FAILED'],
    ['SCAN_ELIGIBILITY_EXPIRED', 'FAILED'],
    [undefined, 'FAILED'],
  ])('ECR status %s is %s for the gate', (ecr, status) => {
    expect(scanStatusOf(ecr)).toBe(status);
  });
});
