import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionStarter } from '../../../adapters/aws/sfn-starter.js';
import { requireEnv } from '../env.js';
import { tracer } from '../powertools.js';

const stateMachineArn = requireEnv('STATE_MACHINE_ARN');
export const executions = new SfnExecutionStarter(tracer.captureAWSv3Client(new SFNClient({})), stateMachineArn);
