import { fileURLToPath } from 'node:url';
import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { configuredRegions } from '#core/config/accounts.ts';
import type { ClusterConfig, KubeguardConfig } from '#core/config/schema.ts';
import { FINDINGS_TABLE, NOT_RUNNING_PARTITION } from '../../adapters/aws/findings-table.ts';
import {
  auditLogSilenceAlarms,
  nameAlarm,
  oldestPendingDeliveryAlarm,
  useAlarmPrefix,
} from '../constructs/alarms.ts';
import { OperationsDashboard } from '../constructs/dashboard.ts';
import { DIGEST_ENTRY, Digest } from '../constructs/digest.ts';
import { monthlyEvidenceRule } from '../constructs/evidence-packs.ts';
import { KubeguardFunction } from '../constructs/kubeguard-function.ts';
import { OpsNotifier } from '../constructs/ops-notifier.ts';
import { exportStackOutputs, FUNCTION_NAME_OUTPUTS, namedOutput } from '../constructs/outputs.ts';
import { evidenceBucketName, postureAuditPolicy } from '../constructs/posture-audit-access.ts';
import { RemediationAccess } from '../constructs/remediation-access.ts';
import { SLACK_BOT_ENTRIES, SlackBot } from '../constructs/slack-bot.ts';
import { homeClusters, physicalNames, snsTopicArn } from '../names.ts';

/**
 * The GuardDuty findings kubeguard handles: EKS Protection (audit-log) findings and Runtime Monitoring
 * findings on EKS both carry `resource.resourceType = "EKSCluster"`; the same Runtime finding types on
 * ECS or EC2 carry `ECSCluster`, `Instance` or `Container` and are left out.
 */
export const GUARDDUTY_EKS_EVENT_PATTERN = Object.freeze({
  source: ['aws.guardduty'],
  detailType: ['GuardDuty Finding'],
  detail: { resource: { resourceType: ['EKSCluster'] } },
});

/**
 * Amazon Inspector's findings on ECR container images (enhanced scanning): created, updated, closed
 * or suppressed, each an `Inspector2 Finding` event; findings on EC2 instances and Lambda functions
 * are left out. Regional stacks forward the same pattern to the home bus.
 */
export const INSPECTOR_ECR_EVENT_PATTERN = Object.freeze({
  source: ['aws.inspector2'],
  detailType: ['Inspector2 Finding'],
  detail: { resources: { type: ['AWS_ECR_CONTAINER_IMAGE'] } },
});

/** INSPECTOR_ECR_EVENT_PATTERN as a CDK EventPattern (fresh arrays: CDK wants them mutable). */
export function inspectorEcrEventPattern() {
  return {
    source: [...INSPECTOR_ECR_EVENT_PATTERN.source],
    detailType: [...INSPECTOR_ECR_EVENT_PATTERN.detailType],
    detail: { resources: { type: [...INSPECTOR_ECR_EVENT_PATTERN.detail.resources.type] } },
  };
}

/** Where the handlers live; the construct bundles them with esbuild. */
export const FUNCTION_ENTRIES = Object.freeze({
  guardDutyFindings: lambdaEntry('guardduty-findings'),
  auditLogs: lambdaEntry('audit-logs'),
  delivery: lambdaEntry('delivery'),
  postureAudit: lambdaEntry('posture-audit'),
  imageFindings: lambdaEntry('image-findings'),
  slackIngress: SLACK_BOT_ENTRIES.slackIngress,
  actionWorker: SLACK_BOT_ENTRIES.actionWorker,
  digest: DIGEST_ENTRY,
});

/** When the daily posture audit runs (UTC): before the working day in Europe, after it in the Americas. */
export const POSTURE_AUDIT_SCHEDULE = Object.freeze({ minute: '0', hour: '6' });

export interface StatelessStackProps extends StackProps {
  readonly config: KubeguardConfig;
  /** The validated configuration file's JSON, handed to every function. */
  readonly configJson: string;
  readonly table: ITable;
  readonly slackSecret: ISecret;
  /** The Slack signing secret, for the ingress function alone. */
  readonly slackSigningSecret: ISecret;
  /** Where the Slack ingress queues requests for the action worker. */
  readonly actionQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** The prefix of physical names (the evidence bucket is `<prefix>-evidence-<account>-<region>`). */
  readonly resourcePrefix: string;
  /**
   * Physical name of the GuardDuty rule; the stateful stack's dead-letter queue lets exactly the rules
   * it was given by name send to it.
   */
  readonly guardDutyRuleName: string;
  /** Physical name of the Inspector ECR findings rule, allowed to the dead-letter queue the same way. */
  readonly inspectorRuleName: string;
  /**
   * The topic every alarm notifies (the stateful stack's); with `slack.opsChannel` configured, the
   * ops notifier subscribes to it. @default no ops notifier
   */
  readonly alarmTopic?: ITopic;
  /** The action queue's dead-letter queue, for the dashboard. @default not shown */
  readonly actionDeadLetterQueue?: IQueue;
}

/**
 * The functions and what triggers them. Nothing here holds data: the stack can be destroyed and
 * redeployed at will; the table, secret and dead-letter queue come in from the stateful stack.
 */
export class StatelessStack extends Stack {
  readonly guardDutyFindings: KubeguardFunction;
  readonly auditLogs: KubeguardFunction;
  readonly delivery: KubeguardFunction;
  readonly postureAudit: KubeguardFunction;
  /** Inspector ECR findings → running pods → image alerts; runs as the posture audit's role (D63). */
  readonly imageFindings: KubeguardFunction;
  readonly guardDutyRule: Rule;
  readonly inspectorRule: Rule;
  readonly deliverySchedule: Rule;
  readonly postureAuditSchedule: Rule;
  /** The monthly evidence pack (`evidence.schedule`); undefined when it is off. */
  readonly evidenceSchedule: Rule | undefined;
  readonly auditLogSubscriptions: readonly SubscriptionFilter[];
  readonly remediation: RemediationAccess;
  /** The Slack endpoint, ingress function and action worker (the worker runs as `remediation.role`). */
  readonly slackBot: SlackBot;
  /** The digest function and its schedule. */
  readonly digest: Digest;
  /** Posts alarm state changes to `slack.opsChannel`; undefined when none is configured. */
  readonly opsNotifier: OpsNotifier | undefined;
  /** An alert has waited more than 5 minutes for Slack, or delivery reported nothing for 5 minutes. */
  readonly oldestPendingDeliveryAlarm: Alarm;
  /** One per home-region cluster of this account: no audit-log event for 30 minutes. */
  readonly auditLogSilenceAlarms: readonly Alarm[];
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    useAlarmPrefix(this, props.resourcePrefix);
    const shared = {
      configJson: props.configJson,
      onFailure: props.deadLetterQueue,
      environment: {
        KUBEGUARD_TABLE_NAME: props.table.tableName,
        SLACK_SECRET_ARN: props.slackSecret.secretArn,
      },
    };

    this.delivery = this.deliveryFunction(props, shared);
    // Ingest records and nudges delivery; it never talks to Slack, so it never sees the Slack secret.
    const ingest = {
      configJson: props.configJson,
      onFailure: props.deadLetterQueue,
      environment: {
        KUBEGUARD_TABLE_NAME: props.table.tableName,
        DELIVERY_FUNCTION_NAME: this.delivery.function.functionName,
      },
    };
    this.guardDutyFindings = new KubeguardFunction(this, 'GuardDutyFindings', {
      ...ingest,
      name: 'guardduty-findings',
      entry: FUNCTION_ENTRIES.guardDutyFindings,
      description: 'kubeguard: records GuardDuty EKS findings for alert delivery',
      // One finding, a few conditional writes: no Slack call waits inside it any more.
      timeout: Duration.seconds(15),
    });
    this.auditLogs = new KubeguardFunction(this, 'AuditLogs', {
      ...ingest,
      name: 'audit-logs',
      entry: FUNCTION_ENTRIES.auditLogs,
      description: 'kubeguard: runs the detection rules over EKS audit-log batches and records the findings',
      memorySize: 512,
      timeout: Duration.seconds(60),
    });
    for (const fn of [this.guardDutyFindings, this.auditLogs]) {
      fn.role.addToPolicy(tableItemAccess(props.table));
      // Nudge the delivery function (asynchronous invoke), named — not `function:*`, not its versions.
      fn.role.addToPolicy(
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.delivery.function.functionArn],
        }),
      );
    }

    this.postureAudit = this.postureAuditFunction(props, shared);
    this.postureAuditSchedule = new Rule(this, 'DailyPostureAudit', {
      description: 'kubeguard: every day, audit every configured cluster and post the summary to Slack',
      schedule: Schedule.cron(POSTURE_AUDIT_SCHEDULE),
      targets: [new LambdaFunction(this.postureAudit.function, { retryAttempts: 2 })],
    });

    this.imageFindings = this.imageFindingsFunction(props, ingest);
    this.guardDutyRule = this.routeGuardDutyFindings(props);
    this.inspectorRule = this.routeInspectorFindings(props);
    this.auditLogSubscriptions = this.subscribeToAuditLogs(props.config);
    this.remediation = new RemediationAccess(this, 'Remediation', {
      clusters: props.config.clusters,
      resourcePrefix: props.resourcePrefix,
      rotationFunctionArns: props.config.remediation.rotationFunctionArns,
    });
    this.slackBot = new SlackBot(this, 'SlackBot', {
      config: props.config,
      configJson: props.configJson,
      table: props.table,
      botTokenSecret: props.slackSecret,
      signingSecret: props.slackSigningSecret,
      actionQueue: props.actionQueue,
      remediation: this.remediation,
      evidenceBucketName: evidenceBucketName(props.resourcePrefix),
      resourcePrefix: props.resourcePrefix,
      delivery: this.delivery.function,
    });
    this.evidenceSchedule = props.config.evidence.schedule
      ? monthlyEvidenceRule(this, 'MonthlyEvidencePack', this.slackBot.worker.function)
      : undefined;
    this.digest = new Digest(this, 'Digest', {
      configJson: props.configJson,
      table: props.table,
      slackSecret: props.slackSecret,
    });
    this.deliverySchedule = new Rule(this, 'DeliverAlerts', {
      description: 'kubeguard: every minute, deliver the Slack alerts that are pending and due',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.delivery.function, { retryAttempts: 0 })],
    });
    this.opsNotifier =
      props.config.slack.opsChannel === undefined || props.alarmTopic === undefined
        ? undefined
        : new OpsNotifier(this, 'OpsNotifier', {
            configJson: props.configJson,
            topic: props.alarmTopic,
            slackSecret: props.slackSecret,
            functionName: physicalNames(props.resourcePrefix).alarmNotifierFunction,
            regionalTopicArns: configuredRegions(props.config)
              .filter((region) => region !== this.region)
              .map((region) =>
                snsTopicArn(
                  Aws.PARTITION,
                  region,
                  Aws.ACCOUNT_ID,
                  physicalNames(props.resourcePrefix).regionalAlarmTopic,
                ),
              ),
          });
    nameAlarm(this.slackBot.endpoint.serverErrorsAlarm, 'slackEndpointErrors');
    this.oldestPendingDeliveryAlarm = oldestPendingDeliveryAlarm(this, 'OldestPendingDeliveryAlarm');
    // The clusters whose audit logs reach this region's audit-logs function (the home account's by
    // subscription, member accounts' through the cross-account destination); other regions' stacks watch theirs.
    const clusters = props.config.clusters.filter((cluster) => cluster.region === this.region);
    this.auditLogSilenceAlarms = auditLogSilenceAlarms(this, clusters);
    this.dashboard = new OperationsDashboard(this, 'Operations', {
      dashboardName: props.resourcePrefix,
      functions: this.functions,
      clusters: clusters.map((cluster) => cluster.name),
      deadLetterQueues: {
        'dead-letter queue': props.deadLetterQueue,
        ...(props.actionDeadLetterQueue === undefined
          ? {}
          : { 'action dead-letter queue': props.actionDeadLetterQueue }),
      },
    });
    this.outputs(props.resourcePrefix);
  }

  /** Every function of the stack, the ops notifier included when there is one. */
  get functions(): KubeguardFunction[] {
    return [
      this.guardDutyFindings,
      this.auditLogs,
      this.delivery,
      this.postureAudit,
      this.imageFindings,
      this.slackBot.ingress,
      this.slackBot.worker,
      this.digest.function,
      ...(this.opsNotifier === undefined ? [] : [this.opsNotifier.function]),
    ];
  }

  /**
   * Every function's name and the dashboard's link, beside the outputs the constructs make (the
   * Slack request URL, the remediation role), all under stable names exported as `<prefix>-<name>`.
   */
  private outputs(prefix: string): void {
    for (const fn of this.functions) {
      // The bot's construct makes the outputs of its two functions, under the same names.
      if (fn === this.slackBot.ingress || fn === this.slackBot.worker) continue;
      namedOutput(this, FUNCTION_NAME_OUTPUTS[fn.name as keyof typeof FUNCTION_NAME_OUTPUTS], {
        value: fn.function.functionName,
        description: `The ${fn.name} function’s name (docs/operations.md)`,
      });
    }
    namedOutput(this, 'DashboardUrl', {
      value: this.dashboard.url,
      description:
        'kubeguard’s CloudWatch dashboard: functions, delivery backlog, detections, Slack 429s, actions',
    });
    exportStackOutputs(this, prefix);
  }

  /**
   * Alert delivery from the outbox (the table's pending index) to Slack. Reserved concurrency 1:
   * one instance at a time, so its channel pacer holds Slack's ~1 message/s per channel across every
   * invocation, and nudges that arrive during a run wait in Lambda's queue (at most a minute: the
   * schedule runs it anyway). Its events carry nothing to keep, so there is no dead-letter queue.
   */
  private deliveryFunction(
    props: StatelessStackProps,
    shared: { configJson: string; environment: Record<string, string> },
  ): KubeguardFunction {
    const delivery = new KubeguardFunction(this, 'Delivery', {
      configJson: shared.configJson,
      environment: shared.environment,
      name: 'delivery',
      entry: FUNCTION_ENTRIES.delivery,
      // Regional stacks nudge it by ARN (infra/names.ts).
      functionName: physicalNames(props.resourcePrefix).deliveryFunction,
      description: 'kubeguard: delivers pending Slack alerts, most severe first, paced per channel',
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: 1,
      retryAttempts: 0,
      maxEventAge: Duration.seconds(60),
      throttlesExpected:
        'Reserved concurrency 1 is how delivery queues: a nudge or the schedule that arrives during a run ' +
        'is throttled and waits in Lambda’s queue. A backlog shows as the oldest-pending-delivery alarm.',
    });
    // Read and write findings (get, conditional put); list the outbox by its index, named.
    delivery.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [props.table.tableArn],
      }),
    );
    delivery.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${FINDINGS_TABLE.pendingIndex.name}`],
      }),
    );
    props.slackSecret.grantRead(delivery.role);
    return delivery;
  }

  /**
   * The posture audit: 5 minutes and 1 GB for large clusters (10,000 pods audit in under a second;
   * collection takes the rest), audited one cluster after the other. Lambda does not retry it: a run
   * that fails for one cluster has posted the others, and a retry would post them again — the failure
   * raises the errors alarm and the event waits in the dead-letter queue instead.
   */
  private postureAuditFunction(
    props: StatelessStackProps,
    shared: { configJson: string; onFailure: IQueue; environment: Record<string, string> },
  ): KubeguardFunction {
    const audit = new KubeguardFunction(this, 'PostureAudit', {
      ...shared,
      name: 'posture-audit',
      entry: FUNCTION_ENTRIES.postureAudit,
      // Member accounts' roles trust it by name (infra/stacks/member-account-stack.ts).
      roleName: physicalNames(props.resourcePrefix).postureAuditRole,
      description:
        'kubeguard: daily posture audit of every cluster, with history, evidence exports and a Slack summary',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      retryAttempts: 0,
      reservedConcurrentExecutions: 1,
      environment: {
        ...shared.environment,
        KUBEGUARD_EVIDENCE_BUCKET: evidenceBucketName(props.resourcePrefix),
      },
    });
    // History entries: one conditional PutItem per audit, a Query for the latest ones.
    audit.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:Query'],
        resources: [props.table.tableArn],
      }),
    );
    props.slackSecret.grantRead(audit.role);
    postureAuditPolicy(this, 'PostureAuditReads', {
      role: audit.role,
      clusters: props.config.clusters,
      resourcePrefix: props.resourcePrefix,
    });
    new CfnOutput(this, 'PostureAuditRoleArn', {
      value: audit.role.roleArn,
      description: 'Give this role read access inside each cluster (EKS access entry, docs/deploy.md)',
    });
    return audit;
  }

  /**
   * The image-findings function (D63): it reads what the posture audit reads — Inspector's findings
   * and the clusters' pods, in member accounts through their role — so it runs as the posture audit's
   * role, which member roles and EKS access entries trust by name, rather than as a third role every
   * member account would have to trust. It adds what ingest does: the finding recorder's item
   * operations, nudging delivery, and deleting its own not-running items (their partition only).
   * One event lists every cluster's pods (cached a minute), hence 60 s and 512 MB.
   */
  private imageFindingsFunction(
    props: StatelessStackProps,
    ingest: { configJson: string; onFailure: IQueue; environment: Record<string, string> },
  ): KubeguardFunction {
    const fn = new KubeguardFunction(this, 'ImageFindings', {
      ...ingest,
      name: 'image-findings',
      entry: FUNCTION_ENTRIES.imageFindings,
      functionName: physicalNames(props.resourcePrefix).imageFindingsFunction,
      role: this.postureAudit.role,
      description:
        'kubeguard: matches Inspector ECR image findings to the pods running them and records image alerts',
      memorySize: 512,
      timeout: Duration.seconds(60),
    });
    fn.role.addToPolicy(tableItemAccess(props.table));
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:DeleteItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [NOT_RUNNING_PARTITION] } },
      }),
    );
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.delivery.function.functionArn],
      }),
    );
    return fn;
  }

  private routeInspectorFindings(props: StatelessStackProps): Rule {
    // Imported by ARN for the reason routeGuardDutyFindings gives; the stateful stack grants the rule by name.
    const deadLetters = Queue.fromQueueArn(this, 'InspectorEventDeadLetters', props.deadLetterQueue.queueArn);
    return new Rule(this, 'InspectorEcrFindings', {
      ruleName: props.inspectorRuleName,
      description: 'kubeguard: Amazon Inspector findings on ECR container images (created, updated, closed)',
      eventPattern: inspectorEcrEventPattern(),
      targets: [
        new LambdaFunction(this.imageFindings.function, {
          deadLetterQueue: deadLetters,
          retryAttempts: 24,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }

  private routeGuardDutyFindings(props: StatelessStackProps): Rule {
    // The queue is imported by ARN so that the events target does not add a policy naming this rule to
    // the stateful stack's queue (a reference back from stateful to stateless, i.e. a cycle); the
    // stateful stack grants the rule by name instead.
    const deadLetters = Queue.fromQueueArn(this, 'EventDeadLetters', props.deadLetterQueue.queueArn);
    return new Rule(this, 'GuardDutyEksFindings', {
      ruleName: props.guardDutyRuleName,
      description: 'kubeguard: GuardDuty findings about EKS clusters (audit-log and runtime)',
      eventPattern: {
        source: [...GUARDDUTY_EKS_EVENT_PATTERN.source],
        detailType: [...GUARDDUTY_EKS_EVENT_PATTERN.detailType],
        detail: { resource: { resourceType: [...GUARDDUTY_EKS_EVENT_PATTERN.detail.resource.resourceType] } },
      },
      targets: [
        new LambdaFunction(this.guardDutyFindings.function, {
          deadLetterQueue: deadLetters,
          retryAttempts: 24,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }

  /** The home account's clusters of this region; the others are subscribed by their own stacks (kubeguard-app.ts). */
  private subscribeToAuditLogs(config: KubeguardConfig): SubscriptionFilter[] {
    return subscribeAuditLogGroups(this, homeClusters(config, this.region), this.auditLogs.function);
  }
}

/**
 * One subscription filter per cluster, each passing every event of its audit log group to the
 * audit-logs function of the stack (the home stack's or a regional stack's) in the same region.
 */
export function subscribeAuditLogGroups(
  scope: Construct,
  clusters: readonly ClusterConfig[],
  auditLogs: IFunction,
): SubscriptionFilter[] {
  const destination = new LambdaDestination(auditLogs);
  return clusters.map((cluster) => {
    const id = `AuditLogs-${cluster.name}`;
    return new SubscriptionFilter(scope, id, {
      logGroup: LogGroup.fromLogGroupName(scope, `${id}-Group`, cluster.auditLogGroup),
      destination,
      filterPattern: FilterPattern.allEvents(),
      filterName: `kubeguard-${cluster.name}`,
    });
  });
}

/** The item operations the store and the denial counter use, on the table itself (no index, no scan). */
export function tableItemAccess(table: ITable): PolicyStatement {
  return new PolicyStatement({
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
    resources: [table.tableArn],
  });
}

function lambdaEntry(name: string): string {
  return fileURLToPath(new URL(`../../lambdas/${name}/handler.ts`, import.meta.url));
}
