import { DynamoReleaseRepository } from '../../adapters/dynamo/release-repository.js';
import { events } from '../shared/clients/bus.js';
import { doc, repo, table } from '../shared/clients/dynamo.js';
import { control } from '../shared/clients/control.js';
import { executions } from '../shared/clients/sfn.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeTriggerHandler } from './handler-factory.js';

const releases = new DynamoReleaseRepository(doc, table);

/** EventBridge target: a rollout ended → its release moves on; a promoted one → the next environment. */
export const handler = makeTriggerHandler(() => ({ repo, events, clock, executions, releases, control }), 'progression');
