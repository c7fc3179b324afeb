import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { ScanSummarySchema, type ScanFindingsSource, type ScanSummary } from './policy.js';

export const SCAN_FINDINGS_FILE = 'scan-findings.json';

/** The local findings file: image key → summary (counts default to 0, status to COMPLETE). */
export const ScanFindingsFileSchema = z.record(z.string().min(1), ScanSummarySchema);

export class ScanFindingsFileError extends Error {
  override name = 'ScanFindingsFileError';
}

/**
 * Scan findings for the local runtime (and tests), from `<dataDir>/scan-findings.json`:
 *
 *   { "sha256:ab12…": { "CRITICAL": 1, "findings": [{ "name": "CVE-2024-1234", "severity": "CRITICAL" }] },
 *     "demo:v3": { "HIGH": 2 },
 *     "demo@sha256:cd34…": { "status": "PENDING" } }
 *
 * Keys, looked up in this order: `repository@digest`, `digest`, `repository:tag`. The file is read on
 * every lookup, so editing it takes effect at once; no file or no key means no scan (null).
 */
export class FileScanFindingsSource implements ScanFindingsSource {
  constructor(readonly file: string) {}

  static inDataDir(dataDir: string): FileScanFindingsSource {
    return new FileScanFindingsSource(join(dataDir, SCAN_FINDINGS_FILE));
  }

  async findings(repository: string, digest: string, tag?: string): Promise<ScanSummary | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ScanFindingsFileError(`cannot read ${this.file}: ${(e as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ScanFindingsFileError(`${this.file} is not valid JSON: ${(e as Error).message}`);
    }
    const parsed = ScanFindingsFileSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
      throw new ScanFindingsFileError(`${this.file} is not a valid findings file: ${issues.join('; ')}`);
    }
    const keys = [`${repository}@${digest}`, digest, ...(tag ? [`${repository}:${tag}`] : [])];
    for (const key of keys) {
      const summary = parsed.data[key];
      if (summary) return summary;
    }
    return null;
  }
}
