import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchMetricsSource } from '../../../adapters/aws/cloudwatch-metrics.js';
import { traced } from '../powertools.js';

export const metricsSource = new CloudWatchMetricsSource(traced(new CloudWatchClient({})));
