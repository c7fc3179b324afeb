import { readFileSync } from 'node:fs';
import type { RolloutView } from '../core/delivery/ports.js';
import { startRuntime, type Runtime } from '../local/runtime.js';
import type { WeightedProxy } from '../local/proxy.js';
import { pollUntil, sleep, wallMs } from './util.js';

/** The demo delivery config (local/demo.config.json) as an object, plus the numbers the benchmarks use. */
export interface DemoConfig {
  raw: unknown;
  stages: number[];
  stageSeconds: number;
  intervalSeconds: number;
}

export function loadDemoConfig(): DemoConfig {
  const raw = JSON.parse(readFileSync(new URL('../local/demo.config.json', import.meta.url), 'utf8')) as {
    services: { demo: { canary: { stages: number[]; stageSeconds: number; analysis: { intervalSeconds: number } } } };
  };
  const c = raw.services.demo.canary;
  return { raw, stages: c.stages, stageSeconds: c.stageSeconds, intervalSeconds: c.analysis.intervalSeconds };
}

export const TRAFFIC_RPS = 60;

/** The whole local system in-process, on ephemeral loopback ports, DynamoDB in memory, demo config. */
export async function startDemo(config: DemoConfig): Promise<{ rt: Runtime; proxy: WeightedProxy; startupMs: number }> {
  const t0 = performance.now();
  const rt = await startRuntime({ port: 0, proxyPort: 0, inMemory: true, trafficRps: TRAFFIC_RPS, log: () => {}, config: config.raw });
  const proxy = rt.proxies.get('demo')?.proxy;
  if (!proxy) {
    await rt.close();
    throw new Error('the demo config has no local service named demo');
  }
  return { rt, proxy, startupMs: performance.now() - t0 };
}

export interface Pushed {
  tag: string;
  digest: string;
  eventId: string;
  /** Wall-clock ms just before the PutEvents call. */
  putEventsAt: number;
}

/** What `lumina push` does: register the image, then send the ECR "Image Action" event through PutEvents. */
export async function pushImage(rt: Runtime, tag: string, faultRate: number): Promise<Pushed> {
  const svc = rt.services.find((s) => s.name === 'demo')!;
  const img = rt.images.push(svc.repository, tag, { version: tag, faultRate });
  const putEventsAt = wallMs();
  const out = await rt.bus.putEvents([
    {
      Source: 'aws.ecr',
      DetailType: 'ECR Image Action',
      Resources: [],
      Detail: JSON.stringify({ 'action-type': 'PUSH', result: 'SUCCESS', 'repository-name': svc.repository, 'image-digest': img.digest, 'image-tag': tag }),
    },
  ]);
  const entry = out.Entries[0];
  if (!entry?.EventId) throw new Error(`PutEvents rejected the push of ${tag}: ${entry?.ErrorCode ?? '?'} ${entry?.ErrorMessage ?? ''}`);
  return { tag, digest: img.digest, eventId: entry.EventId, putEventsAt };
}

/** The rollout created for `tag` (the trigger runs asynchronously after PutEvents). */
export async function findRollout(rt: Runtime, tag: string, everyMs = 20, timeoutMs = 15_000): Promise<RolloutView> {
  return pollUntil(
    `the rollout of demo:${tag} to be created`,
    async () => (await rt.repo.listRollouts({ service: 'demo', limit: 10 })).find((r) => r.revision.tag === tag),
    everyMs,
    timeoutMs,
  );
}

/** Waits until the rollout is finalized (lock released) and its execution has stopped. Bounded. */
export async function waitForEnd(rt: Runtime, rolloutId: string, timeoutMs = 90_000): Promise<RolloutView> {
  const r = await pollUntil(
    `rollout ${rolloutId} to be finalized`,
    async () => {
      const v = await rt.repo.getRollout(rolloutId);
      return v?.status.completedAt ? v : undefined;
    },
    100,
    timeoutMs,
  );
  await Promise.race([rt.sfn.wait(rolloutId).catch(() => undefined), sleep(10_000)]);
  return r;
}

/** Closes the runtime, bounded: a hung close must not hang the benchmark. */
export async function closeDemo(rt: Runtime): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    rt.close(),
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error('runtime close() did not finish within 20 s')), 20_000);
    }),
  ]).finally(() => clearTimeout(timer));
}
