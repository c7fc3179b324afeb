import {
  DescribeImageScanFindingsCommand,
  type DescribeImageScanFindingsCommandOutput,
  type EnhancedImageScanFinding,
  type ImageScanFinding,
} from '@aws-sdk/client-ecr';
import { scanStatusOf } from '../../core/security/ecr-scan-event.js';
import { SEVERITIES, zeroCounts, type Finding, type ScanFindingsSource, type ScanSummary, type Severity } from '../../core/security/policy.js';

/** The part of ECRClient this adapter uses (an ECRClient fits; tests hand in a fake). */
export interface EcrScanClient {
  send(command: DescribeImageScanFindingsCommand): Promise<DescribeImageScanFindingsCommandOutput>;
}

export interface EcrScanFindingsOptions {
  /** Registry (account id) when it is not the caller's. */
  registryId?: string;
  /** Pages of findings read at most (1000 findings each); the counts are complete either way. */
  maxPages?: number;
}

const severityOf = (s: string | undefined): Severity => SEVERITIES.find((v) => v === s?.toUpperCase()) ?? 'UNDEFINED';

function basicFinding(f: ImageScanFinding): Finding | null {
  if (!f.name) return null;
  const attr = (k: string) => f.attributes?.find((a) => a.key === k)?.value;
  const pkg = attr('package_name');
  const version = attr('package_version');
  return { name: f.name, severity: severityOf(f.severity), ...(f.uri ? { uri: f.uri } : {}), ...(pkg ? { package: version ? `${pkg}@${version}` : pkg } : {}) };
}

function enhancedFinding(f: EnhancedImageScanFinding): Finding | null {
  const details = f.packageVulnerabilityDetails;
  const name = details?.vulnerabilityId ?? f.title;
  if (!name) return null;
  const p = details?.vulnerablePackages?.[0];
  const uri = details?.sourceUrl ?? details?.referenceUrls?.[0];
  return { name, severity: severityOf(f.severity), ...(uri ? { uri } : {}), ...(p?.name ? { package: p.version ? `${p.name}@${p.version}` : p.name } : {}) };
}

/**
 * Scan findings from Amazon ECR (DescribeImageScanFindings), basic or enhanced scanning, all pages.
 *
 * - ScanNotFoundException (never scanned, scanning off) → null: the policy's `onMissing` decides.
 * - IN_PROGRESS / PENDING → a summary with status PENDING and zero counts (retry later).
 * - UNSUPPORTED_IMAGE → UNSUPPORTED; FAILED, FINDINGS_UNAVAILABLE and the other statuses → FAILED,
 *   with ECR's status and description in `statusDescription`.
 * Other errors (throttling, access denied, unknown repository or image) are thrown for the caller to retry or fail.
 */
export class EcrScanFindingsSource implements ScanFindingsSource {
  constructor(
    private readonly client: EcrScanClient,
    private readonly options: EcrScanFindingsOptions = {},
  ) {}

  async findings(repository: string, digest: string): Promise<ScanSummary | null> {
    const pages: DescribeImageScanFindingsCommandOutput[] = [];
    let nextToken: string | undefined;
    const maxPages = this.options.maxPages ?? 20;
    do {
      let page: DescribeImageScanFindingsCommandOutput;
      try {
        page = await this.client.send(
          new DescribeImageScanFindingsCommand({
            repositoryName: repository,
            imageId: { imageDigest: digest },
            maxResults: 1000,
            ...(this.options.registryId ? { registryId: this.options.registryId } : {}),
            ...(nextToken ? { nextToken } : {}),
          }),
        );
      } catch (e) {
        if ((e as Error).name === 'ScanNotFoundException') return null;
        throw e;
      }
      pages.push(page);
      if (scanStatusOf(page.imageScanStatus?.status) !== 'COMPLETE') break;
      nextToken = page.nextToken;
    } while (nextToken && pages.length < maxPages);
    return summaryFromPages(pages);
  }
}

/** Pure: the pages of one DescribeImageScanFindings listing as a summary. */
export function summaryFromPages(pages: DescribeImageScanFindingsCommandOutput[]): ScanSummary {
  const first = pages[0];
  const ecrStatus = first?.imageScanStatus?.status;
  const status = scanStatusOf(ecrStatus);
  if (status !== 'COMPLETE') {
    const description = [ecrStatus ?? 'no status', first?.imageScanStatus?.description].filter(Boolean).join(': ');
    return { ...zeroCounts(), status, statusDescription: description };
  }
  const findings = pages.flatMap((p) => [
    ...(p.imageScanFindings?.findings ?? []).map(basicFinding),
    ...(p.imageScanFindings?.enhancedFindings ?? []).map(enhancedFinding),
  ]).filter((f): f is Finding => f !== null);
  const counts = zeroCounts();
  const reported = first?.imageScanFindings?.findingSeverityCounts;
  if (reported) for (const s of SEVERITIES) counts[s] = reported[s] ?? 0;
  else for (const f of findings) counts[f.severity] += 1;
  const completedAt = first?.imageScanFindings?.imageScanCompletedAt;
  return { ...counts, findings, status, ...(completedAt ? { scanCompletedAt: completedAt.toISOString() } : {}) };
}
