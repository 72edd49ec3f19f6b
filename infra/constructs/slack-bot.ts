import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { KubeguardConfig } from '#core/config/schema.ts';
import { DIGEST_SUBSCRIPTIONS_PARTITION } from '../../adapters/aws/digest-stores.ts';
import { FINDINGS_TABLE } from '../../adapters/aws/findings-table.ts';
import { ACTION_WORKER_TIMEOUT } from './action-queue.ts';

/** The action worker's `/tmp` (MiB): room for an evidence pack of a year of 50 clusters while it is sent. */
export const ACTION_WORKER_EPHEMERAL_MIB = 2048;

import { CHART_FILES } from './digest.ts';
import { evidencePackPolicy } from './evidence-packs.ts';
import { KubeguardFunction } from './kubeguard-function.ts';
import {
  type CFN_PSEUDO,
  type Grant,
  onDemandAuditPolicy,
  policyFromGrants,
} from './posture-audit-access.ts';
import type { RemediationAccess } from './remediation-access.ts';
import { SlackEndpoint } from './slack-endpoint.ts';

/** Where the bot's two handlers live; both export `handler`. */
export const SLACK_BOT_ENTRIES = Object.freeze({
  slackIngress: fileURLToPath(new URL('../../bot/lambda.ts', import.meta.url)),
  actionWorker: fileURLToPath(new URL('../../lambdas/action-worker/handler.ts', import.meta.url)),
});

/**
 * Requests the worker takes per invocation: one. An action can run for minutes (a rotation waits for
 * rollouts), so each gets the whole timeout to itself and a slow one never holds up, or times out,
 * the others; `reportBatchItemFailures` still returns a failed request to the queue alone.
 */
export const ACTION_WORKER_BATCH_SIZE = 1;

/**
 * Workers running at once: enough for several people acting during one incident, few enough that
 * the clusters' API servers and Slack's per-workspace limits (chat.update ~50 a minute) are not
 * flooded. The event source stops polling at this many instead of being throttled, so waiting
 * requests are not received (and counted towards the dead-letter queue) in vain.
 */
export const ACTION_WORKER_MAX_CONCURRENCY = 5;

/**
 * The only partitions of the table the ingress may touch: its claims (replay guard, idempotency
 * keys; adapters/aws/replay-claims.ts) and the audit trail's record, day and finding items
 * (adapters/aws/audit-trail-store.ts). Findings, deliveries and rotation claims are out of its reach.
 */
export const INGRESS_PARTITIONS = Object.freeze(['CLAIM#', 'AUDITREC#', 'AUDIT#', 'AUDITF#']);

/** What the ingress does there: conditional puts, a read-back of an existing record, a claim given back. */
export const INGRESS_TABLE_ACTIONS = Object.freeze([
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
]);

/**
 * The worker's table operations (adapters/slack/worker-from-env.ts): findings read, acknowledged and
 * suppressed (Get, Update, conditional Put), listed for `/k8s findings` (a filtered Scan of finding
 * items), audit records written and read by finding or day (Put, Get, Query).
 */
export const WORKER_TABLE_ACTIONS = Object.freeze([
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'dynamodb:Scan',
]);

/** Stable output names (docs/deploy.md): `aws cloudformation describe-stacks` finds them by these. */
export const SLACK_BOT_OUTPUTS = Object.freeze({
  requestUrl: 'SlackRequestUrl',
  accessLogGroupName: 'SlackAccessLogGroupName',
  ingressFunctionName: 'SlackIngressFunctionName',
  workerFunctionName: 'ActionWorkerFunctionName',
});

export interface SlackBotProps {
  readonly config: KubeguardConfig;
  /** The validated configuration file's JSON, handed to both functions. */
  readonly configJson: string;
  readonly table: ITable;
  /** The bot token (`{"botToken": "xoxb-…"}`): both functions call Slack's Web API. */
  readonly botTokenSecret: ISecret;
  /** The signing secret: the ingress function alone reads it. */
  readonly signingSecret: ISecret;
  readonly actionQueue: IQueue;
  /** The remediation identity: its role becomes the worker's, the only one that acts on clusters. */
  readonly remediation: RemediationAccess;
  /** The evidence bucket's name (forensic bundles, on-demand audit exports). */
  readonly evidenceBucketName: string;
  /** The stack's resource prefix: names the evidence bucket in the on-demand audit's grants. */
  readonly resourcePrefix: string;
  /** Alert delivery: the worker nudges it after a status change so the alert shows it at once. */
  readonly delivery: IFunction;
}

/**
 * The Slack bot in AWS (issue 11, decision D33): the HTTPS endpoint Slack calls, the ingress function
 * behind it (verify, authorize, record, queue, ack within 3 s), and the action worker that runs what
 * was queued, as the remediation role. The ingress can never touch a cluster or a secret value but
 * its own two; the worker can never read the signing secret.
 */
export class SlackBot extends Construct {
  readonly ingress: KubeguardFunction;
  readonly worker: KubeguardFunction;
  readonly endpoint: SlackEndpoint;
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: SlackBotProps) {
    super(scope, id);
    const tableName = props.table.tableName;

    this.ingress = new KubeguardFunction(this, 'SlackIngress', {
      name: 'slack-ingress',
      entry: SLACK_BOT_ENTRIES.slackIngress,
      description: 'kubeguard: Slack requests — verify, authorize, record, queue, ack within 3 s',
      configJson: props.configJson,
      // A full cold start (bundle import, two secrets, a claim, a record, a message) must fit in
      // Slack's 3 s: 1 GB buys the CPU share for it. The timeout lets a late request still finish
      // recording and queueing (or give its claim back) rather than be cut off half done.
      memorySize: 1024,
      timeout: Duration.seconds(10),
      // Only API Gateway invokes it, synchronously: an asynchronous retry would make no sense.
      retryAttempts: 0,
      environment: {
        KUBEGUARD_TABLE_NAME: tableName,
        SLACK_SECRET_ARN: props.botTokenSecret.secretArn,
        SLACK_SIGNING_SECRET_ARN: props.signingSecret.secretArn,
        KUBEGUARD_ACTION_QUEUE_URL: props.actionQueue.queueUrl,
      },
    });
    props.signingSecret.grantRead(this.ingress.role);
    props.botTokenSecret.grantRead(this.ingress.role);
    props.actionQueue.grantSendMessages(this.ingress.role);
    this.ingress.role.addToPolicy(
      new PolicyStatement({
        sid: 'ClaimAndRecordSlackRequests',
        actions: [...INGRESS_TABLE_ACTIONS],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': INGRESS_PARTITIONS.map((prefix) => `${prefix}*`),
          },
        },
      }),
    );

    this.endpoint = new SlackEndpoint(this, 'Endpoint', { handler: this.ingress.function });

    this.worker = new KubeguardFunction(this, 'ActionWorker', {
      name: 'action-worker',
      entry: SLACK_BOT_ENTRIES.actionWorker,
      description:
        'kubeguard: runs queued Slack requests (isolate, release, rotate, audit …) and answers in Slack',
      configJson: props.configJson,
      role: props.remediation.role,
      memorySize: 1024,
      timeout: ACTION_WORKER_TIMEOUT,
      // Evidence packs are staged in /tmp while they are built and sent (adapters/evidence/pack-store.ts):
      // a month of 50 clusters is about 50 MB gzipped, a year of them about 600 MB (docs/evidence-packs.md).
      ephemeralStorageMiB: ACTION_WORKER_EPHEMERAL_MIB,
      // The event source invokes it synchronously; failed requests return to the queue instead.
      retryAttempts: 0,
      // `/k8s digest preview` rasterizes the digest's chart as the digest function does; built
      // code-split (CODE_SPLIT_FUNCTIONS), the files go beside the chunk holding the chart code.
      files: CHART_FILES,
      environment: {
        KUBEGUARD_TABLE_NAME: tableName,
        SLACK_SECRET_ARN: props.botTokenSecret.secretArn,
        KUBEGUARD_EVIDENCE_BUCKET: props.evidenceBucketName,
        DELIVERY_FUNCTION_NAME: props.delivery.functionName,
      },
    });
    this.eventSource = new SqsEventSource(props.actionQueue, {
      batchSize: ACTION_WORKER_BATCH_SIZE,
      reportBatchItemFailures: true,
      maxConcurrency: ACTION_WORKER_MAX_CONCURRENCY,
    });
    this.worker.function.addEventSource(this.eventSource);
    props.botTokenSecret.grantRead(this.worker.role);
    this.worker.role.addToPolicy(
      new PolicyStatement({
        sid: 'UseFindingsAndAuditTrail',
        actions: [...WORKER_TABLE_ACTIONS],
        resources: [props.table.tableArn],
      }),
    );
    // `/k8s digest unsubscribe` and the Home's Unsubscribe delete a subscription item; the worker
    // deletes nothing else (subscribing is a conditional put, covered above).
    this.worker.role.addToPolicy(
      new PolicyStatement({
        sid: 'CancelDigestSubscriptions',
        actions: ['dynamodb:DeleteItem'],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [DIGEST_SUBSCRIPTIONS_PARTITION] },
        },
      }),
    );
    this.worker.role.addToPolicy(
      new PolicyStatement({
        sid: 'ListPendingDeliveries',
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${FINDINGS_TABLE.pendingIndex.name}`],
      }),
    );
    // Nudge the delivery function (asynchronous invoke), named — not `function:*`, not its versions.
    this.worker.role.addToPolicy(
      new PolicyStatement({
        sid: 'NudgeAlertDelivery',
        actions: ['lambda:InvokeFunction'],
        resources: [props.delivery.functionArn],
      }),
    );
    // `/k8s audit` runs the posture audit's collectors and reads stored reports (Show details).
    onDemandAuditPolicy(this, 'WorkerPostureAudit', {
      role: this.worker.role,
      clusters: props.config.clusters,
      resourcePrefix: props.resourcePrefix,
    });
    // `/k8s evidence` and the monthly pack: write packs under evidence-packs/ and link them.
    evidencePackPolicy(this, 'WorkerEvidencePacks', {
      role: this.worker.role,
      resourcePrefix: props.resourcePrefix,
    });
    const vpc = props.config.remediation.workerVpc;
    if (vpc !== undefined) this.runWorkerInVpc(vpc);

    this.outputs();
  }

  /**
   * Puts the worker's network interfaces in the configured subnets, behind the configured security
   * groups, and lets its role manage exactly those interfaces (what Lambda needs to attach it).
   */
  private runWorkerInVpc(vpc: { subnetIds: readonly string[]; securityGroupIds: readonly string[] }): void {
    (this.worker.function.node.defaultChild as CfnFunction).vpcConfig = {
      subnetIds: [...vpc.subnetIds],
      securityGroupIds: [...vpc.securityGroupIds],
    };
    policyFromGrants(this, 'WorkerNetworkInterfaces', this.worker.role, workerVpcGrants(vpc));
  }

  private outputs(): void {
    const outputs = [
      new CfnOutput(this, 'RequestUrl', {
        value: this.endpoint.requestUrl,
        description: 'The Slack app’s Request URL: slash commands, interactivity and event subscriptions',
      }),
      new CfnOutput(this, 'AccessLogGroupName', {
        value: this.endpoint.accessLogs.logGroupName,
        description: 'The Slack endpoint’s access logs: one JSON line per request (status, route, latency)',
      }),
      new CfnOutput(this, 'IngressFunctionName', {
        value: this.ingress.function.functionName,
        description: 'The Slack ingress function (its logs show every request verified, denied or queued)',
      }),
      new CfnOutput(this, 'WorkerFunctionName', {
        value: this.worker.function.functionName,
        description: 'The action worker function (its logs show every action run and its outcome)',
      }),
    ];
    const names = [
      SLACK_BOT_OUTPUTS.requestUrl,
      SLACK_BOT_OUTPUTS.accessLogGroupName,
      SLACK_BOT_OUTPUTS.ingressFunctionName,
      SLACK_BOT_OUTPUTS.workerFunctionName,
    ];
    // Outputs inside a construct get a path hash in their name; these are named for people to type.
    for (const [index, output] of outputs.entries()) output.overrideLogicalId(names[index] as string);
  }
}

/**
 * The EC2 calls Lambda makes with the worker's role to attach it to a VPC
 * (AWSLambdaVPCAccessExecutionRole's, without its log grants), each as narrow as EC2 allows.
 */
function workerVpcGrants(vpc: {
  subnetIds: readonly string[];
  securityGroupIds: readonly string[];
}): Grant[] {
  const ec2 = (p: typeof CFN_PSEUDO, resource: string) =>
    `arn:${p.partition}:ec2:${p.region}:${p.account}:${resource}`;
  const interfacesReason =
    'Lambda creates the worker’s network interfaces, with ids known only then, and removes them: the ' +
    'wildcard is the network interfaces of this account and region. CreateNetworkInterface also needs ' +
    'one of the configured subnets and security groups, named by id; DeleteNetworkInterface and ' +
    'Assign/UnassignPrivateIpAddresses act on existing interfaces only.';
  return [
    {
      sid: 'DescribeNetworkInterfaces',
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      resources: () => ['*'],
      wildcardReason:
        'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets support no resource-level permissions; ' +
        'Lambda calls them to attach the worker to its configured subnets. They only read.',
    },
    {
      sid: 'CreateInterfacesInConfiguredSubnets',
      actions: ['ec2:CreateNetworkInterface'],
      resources: (p) => [
        ec2(p, 'network-interface/*'),
        ...vpc.subnetIds.map((id) => ec2(p, `subnet/${id}`)),
        ...vpc.securityGroupIds.map((id) => ec2(p, `security-group/${id}`)),
      ],
      wildcardReason: interfacesReason,
    },
    {
      sid: 'ManageWorkerInterfaces',
      actions: [
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: (p) => [ec2(p, 'network-interface/*')],
      // Same wildcard ARN as CreateInterfacesInConfiguredSubnets: one acknowledgment covers both.
    },
  ];
}
