import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AlbEcsTrafficRouter } from '../../../adapters/aws/alb-ecs-router.js';
import { tracer } from '../powertools.js';

export const router = new AlbEcsTrafficRouter(tracer.captureAWSv3Client(new ElasticLoadBalancingV2Client({})), tracer.captureAWSv3Client(new ECSClient({})));
