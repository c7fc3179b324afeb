import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HTTP_CONTEXT, TARGETED_FLAG } from './flags-fixture.js';
import { sleep } from './util.js';

/** Child servers for the flags-http benchmark: the local runtime or a bare node:http baseline (bench/flags-server.ts). */

const READY_TIMEOUT_MS = 60_000;
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const PATH = `/ofrep/v1/evaluate/flags/${TARGETED_FLAG}`;
export const BODY = JSON.stringify({ context: HTTP_CONTEXT });
export const HEADERS = { 'content-type': 'application/json' };

// As `npm start` runs the runtime (local/main.ts): no metrics output, no tracing.
export const CHILD_ENV = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_TRACE_ENABLED: 'false', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export type Mode = 'runtime' | 'bare';
export const LABEL: Record<Mode, string> = { bare: 'bare node http', runtime: 'lumina local runtime (OFREP)' };

export interface Server {
  mode: Mode;
  url: string;
  pid: number;
  child: ChildProcess;
  startupMs: number;
  stderrTail(): string;
  /** Sends a command line on the child's stdin and waits (bounded) for its `{"reply":…}` line. */
  command(line: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startServer(mode: Mode, nodeArgs: string[] = []): Promise<Server> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'bench/flags-server.ts', mode], {
    cwd: repoRoot,
    env: { ...process.env, ...CHILD_ENV },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-8192);
  });
  let exited = child.exitCode !== null || child.signalCode !== null;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.stdin!.on('error', () => {}); // EPIPE if the child is gone

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    if (await Promise.race([exit.then(() => true), sleep(20_000).then(() => false)])) return;
    child.kill('SIGKILL');
    await Promise.race([exit, sleep(5_000)]);
  };

  // JSON lines from the child: the ready line, then replies to commands.
  const messages: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    out += d;
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    for (const line of lines) {
      try {
        messages.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not our line */
      }
    }
    wake?.();
  });
  /** The first message (removed from the queue) that `match` accepts; bounded; rejects if the child exits. */
  const next = async (what: string, match: (m: Record<string, unknown>) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = messages.findIndex(match);
      if (i >= 0) return messages.splice(i, 1)[0]!;
      if (exited) throw new Error(`${mode} server exited (code ${child.exitCode}, signal ${child.signalCode}) while waiting for ${what}:\n${stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${mode} server: no ${what} within ${timeoutMs / 1000} s`);
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), exit, sleep(Math.min(left, 1000))]);
    }
  };
  const command = async (line: string, timeoutMs = 30_000) => {
    const cmd = line.split(/\s+/)[0]!;
    child.stdin!.write(`${line}\n`);
    const m = await next(`a reply to ${cmd}`, (x) => x.reply === cmd, timeoutMs);
    if (m.error) throw new Error(`${mode} server: ${cmd}: ${String(m.error)}`);
    return m;
  };

  try {
    const ready = await next('its ready line', (m) => m.ready === true && typeof m.url === 'string', READY_TIMEOUT_MS);
    return { mode, url: ready.url as string, pid: (ready.pid as number | undefined) ?? child.pid!, child, startupMs: performance.now() - t0, stderrTail: () => stderr, command, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** One evaluation through fetch, to know the load measures a correct answer. */
export async function checkResponse(server: Server): Promise<string> {
  const res = await fetch(`${server.url}${PATH}`, { method: 'POST', headers: HEADERS, body: BODY, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${LABEL[server.mode]}: POST ${PATH} answered ${res.status}: ${text.slice(0, 300)}`);
  if (server.mode === 'runtime') {
    const body = JSON.parse(text) as { value?: unknown; variant?: unknown };
    if (body.value !== true || body.variant !== 'on') throw new Error(`${LABEL[server.mode]}: unexpected evaluation ${text}`);
  }
  return text;
}

let clkTck: number | undefined;
/** CPU seconds (user + system) a process has used so far, from /proc; undefined where unavailable. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    clkTck ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clkTck; // utime, stime (fields 14, 15)
  } catch {
    return undefined;
  }
}

