import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { CiProvider } from '../../events/ci.js';
import type { WebhookOptions } from '../../core/webhooks/index.js';
import { receiveWebhook, type CiEventPublisher, type WebhookDeliveryStore } from '../../core/webhooks/receive.js';
import { logger, metrics, tracing } from '../shared/powertools.js';
import type { WebhookSecretSource } from './config.js';

/**
 * `POST /webhooks/{provider}` (github, gitlab, jenkins, circleci, generic). No IAM: every delivery is
 * authenticated by its signature or token (core/webhooks). The body is passed on as the exact bytes received
 * (API Gateway base64-encodes binary bodies: `isBase64Encoded`), because signatures cover those bytes.
 * Answers are ingestWebhook's (202 accepted / ignored, 200 pong, 400/401/413/415 with `{ error }`), 200
 * `{ duplicate: true }` for a delivery already published, and 500 when storage or the bus failed — that
 * delivery is safe to redeliver.
 */

export interface WebhooksDeps {
  secrets: WebhookSecretSource;
  options?: WebhookOptions;
  store: WebhookDeliveryStore;
  bus: CiEventPublisher;
  now?: () => Date;
}

type Result = APIGatewayProxyStructuredResultV2;
const respond = (status: number, body: unknown): Result => ({ statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export function rawBodyOf(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * Headers as received. The Jenkins Notification plugin cannot set headers: its `?token=` query parameter is
 * copied into `x-lumina-token` when that header is absent (the URL then holds a secret: prefer the header).
 */
export function headersOf(provider: string, event: Pick<APIGatewayProxyEventV2, 'headers' | 'queryStringParameters'>): Record<string, string | undefined> {
  const headers = { ...(event.headers ?? {}) };
  const token = event.queryStringParameters?.token;
  if (provider === 'jenkins' && token && !headers['x-lumina-token']) headers['x-lumina-token'] = token;
  return headers;
}

export async function handleWebhook(event: APIGatewayProxyEventV2, deps: WebhooksDeps): Promise<Result> {
  const provider = event.pathParameters?.provider ?? '';
  const result = await receiveWebhook(
    {
      // ingestWebhook checks the provider before anything else (400 unknown_provider).
      provider: provider as CiProvider,
      headers: headersOf(provider, event),
      rawBody: rawBodyOf(event),
      secrets: await deps.secrets.secretsFor(provider),
      ...(deps.options ? { options: deps.options } : {}),
      now: deps.now?.() ?? new Date(),
    },
    { store: deps.store, bus: deps.bus, ...(deps.now ? { now: deps.now } : {}) },
  );
  metrics.addMetric(`webhook_${result.outcome}`, MetricUnit.Count, 1);
  const code = 'error' in result.body ? result.body.error.code : undefined;
  if (result.outcome === 'rejected') logger.warn('webhook rejected', { provider, status: result.status, code });
  else logger.info(`webhook ${result.outcome}`, { provider, status: result.status, dedupeKey: result.dedupeKey });
  return respond(result.status, result.body);
}

export function makeWebhooksHandler(deps: () => WebhooksDeps | Promise<WebhooksDeps>) {
  const base = async (event: APIGatewayProxyEventV2, _context: Context): Promise<Result> => {
    try {
      return await handleWebhook(event, await deps());
    } catch (e) {
      // Logged once with its name and message; never echoed (it may come from the secret store or the bus).
      logger.error('webhook delivery failed; safe to redeliver', { error: e as Error, provider: event.pathParameters?.provider });
      return respond(500, { error: { code: 'internal_error', message: 'The delivery could not be stored or published; redeliver it' } });
    }
  };
  return middy(base).use(tracing()).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
}
