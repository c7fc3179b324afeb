import { build, type Metafile } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every Lambda entry point (handler export `handler`), as the stack references them. */
export const lambdaEntries = [
  'functions/trigger/ecr-push.ts',
  'functions/tasks/prepare.ts',
  'functions/tasks/set-weight.ts',
  'functions/tasks/analyse.ts',
  'functions/tasks/promote.ts',
  'functions/tasks/rollback.ts',
  'functions/tasks/finalize.ts',
  'functions/tasks/notify.ts',
  'functions/api/http.ts',
  'functions/flags/evaluate.ts',
  'functions/webhooks/http.ts',
  'functions/dora/recorder.ts',
] as const;

export interface BundleResult {
  entry: string;
  file: string;
  bytes: number;
  metafile: Metafile;
}

/**
 * Bundles each handler the way SST v2 deploys an ESM function: minified, node22, `mainFields`
 * module-first (so the AWS SDK's ES builds are tree-shaken to the commands we use), every dependency
 * — the AWS SDK included, pinned by package.json rather than whatever the runtime ships — inside the
 * bundle, so the size is the real deployment payload.
 */
export async function bundleAll(outDir = 'dist/functions'): Promise<BundleResult[]> {
  mkdirSync(outDir, { recursive: true });
  const out: BundleResult[] = [];
  for (const entry of lambdaEntries) {
    const file = join(outDir, `${entry.replace(/^functions\//, '').replace(/\.ts$/, '').replace(/\//g, '-')}.mjs`);
    const res = await build({
      entryPoints: [entry],
      outfile: file,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      minify: true,
      metafile: true,
      logLevel: 'silent',
      mainFields: ['module', 'main'],
      // ESM bundles of CommonJS dependencies need a require() in scope.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const bytes = Object.entries(res.metafile.outputs).find(([k]) => file.endsWith(k) || k.endsWith(file))?.[1].bytes ?? 0;
    out.push({ entry, file, bytes, metafile: res.metafile });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await bundleAll()) console.log(`${(r.bytes / 1024).toFixed(1).padStart(8)} KB  ${r.entry}`);
}
