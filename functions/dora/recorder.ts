import { DynamoDoraStore } from '../../adapters/dynamo/dora-store.js';
import { doc, repo, table } from '../shared/clients/dynamo.js';
import { makeRecorderHandler } from './handler-factory.js';

/**
 * EventBridge target: CI events and rollout outcomes → DORA records + deployment metrics. Deployed with a
 * reserved concurrency of 1: the store requires the records of one service/environment one at a time (recovery
 * links read the deployment order, then write), and DORA event volumes are small.
 */
const dora = new DynamoDoraStore(doc, table);

export const handler = makeRecorderHandler(() => ({ dora, rollouts: repo }));
