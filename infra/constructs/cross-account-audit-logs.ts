import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { AccountPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { CrossAccountDestination } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { logsDestinationArn } from '../names.ts';

/**
 * Records (each one gzipped CloudWatch Logs message of up to thousands of audit events) per
 * invocation of the audit-logs function: ten keep a batch well inside its 60 s timeout and Lambda's
 * 6 MB payload, and a failing batch is bisected down to the one record that fails.
 */
export const CROSS_ACCOUNT_BATCH_SIZE = 10;

/** Tries of a failing batch before its position goes to the dead-letter queue and the shard moves on. */
export const CROSS_ACCOUNT_RETRY_ATTEMPTS = 3;

export interface CrossAccountAuditLogsProps {
  /** The member accounts whose audit log groups (in this region) may subscribe. */
  readonly memberAccounts: readonly string[];
  /** The destination's name: `<prefix>-audit-logs` (infra/names.ts), the same in every region. */
  readonly destinationName: string;
  /** This region's audit-logs function, which decodes Kinesis-delivered records (lambdas/audit-logs). */
  readonly auditLogs: IFunction;
  /** Where the position of a batch that failed for good is kept, in this region. */
  readonly deadLetterQueue: IQueue;
}

/**
 * How member accounts' EKS audit logs reach kubeguard (decision D57): a CloudWatch Logs subscription
 * in the member account sends its log group to a destination in the home account, in the log
 * group's region; CloudWatch Logs puts the records on a Kinesis stream through a role it assumes,
 * and the region's audit-logs function reads the stream. Only the listed accounts may subscribe.
 */
export class CrossAccountAuditLogs extends Construct {
  readonly stream: Stream;
  /** The role CloudWatch Logs assumes to put records on the stream. */
  readonly deliveryRole: Role;
  readonly destination: CrossAccountDestination;
  readonly eventSource: KinesisEventSource;

  constructor(scope: Construct, id: string, props: CrossAccountAuditLogsProps) {
    super(scope, id);
    if (props.memberAccounts.length === 0) {
      throw new Error('CrossAccountAuditLogs needs at least one member account');
    }
    // On demand: capacity follows the clusters' audit volume with nothing to resize as accounts join.
    // The AWS-managed key: CloudWatch Logs and Lambda need no key grant, and cdk-nag (KDS3) asks for it.
    this.stream = new Stream(this, 'Stream', {
      streamMode: StreamMode.ON_DEMAND,
      encryption: StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
    });

    const region = Stack.of(this).region;
    // CloudWatch Logs assumes this role for the subscriptions of the member accounts (and of this one,
    // which owns the destination), in this region only.
    this.deliveryRole = new Role(this, 'DeliveryRole', {
      description: "kubeguard: lets CloudWatch Logs put member accounts' EKS audit logs on the stream",
      assumedBy: new ServicePrincipal('logs.amazonaws.com').withConditions({
        StringLike: {
          'aws:SourceArn': [Aws.ACCOUNT_ID, ...props.memberAccounts].map(
            (account) => `arn:${Aws.PARTITION}:logs:${region}:${account}:*`,
          ),
        },
      }),
    });
    this.deliveryRole.addToPolicy(
      new PolicyStatement({
        sid: 'PutAuditLogRecords',
        actions: ['kinesis:PutRecord'],
        resources: [this.stream.streamArn],
      }),
    );

    this.destination = new CrossAccountDestination(this, 'Destination', {
      destinationName: props.destinationName,
      role: this.deliveryRole,
      targetArn: this.stream.streamArn,
    });
    this.destination.addToPolicy(
      new PolicyStatement({
        sid: 'MemberAccountsSubscribe',
        principals: props.memberAccounts.map((account) => new AccountPrincipal(account)),
        actions: ['logs:PutSubscriptionFilter'],
        // Its own ARN written out: a GetAtt of the destination inside its own policy would be a cycle.
        resources: [logsDestinationArn(Aws.PARTITION, region, Aws.ACCOUNT_ID, props.destinationName)],
      }),
    );

    this.eventSource = new KinesisEventSource(this.stream, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: CROSS_ACCOUNT_BATCH_SIZE,
      bisectBatchOnError: true,
      retryAttempts: CROSS_ACCOUNT_RETRY_ATTEMPTS,
      // Past an hour a batch's findings are stale; its position waits in the dead-letter queue for a
      // redrive within the stream's 24 hours (docs/operations.md).
      maxRecordAge: Duration.hours(1),
      onFailure: new SqsDlq(props.deadLetterQueue),
    });
    props.auditLogs.addEventSource(this.eventSource);
  }
}
