import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The local stand-in for ECS tasks: each instance is a demo-service child process (see demo-service.ts),
 * forked with the tsx loader and listening on an ephemeral loopback port.
 *
 * Children never outlive the runtime: a process 'exit' hook SIGKILLs any still running, and the child
 * itself exits when its IPC channel closes (which also covers a parent killed by SIGKILL).
 */

export interface InstanceEnv {
  version: string;
  /** 0..1 probability of answering 500. */
  faultRate?: number;
  /** Added latency per request, ms (±20 % jitter). */
  latencyMs?: number;
  /** Simulated crash: the child exits with code 1 after this many ms. */
  crashAfterMs?: number;
}

export interface InstanceManagerOptions {
  /** How long to wait for the child's `listening` message. Default 15 s (tsx compiles on first start). */
  startTimeoutMs?: number;
  /** After SIGTERM, how long to wait before SIGKILL. Default 3 s. */
  stopTimeoutMs?: number;
  /** Script to fork. Default: demo-service.ts next to this file. */
  script?: string;
  /** Receives the children's stdout/stderr lines, prefixed with the instance key. Default: dropped (kept as a tail for errors). */
  log?: (line: string) => void;
}

interface Instance {
  key: string;
  child: ChildProcess;
  url: string;
  pid: number;
  exited: Promise<void>;
}

const DEFAULT_SCRIPT = fileURLToPath(new URL('./demo-service.ts', import.meta.url));
const TAIL_CHARS = 4000;

/** `--import tsx`, resolved from this package so it works whatever the working directory. */
function tsxImport(): string {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    return 'tsx';
  }
}

// One process-wide 'exit' hook for every manager (no listener per instance).
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess) {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) {
        try {
          c.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

export class InstanceManager {
  private readonly instances = new Map<string, Instance>();
  private readonly starting = new Set<string>();
  private readonly startTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly script: string;

  constructor(private readonly opts: InstanceManagerOptions = {}) {
    this.startTimeoutMs = opts.startTimeoutMs ?? 15_000;
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 3_000;
    this.script = opts.script ?? DEFAULT_SCRIPT;
  }

  /**
   * Forks an instance and resolves once it listens. Keys name one instance: starting a key that is
   * already running (or starting) rejects, so one slot can never silently share or kill another's process.
   */
  async start(key: string, env: InstanceEnv): Promise<{ url: string; pid: number }> {
    const existing = this.instances.get(key);
    if (this.starting.has(key) || (existing && isRunning(existing.child))) {
      throw new Error(`instance "${key}" is already running${existing ? ` (pid ${existing.pid})` : ''}; stop it first`);
    }
    this.starting.add(key);
    try {
      const instance = await this.spawn(key, env);
      this.instances.set(key, instance);
      void instance.exited.then(() => {
        if (this.instances.get(key) === instance) this.instances.delete(key);
      });
      return { url: instance.url, pid: instance.pid };
    } finally {
      this.starting.delete(key);
    }
  }

  private spawn(key: string, env: InstanceEnv): Promise<Instance> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DEMO_VERSION: env.version };
    delete childEnv.DEMO_CRASH_AFTER_MS;
    childEnv.DEMO_FAULT_RATE = String(env.faultRate ?? 0);
    childEnv.DEMO_LATENCY_MS = String(env.latencyMs ?? 0);
    if (env.crashAfterMs !== undefined) childEnv.DEMO_CRASH_AFTER_MS = String(env.crashAfterMs);

    const child = fork(this.script, [], {
      env: childEnv,
      execArgv: ['--import', tsxImport()],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    track(child);

    let tail = '';
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-TAIL_CHARS);
      if (this.opts.log) for (const line of text.split('\n')) if (line.trim()) this.opts.log(`[${key}] ${line}`);
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);

    const exited = new Promise<void>((resolve) => {
      if (!isRunning(child)) resolve();
      else child.once('exit', () => resolve());
    });

    return new Promise<Instance>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      const fail = (message: string) => {
        cleanup();
        if (isRunning(child)) child.kill('SIGKILL');
        const output = tail.trim();
        reject(new Error(`demo-service instance "${key}" failed to start: ${message}${output ? `\n--- child output ---\n${output}` : ''}`));
      };
      const onMessage = (msg: unknown) => {
        const m = msg as { type?: unknown; port?: unknown } | null;
        if (m?.type !== 'listening' || typeof m.port !== 'number') return;
        cleanup();
        if (child.pid === undefined) return fail('no pid');
        resolve({ key, child, url: `http://127.0.0.1:${m.port}`, pid: child.pid, exited });
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        fail(`exited before listening (${signal ? `signal ${signal}` : `code ${code}`})`);
      const onError = (err: Error) => fail(err.message);
      const timer = setTimeout(() => fail(`no "listening" message within ${this.startTimeoutMs} ms`), this.startTimeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', onError);
    });
  }

  /** Stops an instance: SIGTERM, then SIGKILL after stopTimeoutMs. Resolves once the process exited. Unknown keys are a no-op. */
  async stop(key: string): Promise<void> {
    const instance = this.instances.get(key);
    if (!instance) return;
    this.instances.delete(key);
    const { child, exited } = instance;
    if (!isRunning(child)) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.stopTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut && isRunning(child)) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.instances.keys()].map((key) => this.stop(key)));
  }

  /** Running instances by key. */
  list(): Array<{ key: string; url: string; pid: number }> {
    return [...this.instances.values()].map(({ key, url, pid }) => ({ key, url, pid }));
  }

  get(key: string): { url: string; pid: number } | undefined {
    const i = this.instances.get(key);
    return i && { url: i.url, pid: i.pid };
  }
}
