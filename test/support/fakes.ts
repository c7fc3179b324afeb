import type { MetricSample } from '../../core/delivery/analysis.js';
import type { MetricSeries, SeriesPoint } from '../../core/delivery/judged-analysis.js';
import type { Clock, EventPublisher, MetricsSource, Notification, Notifier, TrafficRouter } from '../../core/delivery/ports.js';
import type { DeliveryEvent } from '../../events/delivery.js';

/** A clock tests move by hand (the local runner's Wait states are overridden to 0 ms). */
export class VirtualClock implements Clock {
  constructor(private t = Date.parse('2026-11-22T10:00:00Z')) {}
  now() {
    return new Date(this.t);
  }
  advance(seconds: number) {
    this.t += seconds * 1000;
  }
}

/** Records every traffic call; can be told to fail. */
export class RecordingRouter implements TrafficRouter {
  calls: string[] = [];
  weight = 0;
  canary: string | null = null;
  failOn: { call: string; times: number } | null = null;
  private maybeFail(call: string) {
    if (this.failOn && this.failOn.call === call && this.failOn.times > 0) {
      this.failOn.times--;
      const e = new Error(`injected ${call} failure`);
      e.name = 'InjectedRouterError';
      throw e;
    }
  }
  async deployCanary(_s: unknown, revision: { image: string }) {
    this.maybeFail('deployCanary');
    this.calls.push(`deploy ${revision.image}`);
    this.canary = revision.image;
  }
  async setCanaryWeight(_s: unknown, w: number) {
    this.maybeFail('setCanaryWeight');
    this.calls.push(`weight ${w}`);
    this.weight = w;
  }
  testRoute = false;
  async setTestRoute(_s: unknown, enabled: boolean) {
    this.maybeFail('setTestRoute');
    this.calls.push(`testRoute ${enabled ? 'open' : 'closed'}`);
    this.testRoute = enabled;
  }
  async promote(_s: unknown, revision: { image: string }) {
    this.maybeFail('promote');
    this.calls.push(`promote ${revision.image}`);
    this.weight = 0;
    this.canary = null;
  }
  async rollback() {
    this.maybeFail('rollback');
    this.calls.push('rollback');
    this.weight = 0;
    this.testRoute = false;
    this.canary = null;
  }
  async weights() {
    return { stable: 100 - this.weight, canary: this.weight };
  }
}

export const healthy = (requests = 100): Omit<MetricSample, 'from' | 'to'> => ({
  requests,
  errors5xx: 0,
  avgLatencyMs: 20,
  p99LatencyMs: 80,
  unhealthyHosts: 0,
});

/** One period of a scripted series; `at` is the period's start, so a period reads the same in every window. */
export type PointScript = (ctx: { role: 'canary' | 'stable'; at: Date }) => Omit<SeriesPoint, 'at'> | Error;

/**
 * Metrics by script: a function of the canary weight and call number; may throw to act as a failing source.
 * Series (for the judge) come from `points`, one call per whole period in the window; without it every period
 * repeats the role's current sample.
 */
export class ScriptedMetrics implements MetricsSource {
  calls = 0;
  seriesCalls = 0;
  constructor(
    private readonly script: (ctx: { call: number; role: 'canary' | 'stable' }) => Omit<MetricSample, 'from' | 'to'> | Error,
    private readonly points?: PointScript,
  ) {}
  async sample(_s: unknown, role: 'canary' | 'stable', window: { from: Date; to: Date }) {
    if (role === 'canary') this.calls++;
    const r = this.script({ call: this.calls, role });
    if (r instanceof Error) throw r;
    return { ...r, from: window.from.toISOString(), to: window.to.toISOString() };
  }
  async series(_s: unknown, role: 'canary' | 'stable', window: { from: Date; to: Date }, stepSeconds: number): Promise<MetricSeries> {
    this.seriesCalls++;
    const step = stepSeconds * 1000;
    const from = Math.ceil(window.from.getTime() / step) * step;
    const to = Math.max(from, Math.floor(window.to.getTime() / step) * step);
    const points: SeriesPoint[] = [];
    for (let t = from; t < to; t += step) {
      const r = this.points ? this.points({ role, at: new Date(t) }) : this.script({ call: this.calls, role });
      if (r instanceof Error) throw r;
      points.push({ at: new Date(t).toISOString(), requests: r.requests, errors5xx: r.errors5xx, avgLatencyMs: r.avgLatencyMs, p99LatencyMs: r.p99LatencyMs });
    }
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), stepSeconds, points };
  }
}

export class MemoryNotifier implements Notifier {
  sent: Notification[] = [];
  async notify(n: Notification) {
    this.sent.push(n);
  }
}

export class MemoryEvents implements EventPublisher {
  published: DeliveryEvent[] = [];
  async publish(events: DeliveryEvent[]) {
    for (const e of events) e.definition.schema.parse(e.detail);
    this.published.push(...events);
  }
  types() {
    return this.published.map((e) => e.definition.detailType);
  }
}
