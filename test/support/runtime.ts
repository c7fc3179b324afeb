import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../local/runtime.js';
import { getJson, until } from './wait.js';

/** End-to-end plumbing shared by the test/e2e files: one runtime per file, the real CLI, finished rollouts. */

const run = promisify(execFile);
export const TERMINAL = ['Healthy', 'RolledBack', 'Aborted', 'Failed'];

/** Starts the local runtime (in memory, ephemeral ports, quiet) for the file's tests; `rt()` is it. */
export function useRuntime(opts: Partial<RuntimeOptions>): () => Runtime {
  let rt: Runtime | undefined;
  beforeAll(async () => {
    rt = await startRuntime({ port: 0, proxyPort: 0, inMemory: true, trafficRps: 60, log: () => undefined, ...opts });
  });
  afterAll(async () => {
    await rt?.close();
  });
  return () => {
    if (!rt) throw new Error('the runtime is not started');
    return rt;
  };
}

/** `lumina …` against the runtime, as a user runs it; never throws — the exit code is in the result. */
export async function cli(rt: Runtime, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'cli/main.ts', '--endpoint', rt.url, ...args], { env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** `lumina push <service> --json …`: registers an image and sends its ECR event; the last JSON line. */
export async function push(rt: Runtime, service: string, ...args: string[]): Promise<{ eventId: string; digest: string }> {
  const r = await cli(rt, 'push', service, '--json', ...args);
  if (r.code !== 0) throw new Error(`push failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { eventId: string; digest: string };
}

/** The rollout of `digest` once it has ended, been finalized and notified (the full API document). */
export function finished(rt: Runtime, service: string, digest: string, timeoutMs = 60_000) {
  return until<any>(`rollout of ${digest} to end`, async () => {
    const { rollouts } = await getJson(`${rt.url}/api/rollouts?service=${encodeURIComponent(service)}&limit=5`);
    const mine = rollouts.find((r: { image: string }) => r.image.endsWith(digest));
    if (!mine || !TERMINAL.includes(mine.phase)) return undefined;
    const full = await getJson(`${rt.url}/api/rollouts/${mine.rolloutId}`);
    return full.status.completedAt && rt.topic.sent.some((n) => n.rolloutId === mine.rolloutId) ? full : undefined;
  }, timeoutMs, 250);
}

/** A fast analysis for e2e configs: 1 s intervals, few requests, 5xx only. */
export const FAST_ANALYSIS = { intervalSeconds: 1, minRequests: 3, metrics: [{ metric: 'http5xxRate', max: 5 }] };
