import net from 'node:net';

/**
 * An open-loop, evenly paced load generator (the wrk2 idea): request i is *due* at t0 + i / rate,
 * whatever happened to earlier requests, and its latency is measured from when it was due, not from
 * when it was sent — so a stalled server is charged for the requests it delayed (no coordinated
 * omission). Requests go out on up to `connections` keep-alive sockets, one in flight per socket; a
 * request due while every socket is busy waits in a queue and that wait counts in its latency.
 *
 * Why not autocannon's `overallRate`: it gives each connection a per-second budget that the connection
 * spends back to back at the start of every second, so "5 000 req/s" arrives as bursts with every
 * connection in flight — a burst test, reported separately. Timers have ~1 ms resolution, so sends are
 * issued in 1 ms ticks, each sending every request due by then (5 per tick at 5 000 req/s).
 */
export interface PacedOptions {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
  rate: number;
  durationS: number;
  connections: number;
  timeoutMs?: number;
}

export interface PacedResult {
  rate: number;
  durationS: number;
  sent: number;
  completed2xx: number;
  non2xx: number;
  errors: number;
  /** Responses per second over the run (2xx only). */
  achievedRps: number;
  /** Latency from each request's due time to its complete response, ms; sorted ascending. */
  latenciesMs: Float64Array;
}

/**
 * One keep-alive connection on a raw socket with a pre-built request: the generator must cost far less
 * than the server it measures (node:http's client costs ~100 µs of CPU per request — more than the
 * server under test). Responses must carry Content-Length (every server this benchmark loads does).
 */
class Connection {
  private readonly socket: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  /** Due times of the requests written and not yet answered, oldest first (HTTP/1.1 answers in order). */
  private readonly inFlight: number[] = [];
  constructor(
    host: string,
    port: number,
    private readonly request: Buffer,
    private readonly onResponse: (due: number, status: number) => void,
    private readonly onError: (lost: number) => void,
  ) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (d) => this.read(d));
    this.socket.on('error', () => this.fail());
    this.socket.on('close', () => this.fail());
  }
  get idle() {
    return this.inFlight.length === 0 && !this.socket.destroyed;
  }
  send(due: number) {
    this.inFlight.push(due);
    this.socket.write(this.request);
  }
  close() {
    this.socket.destroy();
  }
  private fail() {
    const lost = this.inFlight.splice(0).length;
    if (lost) this.onError(lost);
  }
  private read(d: Buffer) {
    this.pending = this.pending.length ? Buffer.concat([this.pending, d]) : d;
    for (;;) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.pending.toString('latin1', 0, end);
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.pending.length < end + 4 + length) return;
      this.pending = this.pending.subarray(end + 4 + length);
      const due = this.inFlight.shift();
      if (due !== undefined) this.onResponse(due, Number(head.slice(9, 12)));
    }
  }
}

export async function pacedLoad(o: PacedOptions): Promise<PacedResult> {
  const url = new URL(o.url);
  const request = Buffer.from(
    `${o.method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n` +
      Object.entries(o.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
      `content-length: ${Buffer.byteLength(o.body)}\r\n\r\n${o.body}`,
  );
  const total = Math.round(o.rate * o.durationS);
  const latencies = new Float64Array(total);
  let sent = 0;
  let done = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const settle = (n: number) => {
    done += n;
    if (done >= total) finish();
  };
  /** Requests due while every connection was busy: sent as connections free up, still timed from their due time. */
  const queue: number[] = [];
  const conns: Connection[] = [];
  const dispatch = () => {
    for (const c of conns) {
      if (!queue.length) return;
      if (c.idle) c.send(queue.shift()!);
    }
  };
  for (let i = 0; i < o.connections; i++) {
    conns.push(
      new Connection(
        url.hostname,
        Number(url.port),
        request,
        (due, status) => {
          if (status >= 200 && status < 300) latencies[ok++] = performance.now() - due;
          else non2xx++;
          settle(1);
          if (queue.length) dispatch();
        },
        (lost) => {
          errors += lost;
          settle(lost);
        },
      ),
    );
  }

  const t0 = performance.now() + 20; // let the sockets connect
  const interval = 1000 / o.rate;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + sent * interval <= now) queue.push(t0 + sent++ * interval);
      dispatch();
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 20);
  });
  const drain = setInterval(dispatch, 1);
  const guard = setTimeout(finish, (o.timeoutMs ?? 10_000) + 5_000);
  await finished;
  clearInterval(drain);
  clearTimeout(guard);
  const wallS = (performance.now() - t0) / 1000;
  for (const c of conns) c.close();
  const sorted = latencies.subarray(0, ok).sort();
  return { rate: o.rate, durationS: wallS, sent, completed2xx: ok, non2xx, errors: errors + (total - done > 0 ? total - done : 0), achievedRps: ok / wallS, latenciesMs: sorted };
}
