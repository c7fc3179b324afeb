import { LocalTaskTokens } from '../../local/task-tokens.js';
import { readFileSync } from 'node:fs';
import { DynamoRolloutRepository } from '../../adapters/dynamo/repository.js';
import type { ServiceConfigInput } from '../../core/config/services.js';
import { ServiceConfigSchema } from '../../core/config/services.js';
import type { DeliveryDeps, MetricsSource } from '../../core/delivery/ports.js';
import type { ScanFindingsSource } from '../../core/security/policy.js';
import { startFromPush } from '../../core/delivery/trigger.js';
import { localTaskFunctions } from '../../functions/tasks/bindings.js';
import { startDynamo, type LocalDynamo } from '../../local/dynamo.js';
import { LocalStepFunctions } from '../../local/sfn.js';
import { MemoryEvents, MemoryNotifier, RecordingRouter, ScriptedMetrics, VirtualClock, healthy } from './fakes.js';

export const canaryDefinition = JSON.parse(readFileSync(new URL('../../state-machines/canary.asl.json', import.meta.url), 'utf8'));

let eventSeq = 0;
export function ecrPush(repository: string, tag: string, opts: { id?: string; time?: string; digest?: string } = {}) {
  eventSeq++;
  return {
    version: '0',
    id: opts.id ?? `evt-${Date.now()}-${eventSeq}`,
    'detail-type': 'ECR Image Action',
    source: 'aws.ecr',
    account: '123456789012',
    time: opts.time ?? new Date(Date.parse('2026-11-22T10:00:00Z') + eventSeq * 1000).toISOString().replace(/\.\d{3}/, ''),
    region: 'us-east-1',
    resources: [],
    detail: {
      'action-type': 'PUSH',
      result: 'SUCCESS',
      'repository-name': repository,
      'image-digest': opts.digest ?? `sha256:${(eventSeq.toString(16) + tag).padEnd(64, '0').replace(/[^0-9a-f]/g, 'a').slice(0, 64)}`,
      'image-tag': tag,
    },
  };
}

export interface Harness {
  dynamo: LocalDynamo;
  repo: DynamoRolloutRepository;
  clock: VirtualClock;
  router: RecordingRouter;
  notifier: MemoryNotifier;
  events: MemoryEvents;
  sfn: LocalStepFunctions;
  tokens: LocalTaskTokens;
  deps: DeliveryDeps;
  push(event: unknown): ReturnType<typeof startFromPush>;
  close(): Promise<void>;
}

/**
 * The real parts (dynalite, the repository, core tasks wrapped as handlers, the ASL through the local
 * runner) with fakes only at the AWS edges (traffic, metrics, notifications). Wait states take 0 ms and
 * advance a virtual clock instead.
 */
export async function harness(opts: { metrics?: MetricsSource; service?: Partial<ServiceConfigInput>; retryMs?: number; scans?: ScanFindingsSource } = {}): Promise<Harness> {
  const dynamo = await startDynamo();
  const repo = new DynamoRolloutRepository(dynamo.doc, dynamo.table);
  const clock = new VirtualClock();
  const router = new RecordingRouter();
  const notifier = new MemoryNotifier();
  const events = new MemoryEvents();
  const metrics = opts.metrics ?? new ScriptedMetrics(() => healthy());
  const tokens = new LocalTaskTokens();
  const deps: DeliveryDeps = { repo, router, metrics, notifier, events, clock, control: tokens, ...(opts.scans ? { scans: opts.scans } : {}) };
  const config = ServiceConfigSchema.parse({
    repository: 'demo',
    router: { kind: 'local' },
    canary: { stages: [10, 25, 50, 75, 100], stageSeconds: 60, analysis: { intervalSeconds: 20, metrics: [{ metric: 'http5xxRate', max: 1 }, { metric: 'latencyP99', max: 500 }] } },
    ...opts.service,
  });
  await repo.putServiceConfig({ name: 'demo', ...config }, 'test-config');
  const functions = localTaskFunctions(() => deps);
  const analyse = functions.AnalyseFunctionArn;
  functions.AnalyseFunctionArn = async (input: never) => {
    clock.advance((input as { next?: { waitSeconds?: number } }).next?.waitSeconds ?? 0);
    return analyse(input);
  };
  const retry = opts.retryMs ?? 0;
  const sfn = new LocalStepFunctions({
    definition: canaryDefinition,
    functions,
    tokens,
    waitTimeOverrides: { WaitInterval: 0 },
    retryIntervalOverrides: Object.fromEntries(Object.keys(canaryDefinition.States).map((s) => [s, retry])),
  });
  return {
    dynamo,
    repo,
    clock,
    router,
    notifier,
    events,
    sfn,
    tokens,
    deps,
    push: (event) => startFromPush({ repo, events, clock, executions: sfn, control: tokens }, event),
    close: async () => {
      await sfn.stopAll();
      await dynamo.close();
    },
  };
}
