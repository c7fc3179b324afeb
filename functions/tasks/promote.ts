import { promote } from '../../core/delivery/tasks.js';
import { events } from '../shared/clients/bus.js';
import { repo } from '../shared/clients/dynamo.js';
import { router } from '../shared/clients/traffic.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeTaskHandler } from '../shared/task-handler.js';

/** Task `Promote`: the canary becomes stable. */
export const handler = makeTaskHandler('promote', promote, () => ({ repo, router, events, clock }));
