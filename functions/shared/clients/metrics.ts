import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchMetricsSource } from '../../../adapters/aws/cloudwatch-metrics.js';
import { tracer } from '../powertools.js';

export const metricsSource = new CloudWatchMetricsSource(tracer.captureAWSv3Client(new CloudWatchClient({})));
