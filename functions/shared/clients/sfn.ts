import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionStarter } from '../../../adapters/aws/sfn-starter.js';
import { requireEnv } from '../env.js';
import { traced } from '../powertools.js';

const stateMachineArn = requireEnv('STATE_MACHINE_ARN');
export const executions = new SfnExecutionStarter(traced(new SFNClient({})), stateMachineArn);
