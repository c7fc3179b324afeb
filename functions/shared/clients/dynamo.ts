import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRolloutRepository } from '../../../adapters/dynamo/repository.js';
import { requireEnv } from '../env.js';
import { traced } from '../powertools.js';

/** Built once per container, at init; a missing TABLE_NAME fails the cold start, not the first event. */
export const table = requireEnv('TABLE_NAME');
export const doc = DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } });
export const repo = new DynamoRolloutRepository(doc, table);
