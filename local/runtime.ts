import './polyfills.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher.js';
import { DynamoRolloutRepository } from '../adapters/dynamo/repository.js';
import { parseDeliveryConfig, type ServiceConfig } from '../core/config/services.js';
import type { Clock, DeliveryDeps } from '../core/delivery/ports.js';
import type { Revision } from '../core/delivery/rollout.js';
import { imageUri } from '../core/delivery/trigger.js';
import { deliveryLifecyclePattern, ecrPushPattern, progressionPattern } from '../events/rules.js';
import { makeApiHandler } from '../functions/api/handler-factory.js';
import { localContext, localTaskFunctions } from '../functions/tasks/bindings.js';
import { makeTriggerHandler } from '../functions/trigger/handler-factory.js';
import { LocalBus, type BusEvent } from './bus.js';
import { startDynamo, type LocalDynamo } from './dynamo.js';
import { createGateway } from './gateway.js';
import { isDashboardPath, serveDashboard } from './ui.js';
import { ImageConfigSchema, LocalImageRegistry } from './images.js';
import { InstanceManager } from './instances.js';
import { LocalTopic } from './notifier.js';
import { WeightedProxy } from './proxy.js';
import { LocalTrafficRouter, ProxyMetricsSource } from './router.js';
import { LocalStepFunctions } from './sfn.js';
import { FileFlagSource } from './flags.js';
import { LocalTaskTokens } from './task-tokens.js';
import { LocalTargetIo } from './notify-targets.js';
import { DynamoReleaseRepository } from '../adapters/dynamo/release-repository.js';
import { FileScanFindingsSource } from '../core/security/file-source.js';
import { InvalidFlagsError } from '../core/flags/model.js';
import { RateLimiter } from '../core/flags/rate-limit.js';
import { ApiKeys } from '../functions/flags/auth.js';
import { makeFlagsHandler } from '../functions/flags/handler-factory.js';
import { TrafficGenerator } from './traffic.js';
import { startLocalDora } from './dora.js';
import { teamsOf } from '../core/config/teams.js';
import type { WebhookSecrets } from '../functions/webhooks/config.js';
import type { WebhookOptions } from '../core/webhooks/index.js';
import type { DynamoDoraStore } from '../adapters/dynamo/dora-store.js';
import type { DynamoWebhookStore } from '../adapters/dynamo/webhook-store.js';

const DEFAULT_FLAGS: unknown = JSON.parse(readFileSync(new URL('./flags.default.json', import.meta.url), 'utf8'));

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export interface RuntimeOptions {
  /** HTTP surface (API, EventBridge endpoint). 0 = ephemeral. Default env LUMINA_PORT or 4000. */
  port?: number;
  /** First port for the services' weighted proxies. 0 = ephemeral. Default env LUMINA_PROXY_PORT or 4100. */
  proxyPort?: number;
  /** Data dir (dynalite files, images, notifications). Default env LUMINA_DATA_DIR or `.lumina`. */
  dataDir?: string;
  /** Keep DynamoDB in memory (tests). */
  inMemory?: boolean;
  /** Delivery config (object) or path; default env LUMINA_CONFIG or local/demo.config.json. */
  config?: unknown;
  /** Synthetic requests per second sent to each service through its proxy (0 = none). Default 50. */
  trafficRps?: number;
  /**
   * Latency (ms, ±20 % jitter) of the `v1` image bootstrapped as a service's first stable revision — the baseline a
   * judged canary is compared with. Default env LUMINA_STABLE_LATENCY_MS or 0 (then ≈ 1 ms of local overhead).
   */
  stableLatencyMs?: number;
  /** Flags file (seed or flagd format). Default `<dataDir>/flags.json`, created from local/flags.default.json. */
  flagsFile?: string;
  /** API keys required for flag evaluation (default env LUMINA_FLAG_API_KEYS, comma-separated; none = open). */
  flagApiKeys?: string;
  /** Flag evaluations per second per caller (default env LUMINA_FLAGS_RATE_LIMIT; 0 = unlimited). */
  flagsRateLimit?: number;
  /** Webhook URL that receives SNS-style notifications. Default env LUMINA_NOTIFY_WEBHOOK. */
  notifyWebhook?: string;
  /** CI webhook secrets by provider. Default env LUMINA_WEBHOOK_SECRETS or `<dataDir>/webhook-secrets.json`. */
  webhookSecrets?: WebhookSecrets;
  /** Webhook options (deploy rules, services map). Default env LUMINA_WEBHOOK_OPTIONS or `<dataDir>/webhook-options.json`. */
  webhookOptions?: WebhookOptions;
  log?: (line: string) => void;
  clock?: Clock;
}

export interface Runtime {
  url: string;
  port: number;
  proxies: Map<string, { url: string; proxy: WeightedProxy }>;
  repo: DynamoRolloutRepository;
  bus: LocalBus;
  sfn: LocalStepFunctions;
  topic: LocalTopic;
  images: LocalImageRegistry;
  router: LocalTrafficRouter;
  dynamo: LocalDynamo;
  services: ServiceConfig[];
  flags: FileFlagSource;
  /** DORA rollups (what GET /api/dora reads) and stored webhook deliveries. */
  dora: DynamoDoraStore;
  webhookStore: DynamoWebhookStore;
  /** Rollouts found in flight at start, and what was done about each. */
  recovered: { rolloutId: string; action: 'resumed' | 'finalizing' }[];
  close(): Promise<void>;
}

const PushBody = z.object({
  repository: z.string().min(2).max(256),
  tag: z.string().min(1).max(128).regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be a valid image tag'),
  version: z.string().min(1).max(64).optional(),
  faultRate: ImageConfigSchema.shape.faultRate.optional(),
  latencyMs: ImageConfigSchema.shape.latencyMs.optional(),
});

function loadConfig(config: unknown): { services: ServiceConfig[]; version: string; teams: Record<string, string> } {
  const source = config ?? process.env.LUMINA_CONFIG ?? new URL('./demo.config.json', import.meta.url);
  const raw = typeof source === 'string' || source instanceof URL ? JSON.parse(readFileSync(source, 'utf8')) : source;
  return { services: parseDeliveryConfig(raw), version: createHash('sha256').update(JSON.stringify(raw)).digest('hex').slice(0, 12), teams: teamsOf(raw) };
}

export function revisionOf(repository: string, tag: string, digest: string): Revision {
  return { repository, tag, digest, image: imageUri(LOCAL_ACCOUNT, LOCAL_REGION, repository, digest, tag) };
}

/** Boots the whole system on one machine: the same handlers and ASL as in AWS, local stand-ins at the edges. */
export async function startRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = opts.dataDir ?? process.env.LUMINA_DATA_DIR ?? '.lumina';
  const { services, version: configVersion, teams } = loadConfig(opts.config);
  const clock: Clock = opts.clock ?? { now: () => new Date() };

  const dynamo = await startDynamo(opts.inMemory ? {} : { path: join(dataDir, 'dynamo') });
  const repo = new DynamoRolloutRepository(dynamo.doc, dynamo.table);
  const releases = new DynamoReleaseRepository(dynamo.doc, dynamo.table);
  for (const svc of services) await repo.putServiceConfig(svc, configVersion);

  const images = new LocalImageRegistry(opts.inMemory ? undefined : join(dataDir, 'images.json'));
  const instances = new InstanceManager();
  const proxies = new Map<string, { url: string; proxy: WeightedProxy }>();
  const proxyFor = (name: string) => {
    const p = proxies.get(name);
    if (!p) throw new Error(`no proxy for service ${name}`);
    return p.proxy;
  };
  const router = new LocalTrafficRouter(proxyFor, instances, images);
  const metrics = new ProxyMetricsSource(proxyFor, router);
  // An environment's own notification targets (config `notify`): secrets from <dataDir>/secrets.json.
  const targets = new LocalTargetIo(join(dataDir, 'secrets.json'), log);
  const topic = new LocalTopic({
    ...(opts.inMemory ? {} : { file: join(dataDir, 'notifications.jsonl') }),
    ...((opts.notifyWebhook ?? process.env.LUMINA_NOTIFY_WEBHOOK) ? { webhookUrl: opts.notifyWebhook ?? process.env.LUMINA_NOTIFY_WEBHOOK } : {}),
    log,
  });

  const bus = new LocalBus({
    busName: 'lumina',
    account: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
    logger: { info: (m) => log(`[bus] ${m}`), warn: (m) => log(`[bus] ${m}`), error: (m) => log(`[bus] ${m}`) },
  });

  // Flags: a watched file in the data dir (AppConfig's stand-in), evaluated by the same handler as in AWS.
  const flagSource = new FileFlagSource(opts.flagsFile ?? join(dataDir, 'flags.json'), { log, initial: DEFAULT_FLAGS });
  const started = flagSource.start();
  if (!started.ok) log(`[flags] ${started.error}`);
  const apiKeys = new ApiKeys((opts.flagApiKeys ?? process.env.LUMINA_FLAG_API_KEYS ?? '').split(',').map((k) => k.trim()));
  const rate = opts.flagsRateLimit ?? Number(process.env.LUMINA_FLAGS_RATE_LIMIT ?? 0);
  const limiter = rate > 0 ? new RateLimiter(rate, rate) : undefined;
  const flagsHandler = makeFlagsHandler(() => ({ source: flagSource, apiKeys, ...(limiter ? { limiter } : {}) }));

  // The HTTP surface first: our own event publisher speaks the real PutEvents protocol to it.
  let apiHandler: ReturnType<typeof makeApiHandler> | undefined;
  let localDora: ReturnType<typeof startLocalDora> | undefined;
  const server = createGateway({
    handlers: {
      api: (event) => apiHandler!(event, localContext('lumina-api')),
      flags: (event) => flagsHandler(event, localContext('lumina-flags')),
      webhooks: (event) => localDora!.webhooks(event, localContext('lumina-webhooks')),
    },
    eventBridge: bus.httpHandler(),
    ui: { matches: isDashboardPath, serve: serveDashboard },
    local: {
      'POST /local/images': async (body) => {
        const p = PushBody.safeParse(body);
        if (!p.success) {
          const i = p.error.issues[0]!;
          return { status: 400, body: { error: { code: 'InvalidImage', message: `${i.path.join('.') || '(body)'}: ${i.message}` } } };
        }
        const img = images.push(p.data.repository, p.data.tag, {
          version: p.data.version ?? p.data.tag,
          ...(p.data.faultRate !== undefined ? { faultRate: p.data.faultRate } : {}),
          ...(p.data.latencyMs !== undefined ? { latencyMs: p.data.latencyMs } : {}),
        });
        return { status: 201, body: { ...img, account: LOCAL_ACCOUNT, region: LOCAL_REGION } };
      },
      'POST /local/flags': async (body) => {
        try {
          const loaded = flagSource.publish(body);
          return { status: 200, body: { version: loaded.version, format: loaded.set.format, flags: [...loaded.set.flags.keys()] } };
        } catch (e) {
          if (e instanceof InvalidFlagsError) return { status: 400, body: { error: { code: 'InvalidFlags', message: e.message, details: e.issues } } };
          throw e;
        }
      },
      'GET /local/notifications': async () => ({ status: 200, body: { notifications: topic.sent, snsTargets: targets.snsSent } }),
      'GET /local/dead-letters': async () => ({ status: 200, body: { deadLetters: bus.deadLetters() } }),
    },
    log,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? Number(process.env.LUMINA_PORT ?? 4000), '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  const url = `http://127.0.0.1:${port}`;

  const eventBridge = new EventBridgeClient({ endpoint: url, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const events = new EventBridgePublisher(eventBridge, 'lumina');
  const tokens = new LocalTaskTokens();
  // Scan findings for the security gate: <dataDir>/scan-findings.json (digest, repo@digest or repo:tag → summary).
  const scans = FileScanFindingsSource.inDataDir(dataDir);
  const deps: DeliveryDeps = { repo, router, metrics, notifier: topic, events, clock, control: tokens, scans, targets, metricsTimeoutMs: 3000 };
  const definition = JSON.parse(readFileSync(new URL('../state-machines/canary.asl.json', import.meta.url), 'utf8'));
  const sfn = new LocalStepFunctions({ definition, functions: localTaskFunctions(() => deps), tokens });
  // CI webhooks → lumina.ci events; the DORA recorder on the same rule pattern as in AWS (local/dora.ts).
  localDora = startLocalDora({ dataDir, dynamo, repo, bus, teams, webhookSecrets: opts.webhookSecrets, webhookOptions: opts.webhookOptions });
  const dora = localDora.dora;
  apiHandler = makeApiHandler(() => ({ repo, control: tokens, executions: sfn, events, clock, dora, releases }));
  const trigger = makeTriggerHandler(() => ({ repo, events, clock, executions: sfn, control: tokens }));

  bus.addRule({
    name: 'ecr-push-starts-rollout',
    pattern: ecrPushPattern,
    target: async (event: BusEvent) => {
      await trigger(event, localContext('lumina-trigger'));
    },
  });
  const progression = makeTriggerHandler(() => ({ repo, events, clock, executions: sfn, releases, control: tokens }), 'progression');
  bus.addRule({
    name: 'promoted-rollout-starts-next-environment',
    pattern: progressionPattern,
    target: async (event: BusEvent) => {
      await progression(event, localContext('lumina-progression'));
    },
  });
  bus.addRule({
    name: 'delivery-lifecycle-log',
    pattern: deliveryLifecyclePattern,
    target: async (event: BusEvent) => {
      const d = event.detail as Record<string, unknown>;
      const extra = d.canaryWeight !== undefined ? ` weight=${String(d.canaryWeight)}%` : d.verdict ? ` ${String(d.verdict)} @${String(d.stage)}%: ${String(d.reason)}` : '';
      log(`[event] ${event['detail-type']} ${String(d.rolloutId)}${extra}`);
    },
  });

  // Services: a proxy each, the stable revision running behind it (bootstrapped as :v1 on first start).
  let nextProxyPort = opts.proxyPort ?? Number(process.env.LUMINA_PROXY_PORT ?? 4100);
  const generators: TrafficGenerator[] = [];
  for (const svc of services) {
    if (svc.router.kind !== 'local') continue;
    const proxy = new WeightedProxy({ service: svc.name, port: nextProxyPort });
    const proxyPort = await proxy.listen();
    if (nextProxyPort) nextProxyPort++;
    proxies.set(svc.name, { url: `http://127.0.0.1:${proxyPort}`, proxy });
    let record = await repo.getService(svc.name);
    if (!record?.stableRevision) {
      const img = images.push(svc.repository, 'v1', { version: 'v1', latencyMs: opts.stableLatencyMs ?? Number(process.env.LUMINA_STABLE_LATENCY_MS ?? 0) });
      await repo.seedStableRevision(svc.name, revisionOf(svc.repository, 'v1', img.digest));
      record = await repo.getService(svc.name);
    }
    await router.ensureStable(svc.name, record!.stableRevision!);
    const rps = opts.trafficRps ?? 50;
    if (rps > 0) {
      const gen = new TrafficGenerator({ url: `http://127.0.0.1:${proxyPort}/`, rps });
      gen.start();
      generators.push(gen);
    }
  }

  // Crash recovery: a rollout in flight when the runtime stopped is driven again from its stored status.
  const recovered: Runtime['recovered'] = [];
  for (const r of await repo.listActiveRollouts()) {
    const action = r.status.outcome ? 'finalizing' : 'resumed';
    // A rollout that never got past Prepare keeps its own name, so a redelivered push cannot start a twin.
    const runName = r.status.lockHeld || r.status.outcome ? `${r.rolloutId}.restart-${Date.now().toString(36)}` : r.rolloutId;
    log(`[recovery] rollout ${r.rolloutId} was in flight at step ${r.status.stepIndex + 1} (${r.status.canaryWeight} % canary): ${action}`);
    await sfn.start(runName, { rolloutId: r.rolloutId });
    recovered.push({ rolloutId: r.rolloutId, action });
  }

  return {
    url,
    port,
    proxies,
    repo,
    bus,
    sfn,
    topic,
    images,
    router,
    dynamo,
    services,
    flags: flagSource,
    dora,
    webhookStore: localDora.webhookStore,
    recovered,
    close: async () => {
      for (const g of generators) g.stop();
      await sfn.stopAll();
      await bus.drain();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const { proxy } of proxies.values()) await proxy.close();
      await instances.stopAll();
      eventBridge.destroy();
      flagSource.stop();
      await dynamo.close();
    },
  };
}
