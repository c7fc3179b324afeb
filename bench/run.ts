import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyQuietEnv, heading, table } from './util.js';

/**
 * `npm run bench` runs every benchmark; `npm run bench -- bundles` (or `breach`, `overhead`, several) runs some.
 * Prints a table per benchmark, each figure with a ratio against a named baseline of the same run, and writes
 * the results to bench/results/<timestamp>.json. A missed target is a measurement, not a failure: the exit
 * code is non-zero only when a benchmark crashed.
 */

type Bench = (log: (s: string) => void) => Promise<unknown>;
// Loaded lazily, after applyQuietEnv(): the handlers read their logging settings when their modules load.
const BENCHMARKS: Record<'bundles' | 'breach' | 'overhead' | 'flags-eval' | 'flags-http' | 'judge' | 'dora' | 'webhooks', () => Promise<Bench>> = {
  bundles: async () => (await import('./bundles.js')).runBundles,
  breach: async () => (await import('./breach.js')).runBreach,
  overhead: async () => (await import('./overhead.js')).runOverhead,
  'flags-eval': async () => (await import('./flags-eval.js')).runFlagsEval,
  'flags-http': async () => (await import('./flags-http.js')).runFlagsHttp,
  judge: async () => (await import('./judge.js')).runJudge,
  dora: async () => (await import('./dora.js')).runDora,
  webhooks: async () => (await import('./webhooks.js')).runWebhooks,
};
type Name = keyof typeof BENCHMARKS;
const NAMES = Object.keys(BENCHMARKS) as Name[];

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
process.chdir(repoRoot); // bundleAll() and the results dir are relative to the repository root

const args = process.argv.slice(2).filter((a) => a !== '--');
if (args.some((a) => a === '-h' || a === '--help')) {
  console.log(`usage: npm run bench [-- ${NAMES.join('|')} ...]   (no argument = all)`);
  process.exit(0);
}
const unknown = args.filter((a) => !(NAMES as string[]).includes(a));
if (unknown.length) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; choose from ${NAMES.join(', ')}`);
  process.exit(2);
}
const selected: Name[] = args.length ? NAMES.filter((n) => args.includes(n)) : NAMES;

const quieted = applyQuietEnv();
const log = (s: string) => console.log(s);
const startedAt = new Date();
const results: Record<string, unknown> = {};
const crashes: { benchmark: Name; error: string }[] = [];
const durations: Record<string, number> = {};

log(`Lumina Deploy benchmarks: ${selected.join(', ')} — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
if (quieted.length) log(`(in-process handler logs silenced for readability: ${quieted.join(', ')}; not applied to the bundle-init child processes)`);
for (const name of selected) {
  const t0 = performance.now();
  try {
    results[name] = await (await BENCHMARKS[name]())(log);
  } catch (e) {
    const err = e as Error;
    crashes.push({ benchmark: name, error: err.stack ?? String(err) });
    results[name] = { error: err.message };
    log(`\n${name}: CRASHED — ${err.stack ?? err.message}`);
  }
  durations[name] = (performance.now() - t0) / 1000;
  log(`\n(${name} took ${durations[name]!.toFixed(1)} s)`);
}

const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
const outDir = join(repoRoot, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, `${stamp}.json`);
writeFileSync(
  outFile,
  `${JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      selected,
      quietedEnv: quieted,
      durationsS: durations,
      crashes,
      results,
    },
    null,
    2,
  )}\n`,
);

// One-screen recap of the targets.
const recap: string[][] = [];
const r = results as {
  bundles?: { rows?: { sizeVerdict: string; initVerdict: string }[]; targets?: { sizeKb: number; initMs: number } };
  breach?: { summary?: { medianS: number; medianToTarget: number; verdict: string } | null; target?: { seconds: number } };
  overhead?: { overheadPct?: number; verdict?: string; target?: { overheadPct: number } };
};
if (r.bundles?.rows) {
  const rows = r.bundles.rows;
  const sizeOk = rows.filter((x) => x.sizeVerdict === 'PASS').length;
  const initOk = rows.filter((x) => x.initVerdict === 'PASS').length;
  recap.push(['bundles: size', `≤ ${r.bundles.targets?.sizeKb} KB`, `${sizeOk}/${rows.length} bundles within`, sizeOk === rows.length ? 'PASS' : 'MISSED']);
  recap.push(['bundles: init', `≤ ${r.bundles.targets?.initMs} ms`, `${initOk}/${rows.length} bundles within`, initOk === rows.length ? 'PASS' : 'MISSED']);
}
if (r.breach && 'summary' in r.breach) {
  const s = r.breach.summary;
  recap.push(['breach → 100 % stable', `≤ ${r.breach.target?.seconds} s (median)`, s ? `${s.medianS.toFixed(3)} s (${s.medianToTarget.toFixed(2)}× target)` : 'not measured', s?.verdict === 'PASS' ? 'PASS' : 'MISSED']);
}
if (r.overhead && r.overhead.overheadPct !== undefined) {
  recap.push(['canary overhead', `≤ ${r.overhead.target?.overheadPct} %`, `${r.overhead.overheadPct.toFixed(2)} %`, r.overhead.verdict === 'PASS' ? 'PASS' : 'MISSED']);
}
for (const c of crashes) recap.push([c.benchmark, '—', 'crashed', 'CRASH']);
log(heading('summary'));
log(table(['benchmark', 'target', 'measured', 'result'], recap, ['l', 'l', 'l', 'l']));
log(`\nresults written to ${outFile}`);

const code = crashes.length ? 1 : 0;
process.exitCode = code;
// Everything was closed in finally blocks; do not let a stray handle keep the process alive.
setTimeout(() => process.exit(code), 3000).unref();
