import { SNSClient } from '@aws-sdk/client-sns';
import { SnsNotifier } from '../../../adapters/aws/sns-notifier.js';
import { requireEnv } from '../env.js';
import { tracer } from '../powertools.js';

const topicArn = requireEnv('TOPIC_ARN');
export const notifier = new SnsNotifier(tracer.captureAWSv3Client(new SNSClient({})), topicArn);
