import { analyse } from '../../core/delivery/tasks.js';
import { events } from '../shared/clients/bus.js';
import { repo } from '../shared/clients/dynamo.js';
import { metricsSource as metrics } from '../shared/clients/metrics.js';
import { systemClock as clock } from '../shared/clock.js';
import { makeTaskHandler } from '../shared/task-handler.js';

/** Task `Analyse`: measure, judge, decide. */
export const handler = makeTaskHandler('analyse', analyse, () => ({ repo, metrics, events, clock }));
