import { prepare } from '../../core/delivery/tasks.js';
import { repo } from '../shared/clients/dynamo.js';
import { router } from '../shared/clients/traffic.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeTaskHandler } from '../shared/task-handler.js';

/** Task `Prepare`: lock the service, deploy the canary at 0 % (or resume). */
export const handler = makeTaskHandler('prepare', prepare, () => ({ repo, router, clock }));
