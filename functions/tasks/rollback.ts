import { rollback } from '../../core/delivery/tasks.js';
import { events } from '../shared/clients/bus.js';
import { repo } from '../shared/clients/dynamo.js';
import { router } from '../shared/clients/traffic.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeTaskHandler } from '../shared/task-handler.js';

/** Task `Rollback`: 100 % back on stable, canary torn down. */
export const handler = makeTaskHandler('rollback', rollback, () => ({ repo, router, events, clock }));
