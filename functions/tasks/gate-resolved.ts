import { gateResolved } from '../../core/delivery/gates.js';
import { repo } from '../shared/clients/dynamo.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeTaskHandler } from '../shared/task-handler.js';

/** Task `GateResolved`: after a gate's wait — apply a timed-out gate's rule, then route on. */
export const handler = makeTaskHandler('gate-resolved', gateResolved, () => ({ repo, clock }));
