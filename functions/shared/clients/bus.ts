import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../../adapters/aws/eventbridge-publisher.js';
import { requireEnv } from '../env.js';
import { traced } from '../powertools.js';

const busName = requireEnv('EVENT_BUS_NAME');
export const events = new EventBridgePublisher(traced(new EventBridgeClient({})), busName);
