import { Aws, CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { FINDINGS_TABLE } from '../../adapters/aws/findings-table.ts';
import { SlackActionQueue } from '../constructs/action-queue.ts';
import { AlarmTopic } from '../constructs/alarm-topic.ts';
import {
  ALARM_PERIOD,
  anyOccurrenceAlarm,
  kubeguardAlarmName,
  nameAlarm,
  useAlarmPrefix,
} from '../constructs/alarms.ts';
import { deadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { exportStackOutputs } from '../constructs/outputs.ts';
import { evidenceBucketName } from '../constructs/posture-audit-access.ts';
import { physicalNames } from '../names.ts';

export interface StatefulStackProps extends StackProps {
  /**
   * Names of the EventBridge rules (in this account and region) allowed to put events they could not
   * deliver into the dead-letter queue. The rules live in the stateless stack; naming them here, instead
   * of referencing their ARNs, keeps references flowing one way (stateful → stateless).
   */
  readonly deadLetterRuleNames: readonly string[];
  /** The prefix of physical names (the evidence bucket is `<prefix>-evidence-<account>-<region>`). */
  readonly resourcePrefix: string;
  /**
   * Create the evidence bucket with S3 Object Lock (`evidence.objectLock` configured): packs are then
   * stored with that retention. Object Lock cannot be turned off once on. No default retention is set
   * on the bucket: audit exports and forensic bundles keep their own lifecycle. @default false
   */
  readonly evidenceObjectLock?: boolean;
}

/**
 * Everything kubeguard must not lose: the findings table, the Slack credentials, the evidence bucket,
 * and the events no function could handle. Resources here are retained when the stack is deleted, and the stateless
 * stack only references them, so redeploying or replacing the functions never replaces data.
 */
export class StatefulStack extends Stack {
  /**
   * Findings, and later the audit trail and digest subscriptions (single-table: `pk`/`sk` strings).
   * Items with `expiresAt` (epoch seconds) are removed by TTL.
   */
  readonly table: Table;
  /**
   * The Slack bot token, a JSON object `{"botToken": "xoxb-…"}` filled in after the first deployment
   * (docs/deploy.md); read by the functions that call Slack.
   */
  readonly slackSecret: Secret;
  /**
   * The Slack app's signing secret, the secret string alone, in a secret of its own: only the Slack
   * ingress function may read it (whoever holds it can forge any Slack request).
   */
  readonly slackSigningSecret: Secret;
  /** Slack requests waiting for the action worker, and those it gave up on. */
  readonly actionQueue: SlackActionQueue;
  /** Failed asynchronous invocations and undeliverable EventBridge events, kept 14 days. */
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  /** Every kubeguard alarm of both stacks notifies this topic (kubeguard-app.ts); subscribe to it. */
  readonly alarmTopic: AlarmTopic;
  /**
   * Evidence for compliance reviews and incident response: posture audit exports under `audits/`
   * (adapters/evidence/report-exports.ts). Versioned, encrypted, private, TLS only, retained.
   */
  readonly evidenceBucket: Bucket;
  /** Server access logs of the evidence bucket: who read or wrote which evidence, and when. */
  readonly evidenceAccessLogs: Bucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    useAlarmPrefix(this, props.resourcePrefix);

    this.table = new Table(this, 'Findings', {
      // Regional stacks write to it by name (infra/names.ts).
      tableName: physicalNames(props.resourcePrefix).findingsTable,
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
      description: 'kubeguard Slack bot token: JSON {"botToken": "xoxb-…"} (docs/deploy.md)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.slackSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The bot token is issued by Slack; Secrets Manager cannot rotate it. It is regenerated in the ' +
        'Slack app settings and written here by hand (docs/deploy.md).',
    });
    this.slackSigningSecret = new Secret(this, 'SlackSigningSecret', {
      description:
        'kubeguard Slack signing secret: the string from the app’s Basic Information page, read only by the Slack ingress function (docs/deploy.md)',
      // Until the real value is written, the placeholder is a JSON object without `signingSecret`,
      // which the ingress refuses (adapters/aws/slack-signing-secret.ts) and tries again on the next
      // request, rather than a random string it would verify every request against until recycled.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ replaceWith: 'the Slack signing secret (docs/deploy.md)' }),
        generateStringKey: 'placeholder',
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.slackSigningSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The signing secret is issued by Slack; Secrets Manager cannot rotate it. It is regenerated in ' +
        'the Slack app settings and written here by hand (docs/deploy.md).',
    });
    this.actionQueue = new SlackActionQueue(this, 'Actions');
    nameAlarm(this.actionQueue.deadLetterAlarm, 'actionDeadLetters');
    nameAlarm(this.actionQueue.oldestMessageAlarm, 'oldestSlackRequest');

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'This queue is itself the dead-letter queue; its messages are inspected and redriven by hand.',
    );
    this.allowRulesToDeadLetter(props.deadLetterRuleNames);

    this.alarmTopic = new AlarmTopic(this, 'Alarms');
    this.deadLetterAlarm = anyOccurrenceAlarm(this, 'DeadLettersAlarm', {
      alarmName: kubeguardAlarmName(this, 'deadLetters'),
      description:
        'kubeguard: events or invocations failed for good and wait in the dead-letter queue (runbook: docs/operations.md#dead-letter-queue-depth)',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
    });

    // Log delivery is granted by a bucket policy (logging.s3.amazonaws.com, from the evidence bucket of
    // this account) instead of the legacy LogDeliveryWrite ACL: the flag is set for these buckets only.
    const evidence = new Construct(this, 'Evidence');
    evidence.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.evidenceAccessLogs = new Bucket(evidence, 'AccessLogs', {
      // Server access log delivery writes only to buckets with S3-managed encryption.
      encryption: BucketEncryption.S3_MANAGED,
      // The record of who read or wrote evidence: a deleted or overwritten log stays as a prior version.
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.evidenceAccessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the evidence bucket’s server access logs; logging its own access would ' +
        'only log the log delivery. Reads of it are recorded by CloudTrail management events.',
    });
    this.evidenceBucket = new Bucket(evidence, 'Bucket', {
      bucketName: evidenceBucketName(props.resourcePrefix),
      // SSE-S3: the functions need no KMS grant, and S3 encrypts every object at rest.
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: this.evidenceAccessLogs,
      serverAccessLogsPrefix: 'evidence/',
      removalPolicy: RemovalPolicy.RETAIN,
      // Needs versioning (on above); an existing bucket is switched on first (docs/deploy.md, "Object Lock").
      ...(props.evidenceObjectLock === true ? { objectLockEnabled: true } : {}),
    });

    // What docs/deploy.md asks the operator to use after the first deployment.
    new CfnOutput(this, 'SlackSecretArn', {
      value: this.slackSecret.secretArn,
      description: 'Put the Slack bot token here, as {"botToken": "xoxb-…"} (docs/deploy.md)',
    });
    new CfnOutput(this, 'SlackSigningSecretArn', {
      value: this.slackSigningSecret.secretArn,
      description: 'Put the Slack signing secret here, as the plain string (docs/deploy.md)',
    });
    new CfnOutput(this, 'ActionDeadLetterQueueUrl', {
      value: this.actionQueue.deadLetterQueue.queueUrl,
      description: 'Slack requests the action worker failed three times (docs/deploy.md)',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topic.topicArn,
      description:
        'Every kubeguard alarm notifies this topic: subscribe an e-mail, a pager or AWS Chatbot (docs/deploy.md)',
    });
    new CfnOutput(this, 'FindingsTableName', { value: this.table.tableName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'EvidenceBucketName', {
      value: this.evidenceBucket.bucketName,
      description: 'Posture audit exports (audits/<cluster>/<time>/report.{json,md,csv})',
    });
    exportStackOutputs(this, props.resourcePrefix);
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
