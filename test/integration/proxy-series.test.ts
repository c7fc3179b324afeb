import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceConfigSchema, type ServiceConfig } from '../../core/config/services.js';
import { startDemoServer, type DemoServer } from '../../local/demo-service.js';
import { LocalImageRegistry } from '../../local/images.js';
import { InstanceManager } from '../../local/instances.js';
import { WeightedProxy } from '../../local/proxy.js';
import { LocalTrafficRouter, ProxyMetricsSource } from '../../local/router.js';

const t0 = Date.parse('2026-11-22T10:00:00Z');
let clock = t0;
let demo: DemoServer;
let faulty: DemoServer;
let proxy: WeightedProxy;
let source: ProxyMetricsSource;
const service: ServiceConfig = { name: 'demo', ...ServiceConfigSchema.parse({ repository: 'demo', router: { kind: 'local' } }) };

/** `n` requests through the proxy, each recorded at `atMs` on the proxy's clock. */
async function requests(atMs: number, n: number) {
  clock = atMs;
  for (let i = 0; i < n; i++) await (await fetch(`${proxy.url}/`)).arrayBuffer();
}

beforeAll(async () => {
  demo = await startDemoServer({ version: 'v1' });
  faulty = await startDemoServer({ version: 'v2', faultRate: 1 });
  proxy = new WeightedProxy({ service: 'demo', now: () => clock });
  await proxy.listen();
  proxy.setTarget('stable', { url: `http://127.0.0.1:${demo.port}`, revision: 'v1' });
  const proxyFor = () => proxy;
  source = new ProxyMetricsSource(proxyFor, new LocalTrafficRouter(proxyFor, new InstanceManager(), new LocalImageRegistry()));
  await requests(t0 + 500, 4); // second 0: holds the step start
  await requests(t0 + 1200, 2);
  await requests(t0 + 2100, 3);
  proxy.setTarget('stable', { url: `http://127.0.0.1:${faulty.port}`, revision: 'v2' });
  await requests(t0 + 2900, 1);
  await requests(t0 + 3500, 5); // second 3: still in progress at `to`
});
afterAll(async () => {
  await proxy?.close();
  await demo?.close();
  await faulty?.close();
});

describe('ProxyMetricsSource.series: the judge’s per-second samples', () => {
  const window = { from: new Date(t0 + 300), to: new Date(t0 + 3600) };

  it('gives one point per whole second inside the window, leaving out the step’s first and the current second', async () => {
    const s = await source.series(service, 'stable', window, 1);
    expect(s).toMatchObject({ from: '2026-11-22T10:00:01.000Z', to: '2026-11-22T10:00:03.000Z', stepSeconds: 1 });
    expect(s.points.map((p) => [p.at, p.requests, p.errors5xx])).toEqual([
      ['2026-11-22T10:00:01.000Z', 2, 0],
      ['2026-11-22T10:00:02.000Z', 4, 1],
    ]);
    expect(s.points.every((p) => p.avgLatencyMs !== null && p.avgLatencyMs >= 0 && p.p99LatencyMs! >= p.avgLatencyMs)).toBe(true);
  });

  it('longer periods are whole multiples; a window shorter than one period has no point', async () => {
    expect((await source.series(service, 'stable', { from: new Date(t0), to: new Date(t0 + 3600) }, 2)).points.map((p) => p.requests)).toEqual([6]);
    expect((await source.series(service, 'stable', window, 3)).points).toEqual([]);
    expect((await source.series(service, 'canary', window, 1)).points.map((p) => p.requests)).toEqual([0, 0]);
  });
});
