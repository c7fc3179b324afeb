import * as z from 'zod';

/** How traffic reaches a service's two versions. */
export const RouterConfigSchema = z.discriminatedUnion('kind', [
  /** The embedded runtime's weighted proxy in front of demo-service processes. */
  z.object({ kind: z.literal('local') }),
  /**
   * An ALB listener rule forwarding to two weighted target groups, each fed by one ECS service:
   * the stable service and a canary service that runs the new image during a rollout.
   */
  z.object({
    kind: z.literal('alb'),
    listenerArn: z.string().startsWith('arn:'),
    /** The listener rule to weight; omitted = the listener's default action. */
    listenerRuleArn: z.string().startsWith('arn:').optional(),
    stableTargetGroupArn: z.string().startsWith('arn:'),
    canaryTargetGroupArn: z.string().startsWith('arn:'),
    cluster: z.string().min(1),
    stableService: z.string().min(1),
    canaryService: z.string().min(1),
    /** Container in the task definition whose image is replaced. */
    container: z.string().min(1),
    /** Desired count of the canary service while a rollout runs. */
    canaryDesiredCount: z.number().int().min(1).default(1),
    /** Blue/green test listener (e.g. port 8443): forwards to the canary target group while the test route is open. */
    testListenerArn: z.string().startsWith('arn:').optional(),
  }),
]);
export type RouterConfig = z.infer<typeof RouterConfigSchema>;
