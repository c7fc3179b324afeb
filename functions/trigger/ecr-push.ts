import { events } from '../shared/clients/bus.js';
import { repo } from '../shared/clients/dynamo.js';
import { control } from '../shared/clients/control.js';
import { executions } from '../shared/clients/sfn.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeTriggerHandler } from './handler-factory.js';

/** EventBridge target: ECR push → rollout. */
export const handler = makeTriggerHandler(() => ({ repo, events, clock, executions, control }));
