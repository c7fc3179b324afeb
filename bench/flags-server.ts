/**
 * The server side of the flags-http benchmark, run as a child process:
 *
 *   node --import tsx bench/flags-server.ts runtime   # the local runtime (startRuntime) serving the bench flags
 *   node --import tsx bench/flags-server.ts bare      # a bare node:http server answering a constant JSON
 *
 * Listens on an ephemeral loopback port and prints one JSON line on stdout: `{"ready":true,"url":…}`.
 * Stops (closing the runtime, removing its temp dir) on SIGTERM / SIGINT, when stdin closes (the parent
 * died), or after LUMINA_BENCH_SERVER_MAX_S seconds (default 600) at the latest.
 *
 * Commands on stdin, one per line, each answered by a JSON line `{"reply":"<command>",…}`:
 *   profile-start [intervalUs]   start the V8 CPU profiler (node:inspector) on this, the serving thread
 *   profile-stop <file>          stop it and write the .cpuprofile to <file>
 * so a profile covers exactly the load window, not startup.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLAGD_DOC, TARGETED_FLAG } from './flags-fixture.js';

const mode = process.argv[2];
if (mode !== 'runtime' && mode !== 'bare') {
  console.error('usage: node --import tsx bench/flags-server.ts runtime|bare');
  process.exit(2);
}

let stopping = false;
let close: () => Promise<void> = async () => {};

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  const hard = setTimeout(() => process.exit(code), 15_000);
  hard.unref();
  try {
    await close();
  } catch (e) {
    console.error(`flags-server: close failed: ${(e as Error).message}`);
  }
  process.exit(code); // also flushes --cpu-prof
}

process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
process.stdin.on('end', () => void stop(0));
process.stdin.on('close', () => void stop(0));
process.stdin.setEncoding('utf8');
let pending = '';
process.stdin.on('data', (d: string) => {
  pending += d;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) void command(line.trim());
});

const reply = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);
let session: Session | undefined;
const post = <T>(method: string, params?: object) =>
  new Promise<T>((resolve, reject) => session!.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));

async function command(line: string) {
  const [cmd, arg] = line.split(/\s+/, 2);
  try {
    if (cmd === 'profile-start') {
      session ??= new Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: Number(arg) || 500 });
      await post('Profiler.start');
      reply({ reply: cmd });
    } else if (cmd === 'profile-stop' && arg) {
      const { profile } = await post<{ profile: unknown }>('Profiler.stop');
      writeFileSync(arg, JSON.stringify(profile));
      await post('Profiler.disable');
      session?.disconnect();
      session = undefined;
      reply({ reply: cmd, file: arg });
    } else if (cmd) {
      reply({ reply: cmd, error: `unknown command ${line}` });
    }
  } catch (e) {
    reply({ reply: cmd, error: (e as Error).message });
  }
}
setTimeout(() => void stop(0), Number(process.env.LUMINA_BENCH_SERVER_MAX_S ?? 600) * 1000).unref();

if (mode === 'bare') {
  // Same response shape and size class as an OFREP success, precomputed.
  const body = JSON.stringify({ key: TARGETED_FLAG, reason: 'TARGETING_MATCH', variant: 'on', value: true, metadata: { owner: 'web-platform' } });
  const length = String(Buffer.byteLength(body));
  const server = http.createServer((req, res) => {
    req.on('data', () => {}); // read the request body, as any real handler must
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: true, mode, url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'lumina-flags-bench-'));
  // Imported after the quiet environment is in place (the parent sets it): Powertools reads it at load.
  const { startRuntime } = await import('../local/runtime.js');
  const rt = await startRuntime({
    port: 0,
    proxyPort: 0,
    inMemory: true,
    trafficRps: 0,
    config: { services: {} },
    log: () => {},
    flagsFile: join(dir, 'flags.json'),
    flagApiKeys: '', // open, whatever LUMINA_FLAG_API_KEYS says
    flagsRateLimit: 0, // unlimited, whatever LUMINA_FLAGS_RATE_LIMIT says
  });
  close = async () => {
    try {
      await rt.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const loaded = rt.flags.publish(structuredClone(FLAGD_DOC));
  process.stdout.write(
    `${JSON.stringify({ ready: true, mode, url: rt.url, pid: process.pid, flags: { format: loaded.set.format, version: loaded.version, keys: [...loaded.set.flags.keys()] } })}\n`,
  );
}
