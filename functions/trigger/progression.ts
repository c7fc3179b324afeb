import { events } from '../shared/clients/bus.js';
import { repo } from '../shared/clients/dynamo.js';
import { executions } from '../shared/clients/sfn.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeTriggerHandler } from './handler-factory.js';

/** EventBridge target: Rollout Succeeded → the same revision on the service's next environment. */
export const handler = makeTriggerHandler(() => ({ repo, events, clock, executions }), 'progression');
