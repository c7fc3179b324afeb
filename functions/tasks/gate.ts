import { openGate } from '../../core/delivery/gates.js';
import { control } from '../shared/clients/control.js';
import { repo } from '../shared/clients/dynamo.js';
import { systemClock as clock } from '../shared/clock.js';
import { GateInputSchema, makeTaskHandler } from '../shared/task-handler.js';

/** Gate (`.waitForTaskToken`): store the task token on the rollout, or wake at once if the gate already resolved. */
export const handler = makeTaskHandler('gate', openGate, () => ({ repo, clock, control }), GateInputSchema);
