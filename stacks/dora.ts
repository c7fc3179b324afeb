import { readFileSync } from 'node:fs';
import { Duration, type Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Function, FunctionProps } from 'sst/constructs';
import { teamsOf } from '../core/config/teams.js';
import { doraRecorderPattern } from '../events/rules.js';
import { parseWebhookOptions } from '../functions/webhooks/config.js';
import { putCiEvents, readDoraRollups, readWebhookSecrets, tableReadWrite, webhookDeliveries } from './policies.js';
import { ruleToFunction } from './rules.js';
import type { LoadedDeliveryConfig } from './service-config.js';

export const WEBHOOKS_HANDLER = 'functions/webhooks/http.handler';
export const RECORDER_HANDLER = 'functions/dora/recorder.handler';

/** The Secrets Manager secret (by name) holding the webhook secrets: LUMINA_WEBHOOK_SECRETS_SECRET, default per stage. */
export const webhookSecretName = (stage: string) => process.env.LUMINA_WEBHOOK_SECRETS_SECRET || `lumina-${stage}-webhook-secrets`;

type MakeFunction = (id: string, handler: string, props?: Omit<FunctionProps, 'handler'>) => Function;

/**
 * CI webhooks and DORA recording (wiring only):
 * - the webhooks function behind `POST /webhooks/{provider}` (routes from functions/api/routes.ts, no IAM):
 *   table writes of delivery items only, PutEvents on our bus with source `lumina.ci` only, and read access to
 *   its one secret;
 * - the recorder, target of `doraRecorderPattern` on our bus, with retries and a dead-letter queue for both
 *   failed deliveries (EventBridge) and failed invocations (Lambda async), reserved concurrency 1 (the DORA
 *   store records one service/environment at a time);
 * - the API function's DORA query: BatchGetItem of day rollups, and DORA_TEAMS for team queries.
 */
export function addDora(stack: Stack, o: { stage: string; fn: MakeFunction; table: ITable; bus: IEventBus; api: Function; config: LoadedDeliveryConfig | undefined }) {
  const secretName = webhookSecretName(o.stage);
  // Invalid options fail synthesis, with the path of the problem.
  const options = process.env.LUMINA_WEBHOOK_OPTIONS ? JSON.stringify(parseWebhookOptions(process.env.LUMINA_WEBHOOK_OPTIONS, 'LUMINA_WEBHOOK_OPTIONS')) : undefined;
  const webhooks = o.fn('Webhooks', WEBHOOKS_HANDLER, {
    timeout: '10 seconds',
    environment: { WEBHOOK_SECRETS_SECRET: secretName, ...(options ? { WEBHOOK_OPTIONS: options } : {}) },
  });
  webhooks.addToRolePolicy(webhookDeliveries(o.table));
  webhooks.addToRolePolicy(putCiEvents(o.bus));
  webhooks.addToRolePolicy(readWebhookSecrets(stack, secretName));

  const recorder = o.fn('DoraRecorder', RECORDER_HANDLER, { reservedConcurrentExecutions: 1 });
  recorder.addToRolePolicy(tableReadWrite(o.table));
  const { rule, deadLetters } = ruleToFunction(stack, 'DoraRecorder', {
    description: 'CI events and rollout outcomes become DORA records and deployment metrics',
    eventBusName: o.bus.eventBusName,
    pattern: doraRecorderPattern,
    target: recorder,
  });
  // EventBridge invokes asynchronously: invocations that still fail after Lambda's retries land in the same queue.
  recorder.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(deadLetters) });

  o.api.addToRolePolicy(readDoraRollups(o.table));
  const teams = o.config ? teamsOf(JSON.parse(readFileSync(o.config.file, 'utf8'))) : {};
  o.api.addEnvironment('DORA_TEAMS', JSON.stringify(teams));

  return { webhooks, recorder, recorderRule: rule, recorderDeadLetters: deadLetters, webhookSecretName: secretName };
}
