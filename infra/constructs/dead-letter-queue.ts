import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A dead-letter queue as kubeguard keeps them: SQS-managed encryption (EventBridge cannot send to a
 * queue encrypted with the AWS-managed aws/sqs key, and no KMS grant is needed), TLS only, messages
 * kept 14 days, retained with the stack. `reason` tells cdk-nag (SQS3) what the queue holds and how
 * it is emptied, since a dead-letter queue has none of its own.
 */
export function deadLetterQueue(scope: Construct, id: string, reason: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  return queue;
}
