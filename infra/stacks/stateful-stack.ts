import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FINDINGS_TABLE } from '../../adapters/aws/findings-table.ts';

export interface StatefulStackProps extends StackProps {
  /**
   * Names of the EventBridge rules (in this account and region) allowed to put events they could not
   * deliver into the dead-letter queue. The rules live in the stateless stack; naming them here, instead
   * of referencing their ARNs, keeps references flowing one way (stateful → stateless).
   */
  readonly deadLetterRuleNames: readonly string[];
}

/**
 * Everything kubeguard must not lose: the findings table, the Slack credentials, and the events no
 * function could handle. Resources here are retained when the stack is deleted, and the stateless
 * stack only references them, so redeploying or replacing the functions never replaces data.
 */
export class StatefulStack extends Stack {
  /**
   * Findings, and later the audit trail and digest subscriptions (single-table: `pk`/`sk` strings).
   * Items with `expiresAt` (epoch seconds) are removed by TTL.
   */
  readonly table: Table;
  /**
   * Slack credentials, a JSON object `{"botToken": "xoxb-…", "signingSecret": "…"}` filled in after
   * the first deployment (docs/deploy.md).
   */
  readonly slackSecret: Secret;
  /** Failed asynchronous invocations and undeliverable EventBridge events, kept 14 days. */
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.table = new Table(this, 'Findings', {
      partitionKey: { name: FINDINGS_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: FINDINGS_TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: FINDINGS_TABLE.ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Findings whose Slack delivery is pending, by due time (adapters/aws/findings-table.ts).
    this.table.addGlobalSecondaryIndex({
      indexName: FINDINGS_TABLE.pendingIndex.name,
      partitionKey: { name: FINDINGS_TABLE.pendingIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: FINDINGS_TABLE.pendingIndex.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });

    this.slackSecret = new Secret(this, 'SlackCredentials', {
      description:
        'kubeguard Slack app credentials: JSON {"botToken": "xoxb-…", "signingSecret": "…"} (docs/deploy.md)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.slackSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The bot token and signing secret are issued by Slack; Secrets Manager cannot rotate them. They ' +
        'are rotated in the Slack app settings and written here by hand (docs/deploy.md).',
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      // SQS-managed keys: EventBridge cannot send to a queue encrypted with the AWS-managed aws/sqs key.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue; its messages are inspected and redriven by hand.',
    });
    this.allowRulesToDeadLetter(props.deadLetterRuleNames);

    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription:
        'kubeguard: events or invocations failed for good and wait in the dead-letter queue (see docs/operations.md)',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // What docs/deploy.md asks the operator to use after the first deployment.
    new CfnOutput(this, 'SlackSecretArn', {
      value: this.slackSecret.secretArn,
      description: 'Put the Slack bot token and signing secret here (docs/deploy.md)',
    });
    new CfnOutput(this, 'FindingsTableName', { value: this.table.tableName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
  }

  private allowRulesToDeadLetter(ruleNames: readonly string[]): void {
    if (ruleNames.length === 0) return;
    this.deadLetterQueue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowKubeguardRulesToDeadLetter',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
        conditions: {
          ArnEquals: {
            'aws:SourceArn': ruleNames.map(
              (name) => `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${name}`,
            ),
          },
        },
      }),
    );
  }
}
