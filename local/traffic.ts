import http from 'node:http';
import { TEST_HEADER } from './proxy.js';

/**
 * Synthetic users for the local runtime: a steady request rate against a service's weighted proxy, so
 * that the canary analysis has traffic to judge. Loopback only, over keep-alive HTTP, and bounded: the
 * rate is capped (MAX_RPS), concurrency is capped (`maxInFlight`; requests beyond it are dropped and
 * counted, never queued), each request has a timeout, and an optional `maxDurationMs` stops it.
 */

export interface TrafficOptions {
  /** http://127.0.0.1:PORT/path (localhost / 127.x / ::1 only). */
  url: string;
  /** Requests per second, default 20, at most MAX_RPS. */
  rps?: number;
  /** Stops by itself after this long. Default: runs until stop(). */
  maxDurationMs?: number;
  /** Per-request timeout (counted in `failed`). Default 5 s. */
  timeoutMs?: number;
  /** Concurrency cap; a request due while at the cap is dropped (counted). Default 100. */
  maxInFlight?: number;
  /**
   * Share (0..1) of requests sent as blue/green test traffic (`x-lumina-test: 1`): they reach the new
   * version only while a rollout has the test route open, and are ordinary requests otherwise. Default 0.1.
   */
  testShare?: number;
}

export interface TrafficCounters {
  /** Requests issued. */
  sent: number;
  /** Requests answered with a status. */
  completed: number;
  /** 2xx/3xx answers. */
  ok: number;
  /** 4xx answers. */
  clientErrors: number;
  /** 5xx answers. */
  serverErrors: number;
  /** Network errors and timeouts. */
  failed: number;
  /** Requests not issued because `maxInFlight` were pending (or the event loop stalled past a whole second). */
  dropped: number;
  /** Requests still in flight when stop() was called (not awaited, not counted elsewhere). */
  abandoned: number;
  inFlight: number;
  byStatus: Record<number, number>;
  /** Answers by the proxy's `x-lumina-role` header (`stable` / `canary`; `none` when absent). */
  byRole: Record<string, number>;
}

export const MAX_RPS = 1000;

const isLoopback = (hostname: string) =>
  hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);

const zero = (): TrafficCounters => ({
  sent: 0,
  completed: 0,
  ok: 0,
  clientErrors: 0,
  serverErrors: 0,
  failed: 0,
  dropped: 0,
  abandoned: 0,
  inFlight: 0,
  byStatus: {},
  byRole: {},
});

const HEADERS = { 'user-agent': 'lumina-traffic/1' };
const TEST_HEADERS = { ...HEADERS, [TEST_HEADER]: '1' };

export class TrafficGenerator {
  private readonly testShare: number;
  private testCounter = 0;
  readonly url: URL;
  readonly rps: number;
  private readonly maxDurationMs: number | undefined;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private agent: http.Agent | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private scheduled = 0;
  private c: TrafficCounters = zero();

  constructor(opts: TrafficOptions) {
    this.url = new URL(opts.url);
    if (this.url.protocol !== 'http:') throw new Error(`traffic generator speaks plain http only, got ${this.url.protocol}`);
    if (!isLoopback(this.url.hostname)) throw new Error(`traffic generator targets loopback only, got host ${this.url.hostname}`);
    this.rps = opts.rps ?? 20;
    this.testShare = Math.min(1, Math.max(0, opts.testShare ?? 0.1));
    if (!(this.rps > 0 && this.rps <= MAX_RPS)) throw new RangeError(`rps must be within (0, ${MAX_RPS}], got ${this.rps}`);
    if (opts.maxDurationMs !== undefined && !(opts.maxDurationMs > 0)) throw new RangeError(`maxDurationMs must be > 0`);
    this.maxDurationMs = opts.maxDurationMs;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 100);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Starts sending (no-op if running). Counters accumulate across start/stop cycles; see resetCounters(). */
  start(): void {
    if (this.timer) return;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.maxInFlight });
    this.startedAt = performance.now();
    this.scheduled = 0;
    const tickMs = Math.max(5, Math.min(50, Math.floor(1000 / this.rps)));
    this.timer = setInterval(() => this.tick(), tickMs);
    this.tick();
    if (this.maxDurationMs !== undefined) this.stopTimer = setTimeout(() => this.stop(), this.maxDurationMs);
  }

  /** Stops sending; requests still in flight are abandoned (counted in `abandoned` only). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.timer = this.stopTimer = undefined;
    this.agent?.destroy();
    this.agent = undefined;
    this.c.abandoned += this.c.inFlight;
    this.c.inFlight = 0;
  }

  counters(): TrafficCounters {
    return { ...this.c, byStatus: { ...this.c.byStatus }, byRole: { ...this.c.byRole } };
  }

  resetCounters(): void {
    const inFlight = this.c.inFlight;
    this.c = zero();
    this.c.inFlight = inFlight;
  }

  private tick() {
    const due = Math.floor(((performance.now() - this.startedAt) / 1000) * this.rps) - this.scheduled;
    if (due <= 0) return;
    this.scheduled += due;
    // After an event-loop stall, do not burst more than one second's worth.
    const burst = Math.min(due, Math.ceil(this.rps));
    this.c.dropped += due - burst;
    for (let i = 0; i < burst; i++) {
      if (this.c.inFlight >= this.maxInFlight) this.c.dropped++;
      else this.send();
    }
  }

  private send() {
    const agent = this.agent;
    if (!agent) return;
    this.c.sent++;
    this.c.inFlight++;
    let settled = false;
    const settle = (status: number | undefined, role: string | undefined) => {
      if (settled || agent !== this.agent) return; // stopped meanwhile: abandoned
      settled = true;
      this.c.inFlight--;
      if (status === undefined) return void this.c.failed++;
      this.c.completed++;
      this.c.byStatus[status] = (this.c.byStatus[status] ?? 0) + 1;
      const r = role ?? 'none';
      this.c.byRole[r] = (this.c.byRole[r] ?? 0) + 1;
      if (status >= 500) this.c.serverErrors++;
      else if (status >= 400) this.c.clientErrors++;
      else this.c.ok++;
    };
    const test = this.testShare > 0 && ++this.testCounter % Math.round(1 / this.testShare) === 0;
    const req = http.get(this.url, { agent, headers: test ? TEST_HEADERS : HEADERS }, (res) => {
      const role = res.headers['x-lumina-role'];
      res.resume();
      res.on('end', () => settle(res.statusCode ?? 0, typeof role === 'string' ? role : undefined));
      res.on('error', () => settle(undefined, undefined));
    });
    req.setTimeout(this.timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => settle(undefined, undefined));
  }
}
