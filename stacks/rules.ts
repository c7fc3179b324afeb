import { Duration, type Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Function } from 'sst/constructs';

/**
 * An EventBridge rule whose single target is a function, with bounded retries and an encrypted
 * dead-letter queue only that rule may write to. CfnRule with the shared pattern object as is: every
 * key ('detail-type', nested detail) reaches the template verbatim.
 */
export function ruleToFunction(stack: Stack, id: string, o: { description: string; eventBusName: string; pattern: object; target: Function }) {
  const deadLetters = new sqs.Queue(stack, `${id}DeadLetters`, { encryption: sqs.QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(14) });
  const rule = new events.CfnRule(stack, `${id}Rule`, {
    description: o.description,
    eventBusName: o.eventBusName,
    eventPattern: o.pattern,
    state: 'ENABLED',
    targets: [
      {
        id: o.target.node.id,
        arn: o.target.functionArn,
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 8 },
        deadLetterConfig: { arn: deadLetters.queueArn },
      },
    ],
  });
  const principal = new ServicePrincipal('events.amazonaws.com');
  o.target.addPermission(`InvokeFrom${id}Rule`, { principal, sourceArn: rule.attrArn });
  deadLetters.addToResourcePolicy(
    new PolicyStatement({
      sid: `${id}RuleDeadLetters`,
      principals: [principal],
      actions: ['sqs:SendMessage'],
      resources: [deadLetters.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.attrArn } },
    }),
  );
  return { rule, deadLetters };
}
