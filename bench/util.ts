import { until } from '../test/support/wait.js';
/** Small helpers shared by the benchmarks: clocks, bounded polling, statistics and plain-text tables. */

/**
 * The in-process runtime runs the real handlers, whose Powertools Logger/Metrics print JSON lines on stdout,
 * and the AWS SDK warns once about Node < 22. The benchmark silences them (unless the caller set them) so the
 * tables stay readable; these must be set before the handlers' modules load. Child processes of the bundle
 * benchmark get them removed again, so bundle init runs exactly as the Lambda would.
 */
const QUIET_ENV: Record<string, string> = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const quieted: string[] = [];

export function applyQuietEnv(): string[] {
  for (const [k, v] of Object.entries(QUIET_ENV)) {
    if (process.env[k] === undefined) {
      process.env[k] = v;
      quieted.push(k);
    }
  }
  return [...quieted];
}

/** process.env without the variables applyQuietEnv() added. */
export function unquietedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of quieted) delete env[k];
  return env;
}

/** Wall-clock epoch milliseconds with sub-millisecond resolution (comparable with ISO audit timestamps). */
export const wallMs = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` every `everyMs` until it returns something other than undefined. Bounded: throws after
 * `timeoutMs` with what it was waiting for. Errors from `probe` are remembered and retried.
 */
export const pollUntil = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, everyMs: number, timeoutMs: number): Promise<T> =>
  until(what, async () => probe(), timeoutMs, everyMs);

export function median(xs: number[]): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const min = (xs: number[]) => (xs.length ? Math.min(...xs) : Number.NaN);
export const max = (xs: number[]) => (xs.length ? Math.max(...xs) : Number.NaN);

/** "1.23×" — a ratio against a baseline, or "n/a" when the baseline is 0 or missing. */
export function ratio(value: number, baseline: number, digits = 2): string {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return 'n/a';
  return `${(value / baseline).toFixed(digits)}×`;
}

export const fmt = (n: number | null | undefined, digits = 1): string => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));
export const signed = (n: number, digits = 1): string => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(digits)}` : '—');

export type Align = 'l' | 'r';

/** Renders a plain-text table; numeric-looking columns are right-aligned unless `align` says otherwise. */
export function table(headers: string[], rows: string[][], align?: Align[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const al = headers.map((_, i) => align?.[i] ?? (i === 0 ? 'l' : 'r'));
  const line = (cells: string[]) => cells.map((c, i) => (al[i] === 'l' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join('\n');
}

export function heading(title: string, subtitle?: string): string {
  const bar = '═'.repeat(Math.max(60, title.length + 4));
  return `\n${bar}\n  ${title}${subtitle ? `\n  ${subtitle}` : ''}\n${bar}`;
}

/** PASS / OVER against a target (lower is better). */
export const verdict = (value: number, target: number) => (Number.isFinite(value) && value <= target ? 'PASS' : 'OVER');
