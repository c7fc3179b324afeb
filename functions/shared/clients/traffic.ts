import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AlbEcsTrafficRouter } from '../../../adapters/aws/alb-ecs-router.js';
import { traced } from '../powertools.js';

export const router = new AlbEcsTrafficRouter(traced(new ElasticLoadBalancingV2Client({})), traced(new ECSClient({})));
