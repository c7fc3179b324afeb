import type { ServiceConfig } from '../core/config/services.js';
import type { MetricSample } from '../core/delivery/analysis.js';
import type { MetricSeries } from '../core/delivery/judged-analysis.js';
import type { MetricsSource, TrafficRouter } from '../core/delivery/ports.js';
import type { Revision } from '../core/delivery/rollout.js';
import type { LocalImageRegistry } from './images.js';
import type { InstanceManager } from './instances.js';
import { BUCKET_MS, type WeightedProxy } from './proxy.js';

interface Slot {
  key: string;
  digest: string;
  url: string;
}

/**
 * The local stand-in for "ALB with two weighted target groups fed by two ECS services": a weighted
 * proxy per service in front of demo-service processes started from local images.
 */
export class LocalTrafficRouter implements TrafficRouter {
  private readonly slots = new Map<string, { stable?: Slot; canary?: Slot }>();
  private launches = 0;

  constructor(
    private readonly proxyFor: (service: string) => WeightedProxy,
    private readonly instances: InstanceManager,
    private readonly images: LocalImageRegistry,
  ) {}

  private slotsOf(service: string) {
    let s = this.slots.get(service);
    if (!s) this.slots.set(service, (s = {}));
    return s;
  }

  private async launch(service: string, role: 'stable' | 'canary', revision: Revision): Promise<Slot> {
    const image = this.images.get(revision.digest);
    // Unique per launch: a promoted canary keeps running as stable under its old key.
    const key = `${service}/${role}/${revision.digest.slice(7, 19)}/${++this.launches}`;
    const { url } = await this.instances.start(key, { version: image.config.version, faultRate: image.config.faultRate, latencyMs: image.config.latencyMs });
    return { key, digest: revision.digest, url };
  }

  /** Starts the stable revision (at boot, or after a restart). */
  async ensureStable(service: string, revision: Revision): Promise<void> {
    const slots = this.slotsOf(service);
    if (slots.stable?.digest === revision.digest) return;
    const next = await this.launch(service, 'stable', revision);
    const old = slots.stable;
    this.proxyFor(service).setTarget('stable', { url: next.url, revision: revision.tag ?? revision.digest });
    slots.stable = next;
    if (old) await this.instances.stop(old.key);
  }

  async deployCanary(service: ServiceConfig, revision: Revision): Promise<void> {
    const slots = this.slotsOf(service.name);
    const proxy = this.proxyFor(service.name);
    if (slots.canary?.digest === revision.digest) return;
    if (slots.canary) await this.teardownCanary(service.name);
    proxy.setCanaryWeight(0);
    const canary = await this.launch(service.name, 'canary', revision);
    slots.canary = canary;
    proxy.resetObservations('canary');
    proxy.setTarget('canary', { url: canary.url, revision: revision.tag ?? revision.digest });
  }

  /** Traffic only: locally each version runs one demo-service process, so rolling replicas are not scaled. */
  async setCanaryWeight(service: ServiceConfig, weight: number): Promise<void> {
    this.proxyFor(service.name).setCanaryWeight(weight);
  }

  async setTestRoute(service: ServiceConfig, enabled: boolean): Promise<void> {
    this.proxyFor(service.name).setTestRoute(enabled);
  }

  async promote(service: ServiceConfig, revision: Revision): Promise<void> {
    const slots = this.slotsOf(service.name);
    const proxy = this.proxyFor(service.name);
    if (slots.canary?.digest !== revision.digest) await this.deployCanary(service, revision);
    const canary = slots.canary!;
    const old = slots.stable;
    // The canary's process becomes the stable target: no restart, no dropped requests.
    proxy.setTarget('stable', { url: canary.url, revision: revision.tag ?? revision.digest });
    proxy.setCanaryWeight(0);
    proxy.setTestRoute(false);
    proxy.setTarget('canary', undefined);
    slots.stable = canary;
    delete slots.canary;
    if (old && old.key !== canary.key) await this.instances.stop(old.key);
  }

  async rollback(service: ServiceConfig): Promise<void> {
    // Traffic first, then the teardown.
    this.proxyFor(service.name).setCanaryWeight(0);
    this.proxyFor(service.name).setTestRoute(false);
    await this.teardownCanary(service.name);
  }

  private async teardownCanary(service: string) {
    const slots = this.slotsOf(service);
    this.proxyFor(service).setTarget('canary', undefined);
    if (slots.canary) await this.instances.stop(slots.canary.key);
    delete slots.canary;
  }

  async weights(service: ServiceConfig) {
    return this.proxyFor(service.name).weights();
  }

  canaryUrl(service: string): string | undefined {
    return this.slots.get(service)?.canary?.url;
  }

  stableUrl(service: string): string | undefined {
    return this.slots.get(service)?.stable?.url;
  }
}

/** What the proxy observed per version: the local stand-in for CloudWatch's ALB target-group metrics. */
export class ProxyMetricsSource implements MetricsSource {
  constructor(
    private readonly proxyFor: (service: string) => WeightedProxy,
    private readonly router: LocalTrafficRouter,
  ) {}

  async sample(service: ServiceConfig, role: 'canary' | 'stable', window: { from: Date; to: Date }): Promise<MetricSample> {
    // The proxy keeps 1-second buckets. Widen the window down to the start of the bucket holding `from`,
    // so it always covers at least the asked-for length (CloudWatch widens to whole periods likewise);
    // the sample reports the window it actually measured.
    const to = window.to.getTime();
    const from = Math.floor(window.from.getTime() / BUCKET_MS) * BUCKET_MS;
    const o = this.proxyFor(service.name).observe(role, to - from, to);
    const url = role === 'canary' ? this.router.canaryUrl(service.name) : this.router.stableUrl(service.name);
    return {
      from: o.from,
      to: o.to,
      requests: o.requests,
      errors5xx: o.errors5xx,
      avgLatencyMs: o.avgLatencyMs,
      p99LatencyMs: o.p99LatencyMs,
      unhealthyHosts: url ? ((await healthy(url)) ? 0 : 1) : null,
      alarms: {},
    };
  }

  /**
   * One point per whole period (default 1 s, the proxy's bucket) inside the window: the period holding `from` is
   * left out (the weight changed during it) and so is the one still in progress at `to`. Each point summarises the
   * requests that ended in it: count, 5xx, average and nearest-rank p99 of their latencies (local/proxy.ts).
   */
  async series(service: ServiceConfig, role: 'canary' | 'stable', window: { from: Date; to: Date }, stepSeconds: number): Promise<MetricSeries> {
    const step = Math.max(1, Math.ceil(stepSeconds)) * BUCKET_MS;
    const from = Math.ceil(window.from.getTime() / step) * step;
    const count = Math.max(0, Math.floor((Math.floor(window.to.getTime() / BUCKET_MS) * BUCKET_MS - from) / step));
    const to = from + count * step;
    const observed = count > 0 ? this.proxyFor(service.name).samples(role, to - from, step, to) : [];
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      stepSeconds: step / 1000,
      points: observed.map((o) => ({ at: o.from, requests: o.requests, errors5xx: o.errors5xx, avgLatencyMs: o.avgLatencyMs, p99LatencyMs: o.p99LatencyMs })),
    };
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}
