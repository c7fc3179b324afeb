import { realpathSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The bundled demo service: what a "container image" runs locally. Its behaviour comes from its image
 * configuration (version, injected fault rate, added latency), passed as environment variables when it
 * runs as a child process:
 *
 *   PORT                 0 = ephemeral (default 0)
 *   DEMO_VERSION         version string reported by `GET /` (default "dev")
 *   DEMO_FAULT_RATE      0..1, probability that `GET /` answers 500 (default 0)
 *   DEMO_LATENCY_MS      latency added to `GET /`, ±20 % uniform jitter (default 0)
 *   DEMO_CRASH_AFTER_MS  optional: the process exits with code 1 after this many ms
 *
 * `GET /health` always answers 200, even when the service is faulty: like an ECS task whose health
 * check passes while its users see errors, faults are only visible through traffic.
 *
 * Started with `fork` it sends `{ type: 'listening', port }` over IPC once listening, and exits when the
 * IPC channel closes (its parent died), so it never outlives the runtime.
 */

export interface DemoConfig {
  /** 0 = ephemeral. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  version: string;
  /** 0..1 probability of answering 500 on `GET /`. */
  faultRate?: number;
  /** Added latency on `GET /`, with ±20 % uniform jitter. */
  latencyMs?: number;
  /** Simulated crash after this many ms: in process, the server is torn down (`onCrash` overrides). */
  crashAfterMs?: number;
  onCrash?: () => void;
  /** Random source in [0, 1) for faults and jitter (tests). Default Math.random. */
  rng?: () => number;
}

export interface DemoServer {
  port: number;
  close(): Promise<void>;
}

/** ALB's idle timeout is 60 s; the target's keep-alive must outlast the proxy's so the proxy never reuses a closing socket. */
const KEEP_ALIVE_MS = 65_000;

function validate(config: DemoConfig) {
  const faultRate = config.faultRate ?? 0;
  const latencyMs = config.latencyMs ?? 0;
  if (!(faultRate >= 0 && faultRate <= 1)) throw new RangeError(`faultRate must be within 0..1, got ${faultRate}`);
  if (!(latencyMs >= 0 && Number.isFinite(latencyMs))) throw new RangeError(`latencyMs must be a finite number >= 0, got ${latencyMs}`);
  if (config.crashAfterMs !== undefined && !(config.crashAfterMs >= 0)) throw new RangeError(`crashAfterMs must be >= 0, got ${config.crashAfterMs}`);
  return { faultRate, latencyMs };
}

export function startDemoServer(config: DemoConfig): Promise<DemoServer> {
  const { faultRate, latencyMs } = validate(config);
  const rng = config.rng ?? Math.random;
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: http.ServerResponse, status: number, body: unknown, head = false) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(head ? undefined : text);
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const head = req.method === 'HEAD';
    if (path === '/health') return send(res, 200, { status: 'ok', version: config.version }, head);
    if (path !== '/') return send(res, 404, { error: 'not found' }, head);
    if (req.method !== 'GET' && !head) return send(res, 405, { error: 'method not allowed' });
    // Decide the outcome up front so the random sequence does not depend on timer ordering.
    const fault = faultRate > 0 && rng() < faultRate;
    const delay = latencyMs > 0 ? Math.max(0, Math.round(latencyMs * (0.8 + 0.4 * rng()))) : 0;
    const answer = () => {
      if (res.destroyed) return;
      if (fault) send(res, 500, { error: 'injected fault', service: 'demo', version: config.version }, head);
      else send(res, 200, { service: 'demo', version: config.version, pid: process.pid }, head);
    };
    if (delay === 0) return answer();
    const t = setTimeout(() => {
      timers.delete(t);
      answer();
    }, delay);
    timers.add(t);
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;

  let crashTimer: NodeJS.Timeout | undefined;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      if (crashTimer) clearTimeout(crashTimer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    }));

  return new Promise<DemoServer>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 0, config.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      if (config.crashAfterMs !== undefined) {
        crashTimer = setTimeout(config.onCrash ?? (() => void close()), config.crashAfterMs);
      }
      resolve({ port, close });
    });
  });
}

function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new RangeError(`${name} must be a number, got "${raw}"`);
  return n;
}

/** Reads the child-process configuration from the environment. */
export function configFromEnv(): DemoConfig {
  const crashRaw = process.env.DEMO_CRASH_AFTER_MS;
  return {
    port: numberEnv('PORT', 0),
    version: process.env.DEMO_VERSION || 'dev',
    faultRate: numberEnv('DEMO_FAULT_RATE', 0),
    latencyMs: numberEnv('DEMO_LATENCY_MS', 0),
    crashAfterMs: crashRaw === undefined || crashRaw === '' ? undefined : numberEnv('DEMO_CRASH_AFTER_MS', 0),
  };
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

async function main() {
  let config: DemoConfig;
  try {
    config = configFromEnv();
  } catch (e) {
    console.error(`demo-service: ${(e as Error).message}`);
    process.exit(2);
  }
  const server = await startDemoServer({
    ...config,
    onCrash: () => {
      console.error(`demo-service ${config.version}: simulated crash after ${config.crashAfterMs} ms`);
      process.exit(1);
    },
  }).catch((e: unknown) => {
    console.error(`demo-service: cannot listen: ${(e as Error).message}`);
    process.exit(1);
  });
  if (process.send) {
    process.send({ type: 'listening', port: server.port });
    // The parent went away (even by SIGKILL): do not linger as an orphan.
    process.on('disconnect', () => process.exit(0));
  } else {
    console.log(`demo-service ${config.version} listening on http://127.0.0.1:${server.port} (pid ${process.pid})`);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void server.close().then(() => process.exit(0));
      setTimeout(() => process.exit(0), 1000).unref();
    });
  }
}

if (isMain()) await main();
