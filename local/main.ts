
/**
 * `npm start`: the whole system on one machine. Prints where everything listens; Ctrl-C stops it.
 * Rollouts in flight when it stops are resumed at the next start (see the audit log).
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true'; // EMF lines are for CloudWatch; locally they are noise
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
// Lambda runs node 22; locally node 20 is supported by our pinned SDK versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Imported after the settings above: the Powertools instances read them when their modules load.
const { startRuntime } = await import('./runtime.js');
const started = Date.now();
const rt = await startRuntime().catch((e: unknown) => {
  console.error(`lumina: could not start: ${(e as Error).message}`);
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') console.error('  another process holds the port; set LUMINA_PORT / LUMINA_PROXY_PORT to free ones');
  process.exit(1);
});

const lines = [
  '',
  `Lumina Deploy (local) ready in ${Date.now() - started} ms`,
  `  API + EventBridge endpoint  ${rt.url}        (GET /health, GET /api/rollouts?service=demo, GET /api/rollouts/{id})`,
  ...[...rt.proxies].map(([name, p]) => `  service ${name.padEnd(19)} ${p.url}  (weighted proxy: stable + canary)`),
  `  data dir                    ${process.env.LUMINA_DATA_DIR ?? '.lumina'}`,
  '',
  'Try:',
  '  npm run push -- demo --tag v2                      # healthy image: canary 10 → 25 → 50 → 75 → 100 %',
  '  npm run push -- demo --tag v3 --fault-rate 0.5     # faulty image: analysis fails, automatic rollback',
  '  npm run lumina -- status demo --watch',
  '  npm run push -- demo-bluegreen --tag v2 --watch    # blue/green: test traffic, switch, bake, delayed teardown',
  '  npm run push -- demo-gated --tag v2                # approval gate, then a pause after each stage:',
  '  npm run lumina -- approve demo-gated               #   then: lumina promote demo-gated (or abort, pause, resume)',
  '  npm run push -- demo-rolling --tag v2 --watch      # rolling: 4 instances, one batch at a time, health check after each',
  '',
];
console.log(lines.join('\n'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal}: stopping (rollouts in flight resume at next start)…`);
    rt.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
