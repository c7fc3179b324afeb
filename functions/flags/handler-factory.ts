import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../shared/powertools.js';
import { handleFlags, type FlagsDeps } from './http.js';

type FlagsResult = APIGatewayProxyStructuredResultV2;

/**
 * The flags Lambda. Unlike the other handlers it is not wrapped in middy + injectLambdaContext: this
 * is the one hot path (every feature-flag check of every client), and that wrapper cost ~15 µs of
 * the ~100 µs per request we profiled (bench `flags-http`), on every request, to add a context that
 * only error logs need. So the context is added where it is used — on the error path — and nothing
 * else changes: no tracer segment per evaluation, logs only on errors, anything unexpected becomes a
 * 500 (503 while no flags could be loaded) with OFREP's general error shape, never a stack trace.
 */
export function makeFlagsHandler(deps: () => FlagsDeps | Promise<FlagsDeps>) {
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<FlagsResult> => {
    try {
      const d = deps();
      return await handleFlags(event, d instanceof Promise ? await d : d);
    } catch (e) {
      logger.addContext(context);
      logger.error('flag evaluation failed', { error: e as Error, routeKey: event.routeKey });
      const unavailable = (e as Error).name === 'FlagsUnavailableError';
      return {
        statusCode: unavailable ? 503 : 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ errorDetails: unavailable ? 'flags are not available yet; see the service logs' : 'internal error; see the service logs' }),
      };
    }
  };
}
