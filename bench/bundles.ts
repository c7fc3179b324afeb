import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleAll } from '../scripts/bundle.js';
import { fmt, heading, median, ratio, signed, table, unquietedEnv, verdict } from './util.js';

/**
 * Bundle size and cold module-init time of every Lambda entry point.
 * Init = `await import(bundle)` timed with performance.now() inside a fresh `node` process, median of RUNS
 * (after one discarded warm-up round that fills the OS file cache). Runs are interleaved round-robin across
 * modules so drift in machine load hits every module alike. Baseline: an empty ESM module, same harness.
 */

export const SIZE_TARGET_KB = 300;
export const INIT_TARGET_MS = 100;
const RUNS = 7;
const SPAWN_TIMEOUT_MS = 30_000;

/** What the Lambda would have set: enough for every handler's fail-fast configuration to pass. */
export const LAMBDA_ENV: Record<string, string> = {
  TABLE_NAME: 'lumina-bench',
  EVENT_BUS_NAME: 'lumina-bench',
  TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:lumina-bench',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:x',
  APPCONFIG_APPLICATION: 'app',
  APPCONFIG_ENVIRONMENT: 'env',
  APPCONFIG_PROFILE: 'flags',
  AWS_REGION: 'us-east-1',
};

const CHILD = `
const url = process.env.BENCH_MODULE_URL;
try {
  const t0 = performance.now();
  await import(url);
  const t1 = performance.now();
  process.stdout.write('BENCH_INIT_MS ' + (t1 - t0) + '\\n');
} catch (e) {
  process.stdout.write('BENCH_INIT_ERROR ' + JSON.stringify(String(e && e.stack || e)) + '\\n');
  process.exitCode = 1;
}
`;

function initOnce(file: string): Promise<number> {
  return new Promise((resolveP, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', CHILD],
      { env: { ...unquietedEnv(), ...LAMBDA_ENV, BENCH_MODULE_URL: pathToFileURL(resolve(file)).href }, timeout: SPAWN_TIMEOUT_MS, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        const m = /BENCH_INIT_MS (\S+)/.exec(stdout);
        if (m) return resolveP(Number(m[1]));
        const e = /BENCH_INIT_ERROR (.*)/.exec(stdout);
        reject(new Error(`import of ${file} failed: ${e ? (JSON.parse(e[1]!) as string).split('\n')[0] : (err?.message ?? stderr.slice(-500))}`));
      },
    );
  });
}

interface TopInput {
  path: string;
  bytes: number;
}

export interface BundleRow {
  entry: string;
  file: string;
  bytes: number;
  kb: number;
  sizeRatioToTarget: number;
  sizeVerdict: string;
  initMsRuns: number[];
  initMsMedian: number | null;
  initRatioToEmpty: number | null;
  initDiffToEmptyMs: number | null;
  initVerdict: string;
  error?: string;
}

export interface BundlesResult {
  baseline: { name: 'empty module'; initMsRuns: number[]; initMsMedian: number };
  targets: { sizeKb: number; initMs: number };
  runs: number;
  node: string;
  rows: BundleRow[];
  largest: { entry: string; topInputs: TopInput[]; topPackages: TopInput[] };
}

/** `node_modules/@aws-sdk/client-x/dist-es/...` → `@aws-sdk/client-x`; project files → `(project) <dir>`. */
function packageOf(path: string): string {
  const i = path.lastIndexOf('node_modules/');
  if (i < 0) return `(project) ${path.split('/').slice(0, 2).join('/')}`;
  const rest = path.slice(i + 'node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
}

export async function runBundles(log: (s: string) => void): Promise<BundlesResult> {
  log(heading('bundles — Lambda bundle size and module init in a fresh node process', `esbuild via scripts/bundle.ts bundleAll(); init = median of ${RUNS} runs (+1 warm-up); node ${process.version}`));
  const t0 = performance.now();
  const bundles = await bundleAll();
  log(`built ${bundles.length} bundles in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  mkdirSync('bench/results', { recursive: true });
  const emptyFile = join('bench/results', 'empty-module.mjs');
  writeFileSync(emptyFile, '// baseline for the init benchmark: an empty ES module\nexport {};\n');

  const files = [emptyFile, ...bundles.map((b) => b.file)];
  const runs = new Map<string, number[]>(files.map((f) => [f, []]));
  const errors = new Map<string, string>();
  for (let round = 0; round <= RUNS; round++) {
    for (const f of files) {
      if (errors.has(f)) continue;
      try {
        const ms = await initOnce(f);
        if (round > 0) runs.get(f)!.push(ms);
      } catch (e) {
        errors.set(f, (e as Error).message);
      }
    }
    log(`  init round ${round === 0 ? 'warm-up' : `${round}/${RUNS}`} done`);
  }
  if (errors.has(emptyFile)) throw new Error(`baseline (empty module) failed: ${errors.get(emptyFile)}`);
  const emptyMedian = median(runs.get(emptyFile)!);

  const rows: BundleRow[] = bundles.map((b) => {
    const xs = runs.get(b.file)!;
    const med = xs.length ? median(xs) : null;
    const kb = b.bytes / 1024;
    return {
      entry: b.entry,
      file: b.file,
      bytes: b.bytes,
      kb,
      sizeRatioToTarget: kb / SIZE_TARGET_KB,
      sizeVerdict: verdict(kb, SIZE_TARGET_KB),
      initMsRuns: xs,
      initMsMedian: med,
      initRatioToEmpty: med === null ? null : med / emptyMedian,
      initDiffToEmptyMs: med === null ? null : med - emptyMedian,
      initVerdict: med === null ? 'ERROR' : verdict(med, INIT_TARGET_MS),
      ...(errors.has(b.file) ? { error: errors.get(b.file)! } : {}),
    };
  });

  log('');
  log(
    table(
      ['bundle', 'KB', `× target ${SIZE_TARGET_KB} KB`, 'size', 'init ms (median)', '× empty module', 'Δ vs empty ms', `init ≤ ${INIT_TARGET_MS} ms`],
      [
        ['(baseline) empty module', '0.0', '—', '—', fmt(emptyMedian, 2), '1.00×', '+0.00', '—'],
        ...rows.map((r) => [
          basename(r.file),
          fmt(r.kb),
          ratio(r.kb, SIZE_TARGET_KB),
          r.sizeVerdict,
          fmt(r.initMsMedian),
          r.initMsMedian === null ? '—' : ratio(r.initMsMedian, emptyMedian, 1),
          r.initDiffToEmptyMs === null ? '—' : signed(r.initDiffToEmptyMs),
          r.initVerdict,
        ]),
      ],
    ),
  );
  for (const r of rows) if (r.error) log(`  ERROR ${r.entry}: ${r.error}`);
  const sizeOver = rows.filter((r) => r.sizeVerdict !== 'PASS').length;
  const initOver = rows.filter((r) => r.initVerdict !== 'PASS').length;
  log(`\nsize: ${rows.length - sizeOver}/${rows.length} within ${SIZE_TARGET_KB} KB${sizeOver ? `  ← ${sizeOver} OVER target` : ''}`);
  log(`init: ${rows.length - initOver}/${rows.length} within ${INIT_TARGET_MS} ms${initOver ? `  ← ${initOver} OVER target` : ''}`);

  // What to trim: the largest bundle's biggest inputs (bytes they contribute to the minified output).
  const largest = bundles.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const inputs = Object.entries(largest.metafile.outputs[largest.file]?.inputs ?? {}).map(([path, v]) => ({ path, bytes: v.bytesInOutput }));
  const topInputs = [...inputs].sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  const byPkg = new Map<string, number>();
  for (const i of inputs) byPkg.set(packageOf(i.path), (byPkg.get(packageOf(i.path)) ?? 0) + i.bytes);
  const topPackages = [...byPkg].map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 8);
  const pct = (n: number) => `${((100 * n) / largest.bytes).toFixed(1)} %`;
  log(`\nlargest bundle: ${basename(largest.file)} (${fmt(largest.bytes / 1024)} KB, ${inputs.length} input modules) — top 5 input modules by bytes in output`);
  log(table(['input module', 'KB', 'share of bundle'], topInputs.map((i) => [i.path, fmt(i.bytes / 1024), pct(i.bytes)])));
  log(`\nsame bundle grouped by package (top 8)`);
  log(table(['package', 'KB', 'share of bundle'], topPackages.map((i) => [i.path, fmt(i.bytes / 1024), pct(i.bytes)])));

  return {
    baseline: { name: 'empty module', initMsRuns: runs.get(emptyFile)!, initMsMedian: emptyMedian },
    targets: { sizeKb: SIZE_TARGET_KB, initMs: INIT_TARGET_MS },
    runs: RUNS,
    node: process.version,
    rows,
    largest: { entry: largest.entry, topInputs, topPackages },
  };
}
