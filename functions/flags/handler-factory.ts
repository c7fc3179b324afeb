import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../shared/powertools.js';
import { handleFlags, type FlagsDeps } from './http.js';

/**
 * The flags Lambda. Kept lean for the hot path: no tracer segment per evaluation, logging only on
 * errors. Anything unexpected becomes a 500 with OFREP's general error shape, never a stack trace.
 */
export function makeFlagsHandler(deps: () => FlagsDeps) {
  const base = async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      return await handleFlags(event, deps());
    } catch (e) {
      logger.error('flag evaluation failed', { error: e as Error, routeKey: event.routeKey });
      const unavailable = (e as Error).name === 'FlagsUnavailableError';
      return {
        statusCode: unavailable ? 503 : 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ errorDetails: unavailable ? 'flags are not available yet; see the service logs' : 'internal error; see the service logs' }),
      };
    }
  };
  return middy(base).use(injectLambdaContext(logger, { resetKeys: true }));
}
