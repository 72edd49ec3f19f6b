import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, LogGroup, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { type IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { KubeguardConfig } from '#core/config/schema.ts';
import { FINDINGS_TABLE } from '../../adapters/aws/findings-table.ts';
import { KubeguardFunction } from '../constructs/kubeguard-function.ts';
import { evidenceBucketName, postureAuditPolicy } from '../constructs/posture-audit-access.ts';
import { RemediationAccess } from '../constructs/remediation-access.ts';

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

/** Where the handlers live; the construct bundles them with esbuild. */
export const FUNCTION_ENTRIES = Object.freeze({
  guardDutyFindings: lambdaEntry('guardduty-findings'),
  auditLogs: lambdaEntry('audit-logs'),
  deliverySweeper: lambdaEntry('delivery-sweeper'),
  postureAudit: lambdaEntry('posture-audit'),
});

/** When the daily posture audit runs (UTC): before the working day in Europe, after it in the Americas. */
export const POSTURE_AUDIT_SCHEDULE = Object.freeze({ minute: '0', hour: '6' });

export interface StatelessStackProps extends StackProps {
  readonly config: KubeguardConfig;
  /** The validated configuration file's JSON, handed to every function. */
  readonly configJson: string;
  readonly table: ITable;
  readonly slackSecret: ISecret;
  readonly deadLetterQueue: IQueue;
  /** The prefix of physical names (the evidence bucket is `<prefix>-evidence-<account>-<region>`). */
  readonly resourcePrefix: string;
  /**
   * Physical name of the GuardDuty rule; the stateful stack's dead-letter queue lets exactly the rules
   * it was given by name send to it.
   */
  readonly guardDutyRuleName: string;
}

/**
 * The functions and what triggers them. Nothing here holds data: the stack can be destroyed and
 * redeployed at will; the table, secret and dead-letter queue come in from the stateful stack.
 */
export class StatelessStack extends Stack {
  readonly guardDutyFindings: KubeguardFunction;
  readonly auditLogs: KubeguardFunction;
  readonly deliverySweeper: KubeguardFunction;
  readonly postureAudit: KubeguardFunction;
  readonly guardDutyRule: Rule;
  readonly sweepSchedule: Rule;
  readonly postureAuditSchedule: Rule;
  readonly auditLogSubscriptions: readonly SubscriptionFilter[];
  readonly remediation: RemediationAccess;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const shared = {
      configJson: props.configJson,
      onFailure: props.deadLetterQueue,
      environment: {
        KUBEGUARD_TABLE_NAME: props.table.tableName,
        SLACK_SECRET_ARN: props.slackSecret.secretArn,
      },
    };

    this.guardDutyFindings = new KubeguardFunction(this, 'GuardDutyFindings', {
      ...shared,
      name: 'guardduty-findings',
      entry: FUNCTION_ENTRIES.guardDutyFindings,
      description: 'kubeguard: turns GuardDuty EKS findings into detections and Slack alerts',
    });
    this.auditLogs = new KubeguardFunction(this, 'AuditLogs', {
      ...shared,
      name: 'audit-logs',
      entry: FUNCTION_ENTRIES.auditLogs,
      description: 'kubeguard: runs the detection rules over EKS audit-log batches',
      memorySize: 512,
      timeout: Duration.seconds(60),
    });
    this.deliverySweeper = new KubeguardFunction(this, 'DeliverySweeper', {
      ...shared,
      name: 'delivery-sweeper',
      entry: FUNCTION_ENTRIES.deliverySweeper,
      description: 'kubeguard: retries Slack deliveries left pending (rate limits, Slack outages)',
      timeout: Duration.seconds(50),
      // One sweep at a time: parallel sweeps would race for the same pending findings and Slack's limits.
      reservedConcurrentExecutions: 1,
    });
    for (const fn of [this.guardDutyFindings, this.auditLogs, this.deliverySweeper]) {
      fn.role.addToPolicy(tableItemAccess(props.table));
      props.slackSecret.grantRead(fn.role);
    }
    // Only the sweeper reads the pending-deliveries index; named, not `index/*`.
    this.deliverySweeper.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${FINDINGS_TABLE.pendingIndex.name}`],
      }),
    );

    this.postureAudit = this.postureAuditFunction(props, shared);
    this.postureAuditSchedule = new Rule(this, 'DailyPostureAudit', {
      description: 'kubeguard: every day, audit every configured cluster and post the summary to Slack',
      schedule: Schedule.cron(POSTURE_AUDIT_SCHEDULE),
      targets: [new LambdaFunction(this.postureAudit.function, { retryAttempts: 2 })],
    });

    this.guardDutyRule = this.routeGuardDutyFindings(props);
    this.auditLogSubscriptions = this.subscribeToAuditLogs(props.config);
    this.remediation = new RemediationAccess(this, 'Remediation', {
      clusters: props.config.clusters,
      resourcePrefix: props.resourcePrefix,
      rotationFunctionArns: props.config.remediation.rotationFunctionArns,
    });
    this.sweepSchedule = new Rule(this, 'SweepPendingDeliveries', {
      description: 'kubeguard: every minute, retry Slack deliveries that are pending and due',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.deliverySweeper.function, { retryAttempts: 0 })],
    });
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

  /** One subscription filter per configured cluster, each passing every event of its audit log group. */
  private subscribeToAuditLogs(config: KubeguardConfig): SubscriptionFilter[] {
    const destination = new LambdaDestination(this.auditLogs.function);
    return config.clusters.map((cluster) => {
      const id = `AuditLogs-${cluster.name}`;
      return new SubscriptionFilter(this, id, {
        logGroup: LogGroup.fromLogGroupName(this, `${id}-Group`, cluster.auditLogGroup),
        destination,
        filterPattern: FilterPattern.allEvents(),
        filterName: `kubeguard-${cluster.name}`,
      });
    });
  }
}

/** The item operations the store and the denial counter use, on the table itself (no index, no scan). */
function tableItemAccess(table: ITable): PolicyStatement {
  return new PolicyStatement({
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
    resources: [table.tableArn],
  });
}

function lambdaEntry(name: string): string {
  return fileURLToPath(new URL(`../../lambdas/${name}/handler.ts`, import.meta.url));
}
