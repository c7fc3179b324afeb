import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger, tracing } from '../shared/powertools.js';
import { handleApi, json, type ApiDeps } from './api.js';

/** The API Lambda: route, and turn anything unexpected into a 500 JSON error (logged once, never echoed). */
export function makeApiHandler(deps: () => ApiDeps) {
  const base = async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      return await handleApi(event, deps());
    } catch (e) {
      logger.error('unhandled API error', { error: e as Error, routeKey: event.routeKey });
      return json(500, { error: { code: 'InternalError', message: 'internal error; see the service logs' } });
    }
  };
  return middy(base).use(tracing()).use(injectLambdaContext(logger, { resetKeys: true }));
}
