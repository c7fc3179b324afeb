import { finalize } from '../../core/delivery/tasks.js';
import { events } from '../shared/clients/bus.js';
import { repo } from '../shared/clients/dynamo.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeTaskHandler } from '../shared/task-handler.js';

/** Task `Finalize`: record the outcome, release the service lock. */
export const handler = makeTaskHandler('finalize', finalize, () => ({ repo, events, clock }));
