import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionControl } from '../../adapters/aws/sfn-control.js';
import { openGate } from '../../core/delivery/gates.js';
import { repo } from '../shared/clients/dynamo.js';
import { systemClock as clock } from '../shared/clock.js';
import { traced } from '../shared/powertools.js';
import { GateInputSchema, makeTaskHandler } from '../shared/task-handler.js';

const control = new SfnExecutionControl(traced(new SFNClient({})));

/** Gate (`.waitForTaskToken`): store the task token on the rollout, or wake at once if the gate already resolved. */
export const handler = makeTaskHandler('gate', openGate, () => ({ repo, clock, control }), GateInputSchema);
