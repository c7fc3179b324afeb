import { repo } from '../shared/clients/dynamo.js';
import { makeApiHandler } from './handler-factory.js';

/** HTTP API (API Gateway v2) → read API. */
export const handler = makeApiHandler(() => ({ repo }));
