import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoWebhookStore } from '../../adapters/dynamo/webhook-store.js';
import { events } from '../shared/clients/bus.js';
import { doc, table } from '../shared/clients/dynamo.js';
import { requireEnv } from '../shared/env.js';
import { parseWebhookOptions, parseWebhookSecrets, staticSecrets, type WebhookSecretSource } from './config.js';
import { makeWebhooksHandler } from './handler-factory.js';

/**
 * Webhook Lambda (API Gateway v2, no IAM auth). Secrets by reference: WEBHOOK_SECRETS_SECRET names a Secrets
 * Manager secret holding `{ "<provider>": ["secret", …] }`, read through Powertools Parameters (cached 5 min,
 * so a rotation is picked up within that). Options from WEBHOOK_OPTIONS, validated at init (fail fast).
 */
const secretName = requireEnv('WEBHOOK_SECRETS_SECRET');
const options = parseWebhookOptions(process.env.WEBHOOK_OPTIONS, 'WEBHOOK_OPTIONS');
const provider = new SecretsProvider();

let parsed: { text: string; source: WebhookSecretSource } | undefined;
const secrets: WebhookSecretSource = {
  async secretsFor(name) {
    const raw = await provider.get(secretName, { maxAge: 300 });
    const text = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? new TextDecoder().decode(raw) : '';
    if (parsed?.text !== text) parsed = { text, source: staticSecrets(parseWebhookSecrets(text, `secret ${secretName}`)) };
    return parsed.source.secretsFor(name);
  },
};

const store = new DynamoWebhookStore(doc, table);

export const handler = makeWebhooksHandler(() => ({ secrets, options, store, bus: events }));
