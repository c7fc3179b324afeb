import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionControl } from '../../../adapters/aws/sfn-control.js';
import { traced } from '../powertools.js';

/** Wakes executions waiting at gates (SendTaskSuccess); built once per container. */
export const control = new SfnExecutionControl(traced(new SFNClient({})));
