import type http from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard (web/): `GET /ui/` is index.html, `GET /ui/app.js` one bundle built in memory by esbuild's JS API
 * at the first request and cached for the process's life (never written to disk); `GET /` redirects to `/ui/`.
 * Local only: in AWS the dashboard is not deployed (it calls the same API routes, which need IAM there).
 */

const ENTRY = fileURLToPath(new URL('../web/main.tsx', import.meta.url));

export class DashboardBuildError extends Error {
  override name = 'DashboardBuildError';
}

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lumina Deploy</title>
<link rel="icon" href="data:,">
</head>
<body>
<div id="app"><p>Loading the dashboard…</p></div>
<noscript>The dashboard needs JavaScript; the API is at /api/services.</noscript>
<script type="module" src="/ui/app.js"></script>
</body>
</html>
`;

let bundle: Promise<string> | undefined;

/** The bundled dashboard script; built once (a failed build is retried on the next request). */
export function dashboardBundle(): Promise<string> {
  bundle ??= (async () => {
    const esbuild = await import('esbuild');
    const out = await esbuild.build({
      entryPoints: [ENTRY],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    const js = out.outputFiles[0];
    if (!js) throw new DashboardBuildError('esbuild produced no output for web/main.tsx');
    return js.text;
  })().catch((e: unknown) => {
    bundle = undefined;
    throw e instanceof DashboardBuildError ? e : new DashboardBuildError(`building the dashboard failed: ${(e as Error).message}`);
  });
  return bundle;
}

/** True for the paths this handler answers (GET only). */
export const isDashboardPath = (pathname: string) => pathname === '/' || pathname === '/ui' || pathname.startsWith('/ui/');

/** Serves one dashboard path; unknown `/ui/*` paths get index.html (the router is in the URL's hash). */
export async function serveDashboard(pathname: string, res: http.ServerResponse): Promise<void> {
  if (pathname === '/' || pathname === '/ui') {
    res.writeHead(302, { location: '/ui/', 'content-length': 0 });
    res.end();
    return;
  }
  if (pathname === '/ui/app.js') {
    const js = await dashboardBundle();
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-length': Buffer.byteLength(js), 'cache-control': 'no-cache' });
    res.end(js);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(INDEX_HTML), 'cache-control': 'no-cache' });
  res.end(INDEX_HTML);
}
