import { SNSClient } from '@aws-sdk/client-sns';
import { SnsNotifier } from '../../../adapters/aws/sns-notifier.js';
import { requireEnv } from '../env.js';
import { traced } from '../powertools.js';

const topicArn = requireEnv('TOPIC_ARN');
export const sns = traced(new SNSClient({}));
export const notifier = new SnsNotifier(sns, topicArn);
