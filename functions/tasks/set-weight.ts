import { setWeight } from '../../core/delivery/tasks.js';
import { events } from '../shared/clients/bus.js';
import { repo } from '../shared/clients/dynamo.js';
import { router } from '../shared/clients/traffic.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeTaskHandler } from '../shared/task-handler.js';

/** Task `SetWeight`: shift traffic to the current step's weight. */
export const handler = makeTaskHandler('set-weight', setWeight, () => ({ repo, router, events, clock }));
