import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The local stand-in for an ALB listener with two weighted target groups (stable and canary): one HTTP
 * reverse proxy per service. Rollout handlers move traffic with `setCanaryWeight` and read health from
 * what the proxy observed per role (the stand-in for CloudWatch's per-target-group ALB metrics).
 *
 * Metrics semantics (mirroring the ALB's):
 * - `requests`: requests routed to the role that ended with a status (target's, or 502/504 from the proxy).
 * - `errors5xx`: the target's 5xx answers plus proxy 502 (connection error) / 504 (upstream timeout).
 * - latency: like `TargetResponseTime`, from forwarding the request until the target's response headers
 *   arrive; requests without a target response (502/504) count in `requests`/`errors5xx` but carry no
 *   latency, so latency stats are over answered requests only (null when there are none).
 * - requests the client abandons before the target answers are not counted.
 *
 * Storage: per role, a ring of 1-second buckets covering RETENTION_S (15 min). A window covers the
 * buckets whose second starts in [now - windowMs, now), so it is aligned to whole seconds.
 *
 * p99: each bucket keeps up to LATENCY_CAP_PER_BUCKET latency values; below that cap (i.e. up to
 * 2000 rps per role) percentiles are EXACT (nearest-rank over every request in the window). Beyond the
 * cap a bucket keeps a uniform reservoir sample (Algorithm R) and each kept value is weighted by
 * answered/kept, so the p99 becomes an unbiased sample-based approximation; avg stays exact (sums).
 */

export type Role = 'stable' | 'canary';
export interface Target {
  url: string;
  revision: string;
}

export interface Observation {
  requests: number;
  errors5xx: number;
  errorRatePct: number | null;
  avgLatencyMs: number | null;
  p99LatencyMs: number | null;
  /** ISO-8601 window bounds. */
  from: string;
  to: string;
}

export interface WeightedProxyOptions {
  service: string;
  /** 0 / undefined = ephemeral. */
  port?: number;
  /** Random source in [0, 1) for routing (tests inject a seeded one). Default Math.random. */
  rng?: () => number;
  /** Clock (ms) used to timestamp observations. Default Date.now. */
  now?: () => number;
  /** Upstream response-headers timeout; the proxy answers 504 after it. Default 30 s. */
  upstreamTimeoutMs?: number;
}

export const BUCKET_MS = 1000;
export const RETENTION_S = 15 * 60;
export const LATENCY_CAP_PER_BUCKET = 2000;

interface Bucket {
  sec: number;
  requests: number;
  errors5xx: number;
  answered: number;
  latencySum: number;
  latencies: number[];
}

/** Per-role time-bucketed observations (exported for unit tests). */
export class ObservationStore {
  private readonly ring: Array<Bucket | undefined> = new Array<Bucket | undefined>(RETENTION_S);

  constructor(private readonly rng: () => number = Math.random) {}

  private bucket(sec: number): Bucket {
    const i = ((sec % RETENTION_S) + RETENTION_S) % RETENTION_S;
    let b = this.ring[i];
    if (!b || b.sec !== sec) {
      b = { sec, requests: 0, errors5xx: 0, answered: 0, latencySum: 0, latencies: [] };
      this.ring[i] = b;
    }
    return b;
  }

  /** Records one request; `latencyMs` undefined = no target response (proxy-generated 502/504). */
  record(at: number, status: number, latencyMs: number | undefined) {
    const b = this.bucket(Math.floor(at / BUCKET_MS));
    b.requests++;
    if (status >= 500) b.errors5xx++;
    if (latencyMs === undefined) return;
    b.answered++;
    b.latencySum += latencyMs;
    if (b.latencies.length < LATENCY_CAP_PER_BUCKET) b.latencies.push(latencyMs);
    else {
      const j = Math.floor(this.rng() * b.answered);
      if (j < LATENCY_CAP_PER_BUCKET) b.latencies[j] = latencyMs;
    }
  }

  reset() {
    this.ring.fill(undefined);
  }

  /** Summary of buckets whose start lies in [fromMs, toMs). */
  summarize(fromMs: number, toMs: number): Observation {
    let requests = 0;
    let errors5xx = 0;
    let answered = 0;
    let latencySum = 0;
    const picked: Bucket[] = [];
    const oldestSec = Math.floor(toMs / BUCKET_MS) - RETENTION_S + 1;
    const firstSec = Math.max(Math.ceil(fromMs / BUCKET_MS), oldestSec);
    const lastSec = Math.ceil(toMs / BUCKET_MS) - 1;
    for (let sec = firstSec; sec <= lastSec; sec++) {
      const b = this.ring[((sec % RETENTION_S) + RETENTION_S) % RETENTION_S];
      if (!b || b.sec !== sec || b.requests === 0) continue;
      requests += b.requests;
      errors5xx += b.errors5xx;
      answered += b.answered;
      latencySum += b.latencySum;
      if (b.latencies.length) picked.push(b);
    }
    return {
      requests,
      errors5xx,
      errorRatePct: requests ? (100 * errors5xx) / requests : null,
      avgLatencyMs: answered ? latencySum / answered : null,
      p99LatencyMs: percentile(picked, 0.99),
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
    };
  }
}

/** Nearest-rank percentile over the buckets' kept latencies, each weighted by answered/kept. */
function percentile(buckets: Bucket[], q: number): number | null {
  if (!buckets.length) return null;
  const exact = buckets.every((b) => b.latencies.length === b.answered);
  if (exact) {
    const all = new Float64Array(buckets.reduce((n, b) => n + b.latencies.length, 0));
    let k = 0;
    for (const b of buckets) for (const v of b.latencies) all[k++] = v;
    all.sort();
    return all[Math.max(0, Math.ceil(q * all.length) - 1)] ?? null;
  }
  const pairs: Array<[value: number, weight: number]> = [];
  let total = 0;
  for (const b of buckets) {
    const w = b.answered / b.latencies.length;
    for (const v of b.latencies) pairs.push([v, w]);
    total += b.answered;
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const rank = q * total;
  let cumulative = 0;
  for (const [v, w] of pairs) {
    cumulative += w;
    if (cumulative >= rank - 1e-9) return v;
  }
  return pairs.at(-1)?.[0] ?? null;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function forwardable(headers: http.IncomingHttpHeaders | http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/** Header that sends a request down the blue/green test route while it is open. */
export const TEST_HEADER = 'x-lumina-test';

export class WeightedProxy {
  readonly service: string;
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 128, maxFreeSockets: 32 });
  private readonly targets: Record<Role, Target | undefined> = { stable: undefined, canary: undefined };
  private readonly stores: Record<Role, ObservationStore>;
  private canaryWeight = 0;
  private testRoute = false;
  private readonly rng: () => number;
  private readonly now: () => number;
  private readonly upstreamTimeoutMs: number;
  private port: number | undefined;

  constructor(private readonly opts: WeightedProxyOptions) {
    this.service = opts.service;
    this.rng = opts.rng ?? Math.random;
    this.now = opts.now ?? Date.now;
    this.upstreamTimeoutMs = opts.upstreamTimeoutMs ?? 30_000;
    this.stores = { stable: new ObservationStore(), canary: new ObservationStore() };
    this.server = http.createServer((req, res) => this.handle(req, res));
    // ALB idle timeout is 60 s; clients (the traffic generator) reuse connections well within it.
    this.server.keepAliveTimeout = 60_000;
    this.server.headersTimeout = 61_000;
  }

  /** Listens on 127.0.0.1; resolves with the bound port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  get url(): string | undefined {
    return this.port === undefined ? undefined : `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    if (this.server.listening) {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await closed;
    }
    this.agent.destroy();
  }

  setTarget(role: Role, target: Target | undefined) {
    this.targets[role] = target ? { url: target.url.replace(/\/+$/, ''), revision: target.revision } : undefined;
  }

  target(role: Role): Target | undefined {
    return this.targets[role];
  }

  /** Percentage of requests for the canary slot (0..100). Requests never go to an empty slot. */
  setCanaryWeight(percent: number) {
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new RangeError(`canary weight must be within 0..100, got ${percent}`);
    this.canaryWeight = percent;
  }

  /**
   * Blue/green test traffic: while open, requests carrying `x-lumina-test: 1` (the local stand-in for an
   * ALB test listener) reach the canary slot whatever the weight; without the header, nothing changes.
   */
  setTestRoute(open: boolean) {
    this.testRoute = open;
  }

  get testRouteOpen(): boolean {
    return this.testRoute;
  }

  /** The configured weights (as an ALB reports its target-group weights). */
  weights(): { stable: number; canary: number } {
    return { stable: 100 - this.canaryWeight, canary: this.canaryWeight };
  }

  /** Requests, 5xx and latency observed for `role` over [now - windowMs, now) (whole 1-s buckets). */
  observe(role: Role, windowMs: number, now: number = this.now()): Observation {
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${windowMs}`);
    return this.stores[role].summarize(now - windowMs, now);
  }

  /** Per-interval summaries over [now - windowMs, now), oldest first; the last interval ends at `now`. */
  samples(role: Role, windowMs: number, intervalMs: number, now: number = this.now()): Observation[] {
    if (!(intervalMs >= BUCKET_MS)) throw new RangeError(`intervalMs must be >= ${BUCKET_MS}, got ${intervalMs}`);
    if (!(windowMs >= intervalMs)) throw new RangeError(`windowMs (${windowMs}) must be >= intervalMs (${intervalMs})`);
    const count = Math.floor(windowMs / intervalMs);
    const out: Observation[] = [];
    for (let i = count; i >= 1; i--) out.push(this.stores[role].summarize(now - i * intervalMs, now - (i - 1) * intervalMs));
    return out;
  }

  resetObservations(role: Role) {
    this.stores[role].reset();
  }

  private pick(req: http.IncomingMessage): Role | undefined {
    const { stable, canary } = this.targets;
    if (this.testRoute && canary && req.headers[TEST_HEADER] === '1') return 'canary';
    if (!canary) return stable ? 'stable' : undefined;
    if (!stable) return 'canary';
    if (this.canaryWeight <= 0) return 'stable';
    if (this.canaryWeight >= 100) return 'canary';
    return this.rng() * 100 < this.canaryWeight ? 'canary' : 'stable';
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const role = this.pick(req);
    const target = role && this.targets[role];
    if (!role || !target) {
      const body = JSON.stringify({ error: `no target registered for service ${this.service}` });
      res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const tag = { 'x-lumina-revision': target.revision, 'x-lumina-role': role };
    const store = this.stores[role];
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    let done = false;
    let upstream: http.ClientRequest | undefined;

    const fail = (status: 502 | 504, message: string) => {
      if (done) return;
      done = true;
      store.record(this.now(), status, undefined);
      if (res.headersSent) return void res.destroy();
      const body = JSON.stringify({ error: message });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...tag });
      res.end(body);
    };

    const forward = (attempt: number) => {
      const started = performance.now();
      const url = new URL(req.url ?? '/', target.url);
      const headers = forwardable(req.headers);
      headers.host = url.host;
      const prior = req.headers['x-forwarded-for'];
      headers['x-forwarded-for'] = [prior, req.socket.remoteAddress].filter(Boolean).join(', ');
      const up = http.request(url, { method: req.method, headers, agent: this.agent });
      upstream = up;
      up.setTimeout(this.upstreamTimeoutMs, () => {
        up.destroy();
        fail(504, `upstream ${role} (${target.revision}) did not answer within ${this.upstreamTimeoutMs} ms`);
      });
      up.on('response', (ures) => {
        up.setTimeout(0);
        if (done) return void ures.resume();
        done = true;
        const status = ures.statusCode ?? 502;
        store.record(this.now(), status, performance.now() - started);
        res.writeHead(status, { ...forwardable(ures.headers), ...tag });
        ures.pipe(res);
        ures.on('error', () => res.destroy());
      });
      up.on('error', (err: NodeJS.ErrnoException) => {
        if (done) return;
        // A kept-alive socket the target closed just as we reused it: replay once if nothing was streamed.
        if (attempt === 0 && up.reusedSocket && !hasBody && err.code === 'ECONNRESET') return forward(1);
        fail(502, `upstream ${role} (${target.revision}) unreachable: ${err.code ?? err.message}`);
      });
      if (hasBody) req.pipe(up);
      else up.end();
    };

    // Client gone before the target answered: drop the upstream request, record nothing.
    res.on('close', () => {
      if (!done) {
        done = true;
        upstream?.destroy();
      }
    });
    forward(0);
  }
}
