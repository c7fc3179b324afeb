import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionControl } from '../../adapters/aws/sfn-control.js';
import { events } from '../shared/clients/bus.js';
import { repo } from '../shared/clients/dynamo.js';
import { executions } from '../shared/clients/sfn.js';
import { systemClock as clock } from '../shared/clock.js';
import { traced } from '../shared/powertools.js';
import { makeApiHandler } from './handler-factory.js';

const control = new SfnExecutionControl(traced(new SFNClient({})));

/** HTTP API (API Gateway v2) → read API and rollout commands. */
export const handler = makeApiHandler(() => ({ repo, control, executions, events, clock }));
