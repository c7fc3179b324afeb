import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher.js';
import { DynamoDoraStore } from '../adapters/dynamo/dora-store.js';
import type { DynamoRolloutRepository } from '../adapters/dynamo/repository.js';
import { DynamoWebhookStore } from '../adapters/dynamo/webhook-store.js';
import type { WebhookOptions } from '../core/webhooks/index.js';
import { doraRecorderPattern } from '../events/rules.js';
import { makeRecorderHandler } from '../functions/dora/handler-factory.js';
import { localContext } from '../functions/tasks/bindings.js';
import { parseWebhookOptions, staticSecrets, type WebhookSecrets } from '../functions/webhooks/config.js';
import { makeWebhooksHandler } from '../functions/webhooks/handler-factory.js';
import type { BusEvent, LocalBus } from './bus.js';
import type { LocalDynamo } from './dynamo.js';
import { FileWebhookSecrets } from './webhook-secrets.js';

/**
 * CI webhooks and DORA on the local runtime, with the handlers AWS runs: the webhooks handler (served by the
 * gateway at POST /webhooks/{provider}), the DORA recorder as the target of the same rule pattern as in the
 * stack, and the DORA store the API queries. The recorder's deliveries run one at a time, as the Lambda's
 * reserved concurrency of 1 does in AWS (the store needs one service/environment at a time).
 */
export interface LocalDoraOptions {
  dataDir: string;
  dynamo: LocalDynamo;
  repo: DynamoRolloutRepository;
  bus: LocalBus;
  /** service → team (team queries). */
  teams: Record<string, string>;
  /** Secrets given directly (tests); default LUMINA_WEBHOOK_SECRETS or `<dataDir>/webhook-secrets.json`. */
  webhookSecrets?: WebhookSecrets;
  /** Default LUMINA_WEBHOOK_OPTIONS or `<dataDir>/webhook-options.json`. */
  webhookOptions?: WebhookOptions;
}

export function startLocalDora(o: LocalDoraOptions) {
  const dora = new DynamoDoraStore(o.dynamo.doc, o.dynamo.table, o.teams);
  const webhookStore = new DynamoWebhookStore(o.dynamo.doc, o.dynamo.table);
  const secrets = o.webhookSecrets ? staticSecrets(o.webhookSecrets) : new FileWebhookSecrets(join(o.dataDir, 'webhook-secrets.json'));
  const optionsFile = join(o.dataDir, 'webhook-options.json');
  const options =
    o.webhookOptions ??
    (process.env.LUMINA_WEBHOOK_OPTIONS
      ? parseWebhookOptions(process.env.LUMINA_WEBHOOK_OPTIONS, 'LUMINA_WEBHOOK_OPTIONS')
      : existsSync(optionsFile)
        ? parseWebhookOptions(readFileSync(optionsFile, 'utf8'), optionsFile)
        : {});
  // lumina.ci events go through the same publisher as in AWS (validation, batches of 10, retries of failed
  // entries) with the bus's PutEvents called in process: the HTTP hop and SigV4 cost ~1 ms per delivery here,
  // and the wire protocol is exercised by our delivery events and test/integration/bus.test.ts.
  const ciBus = new EventBridgePublisher({ send: async (command) => o.bus.putEvents(command.input.Entries ?? []) }, o.bus.busName);
  const webhooks = makeWebhooksHandler(() => ({ secrets, options, store: webhookStore, bus: ciBus }));
  const recorder = makeRecorderHandler(() => ({ dora, rollouts: o.repo }));

  let queue: Promise<unknown> = Promise.resolve();
  o.bus.addRule({
    name: 'dora-recorder',
    pattern: doraRecorderPattern,
    target: (event: BusEvent) => {
      const run = queue.then(() => recorder(event, localContext('lumina-dora-recorder')));
      queue = run.catch(() => undefined);
      return run.then(() => undefined);
    },
  });
  return { dora, webhookStore, webhooks };
}
