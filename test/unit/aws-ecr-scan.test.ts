import { DescribeImageScanFindingsCommand, ECRClient, type DescribeImageScanFindingsCommandOutput } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { EcrScanFindingsSource, type EcrScanClient } from '../../adapters/aws/ecr-scan-findings.js';
import { evaluateSecurity } from '../../core/security/policy.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const meta = { $metadata: {} };

/** A fake at the client boundary: answers pages in order (or throws), records every request. */
function fakeClient(...answers: (Partial<DescribeImageScanFindingsCommandOutput> | Error)[]) {
  const calls: DescribeImageScanFindingsCommand['input'][] = [];
  const client: EcrScanClient = {
    async send(command) {
      expect(command).toBeInstanceOf(DescribeImageScanFindingsCommand);
      calls.push(command.input);
      const answer = answers.shift();
      if (!answer) throw new Error('unexpected extra call');
      if (answer instanceof Error) throw answer;
      return { ...meta, ...answer };
    },
  };
  return { client, calls };
}

const named = (name: string) => Object.assign(new Error(`${name} thrown by the fake`), { name });
const complete = { imageScanStatus: { status: 'COMPLETE' as const } };

describe('EcrScanFindingsSource', () => {
  it('an ECRClient fits the client port', () => {
    const port: EcrScanClient = new ECRClient({ region: 'eu-west-1' });
    expect(typeof port.send).toBe('function');
  });

  it('reads every page of basic-scan findings, with counts from ECR and packages from attributes', async () => {
    const { client, calls } = fakeClient(
      {
        ...complete,
        imageScanFindings: {
          imageScanCompletedAt: new Date('2024-05-06T07:08:09Z'),
          findingSeverityCounts: { CRITICAL: 2, MEDIUM: 1 },
          findings: [
            {
              name: 'CVE-2024-1234',
              severity: 'CRITICAL',
              uri: 'https://security-tracker.debian.org/tracker/CVE-2024-1234',
              attributes: [
                { key: 'package_name', value: 'openssl' },
                { key: 'package_version', value: '3.0.7' },
              ],
            },
          ],
        },
        nextToken: 'page-2',
      },
      { ...complete, imageScanFindings: { findingSeverityCounts: { CRITICAL: 2, MEDIUM: 1 }, findings: [{ name: 'CVE-2024-5678', severity: 'CRITICAL' }, { name: 'CVE-2023-1', severity: 'MEDIUM' }] } },
    );
    const summary = await new EcrScanFindingsSource(client, { registryId: '123456789012' }).findings('shop/api', DIGEST);
    expect(calls).toEqual([
      { repositoryName: 'shop/api', imageId: { imageDigest: DIGEST }, maxResults: 1000, registryId: '123456789012' },
      { repositoryName: 'shop/api', imageId: { imageDigest: DIGEST }, maxResults: 1000, registryId: '123456789012', nextToken: 'page-2' },
    ]);
    expect(summary).toEqual({
      CRITICAL: 2,
      HIGH: 0,
      MEDIUM: 1,
      LOW: 0,
      INFORMATIONAL: 0,
      UNDEFINED: 0,
      status: 'COMPLETE',
      scanCompletedAt: '2024-05-06T07:08:09.000Z',
      findings: [
        { name: 'CVE-2024-1234', severity: 'CRITICAL', uri: 'https://security-tracker.debian.org/tracker/CVE-2024-1234', package: 'openssl@3.0.7' },
        { name: 'CVE-2024-5678', severity: 'CRITICAL' },
        { name: 'CVE-2023-1', severity: 'MEDIUM' },
      ],
    });
    expect(evaluateSecurity({}, summary).reasons[0]).toBe('2 CRITICAL findings, policy allows 0: CVE-2024-1234, CVE-2024-5678');
  });

  it('reads enhanced-scanning findings (Amazon Inspector), counting them when ECR gives no counts', async () => {
    const { client } = fakeClient({
      imageScanStatus: { status: 'ACTIVE' },
      imageScanFindings: {
        enhancedFindings: [
          {
            severity: 'HIGH',
            title: 'CVE-2024-0001 - libxml2',
            packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2024-0001', sourceUrl: 'https://nvd.nist.gov/vuln/detail/CVE-2024-0001', vulnerablePackages: [{ name: 'libxml2', version: '2.9.14' }] },
          },
          { severity: 'UNTRIAGED', title: 'GHSA-xxxx-yyyy-zzzz' },
        ],
      },
    });
    const summary = await new EcrScanFindingsSource(client).findings('shop/api', DIGEST);
    expect(summary).toMatchObject({ HIGH: 1, UNDEFINED: 1, CRITICAL: 0, status: 'COMPLETE' });
    expect(summary!.findings).toEqual([
      { name: 'CVE-2024-0001', severity: 'HIGH', uri: 'https://nvd.nist.gov/vuln/detail/CVE-2024-0001', package: 'libxml2@2.9.14' },
      { name: 'GHSA-xxxx-yyyy-zzzz', severity: 'UNDEFINED' },
    ]);
  });

  it('a scan in progress is PENDING, without reading further pages', async () => {
    const { client, calls } = fakeClient({ imageScanStatus: { status: 'IN_PROGRESS', description: 'scanning' }, nextToken: 'ignored' });
    expect(await new EcrScanFindingsSource(client).findings('shop/api', DIGEST)).toMatchObject({ status: 'PENDING', statusDescription: 'IN_PROGRESS: scanning', CRITICAL: 0 });
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['UNSUPPORTED_IMAGE', 'UNSUPPORTED'],
    ['FAILED', 'FAILED'],
    ['FINDINGS_UNAVAILABLE', 'FAILED'],
  ] as const)('ECR status %s is %s', async (ecr, status) => {
    const { client } = fakeClient({ imageScanStatus: { status: ecr } });
    expect(await new EcrScanFindingsSource(client).findings('shop/api', DIGEST)).toMatchObject({ status, statusDescription: ecr });
  });

  it('no scan (ScanNotFoundException) is null', async () => {
    const { client } = fakeClient(named('ScanNotFoundException'));
    expect(await new EcrScanFindingsSource(client).findings('shop/api', DIGEST)).toBeNull();
  });

  it('other errors reach the caller', async () => {
    const { client } = fakeClient(named('RepositoryNotFoundException'));
    await expect(new EcrScanFindingsSource(client).findings('shop/nope', DIGEST)).rejects.toThrow('RepositoryNotFoundException thrown by the fake');
  });

  it('stops after maxPages, keeping the counts ECR reported', async () => {
    const page = { ...complete, imageScanFindings: { findingSeverityCounts: { HIGH: 3 }, findings: [{ name: 'CVE-1', severity: 'HIGH' as const }] }, nextToken: 'more' };
    const { client, calls } = fakeClient(page, page, page);
    const summary = await new EcrScanFindingsSource(client, { maxPages: 2 }).findings('shop/api', DIGEST);
    expect(calls).toHaveLength(2);
    expect(summary).toMatchObject({ HIGH: 3 });
  });
});
