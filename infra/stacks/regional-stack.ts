import { Aspects, Aws, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { Subscription, SubscriptionProtocol } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { KubeguardConfig } from '#core/config/schema.ts';
import { AlarmTopic, NotifyAlarmTopic } from '../constructs/alarm-topic.ts';
import {
  ALARM_PERIOD,
  anyOccurrenceAlarm,
  auditLogSilenceAlarms,
  kubeguardAlarmName,
  useAlarmPrefix,
} from '../constructs/alarms.ts';
import { CrossAccountAuditLogs } from '../constructs/cross-account-audit-logs.ts';
import { deadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { KubeguardFunction } from '../constructs/kubeguard-function.ts';
import { exportStackOutputs, namedOutput } from '../constructs/outputs.ts';
import { REMEDIATION_KUBERNETES_GROUP, remediationAccessEntries } from '../constructs/remediation-access.ts';
import {
  defaultEventBusArn,
  dynamoTableArn,
  homeClusters,
  iamRoleArn,
  lambdaFunctionArn,
  memberAccountsIn,
  physicalNames,
} from '../names.ts';
import {
  FUNCTION_ENTRIES,
  GUARDDUTY_EKS_EVENT_PATTERN,
  inspectorEcrEventPattern,
  subscribeAuditLogGroups,
  tableItemAccess,
} from './stateless-stack.ts';

export interface RegionalStackProps extends StackProps {
  readonly config: KubeguardConfig;
  /** The validated configuration file's JSON, handed to the function. */
  readonly configJson: string;
  /** The prefix of the home deployment's physical names (infra/names.ts). */
  readonly resourcePrefix: string;
}

/**
 * What a region other than the home region needs (decision D57), deployed to the home account:
 * GuardDuty's EKS findings and Inspector's ECR image findings of the region forwarded to the home
 * region's default bus, where the home rules take them; an audit-logs function that runs the detection rules next to the
 * region's audit logs and writes findings to the home table; the subscriptions of the home account's
 * clusters of the region, and, when member accounts have clusters here, the cross-account
 * destination they subscribe to. The home stacks' resources are named, not referenced (infra/names.ts).
 */
export class RegionalStack extends Stack {
  readonly forwardRule: Rule;
  /** Inspector's ECR image findings of the region, forwarded to the home bus like GuardDuty's. */
  readonly forwardInspectorRule: Rule;
  readonly auditLogs: KubeguardFunction;
  readonly deadLetterQueue: Queue;
  readonly auditLogSubscriptions: readonly SubscriptionFilter[];
  readonly crossAccountAuditLogs: CrossAccountAuditLogs | undefined;
  readonly alarmTopic: AlarmTopic;
  readonly auditLogSilenceAlarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: RegionalStackProps) {
    super(scope, id, props);
    const { config, resourcePrefix } = props;
    // Before any alarm is made: alarms are named `<prefix>/<kind>/…` for their runbook (alarms.ts).
    useAlarmPrefix(this, resourcePrefix);
    const names = physicalNames(resourcePrefix);
    const home = { region: config.home.region, account: config.home.account ?? Aws.ACCOUNT_ID };

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'This queue is itself the dead-letter queue of the region’s forwarding rule and audit-logs function; ' +
        'its messages are inspected and redriven by hand (docs/operations.md).',
    );

    this.forwardRule = new Rule(this, 'ForwardGuardDutyEksFindings', {
      ruleName: `${resourcePrefix}-guardduty-eks-findings-to-${home.region}`,
      description: `kubeguard: GuardDuty findings about EKS clusters, forwarded to ${home.region}`,
      eventPattern: {
        source: [...GUARDDUTY_EKS_EVENT_PATTERN.source],
        detailType: [...GUARDDUTY_EKS_EVENT_PATTERN.detailType],
        detail: { resource: { resourceType: [...GUARDDUTY_EKS_EVENT_PATTERN.detail.resource.resourceType] } },
      },
      // The target gets a role of its own allowed events:PutEvents on the home bus alone.
      targets: [
        new EventBusTarget(
          EventBus.fromEventBusArn(
            this,
            'HomeBus',
            defaultEventBusArn(Aws.PARTITION, home.region, home.account),
          ),
          { deadLetterQueue: this.deadLetterQueue },
        ),
      ],
    });

    this.forwardInspectorRule = new Rule(this, 'ForwardInspectorEcrFindings', {
      ruleName: `${resourcePrefix}-inspector-ecr-findings-to-${home.region}`,
      description: `kubeguard: Amazon Inspector findings on ECR images, forwarded to ${home.region}`,
      eventPattern: inspectorEcrEventPattern(),
      targets: [
        new EventBusTarget(
          EventBus.fromEventBusArn(
            this,
            'HomeBusForInspector',
            defaultEventBusArn(Aws.PARTITION, home.region, home.account),
          ),
          { deadLetterQueue: this.deadLetterQueue },
        ),
      ],
    });

    const tableArn = dynamoTableArn(Aws.PARTITION, home.region, home.account, names.findingsTable);
    const deliveryArn = lambdaFunctionArn(Aws.PARTITION, home.region, home.account, names.deliveryFunction);
    this.auditLogs = new KubeguardFunction(this, 'AuditLogs', {
      name: 'audit-logs',
      entry: FUNCTION_ENTRIES.auditLogs,
      description: `kubeguard: runs the detection rules over this region's EKS audit logs, records findings in ${home.region}`,
      configJson: props.configJson,
      onFailure: this.deadLetterQueue,
      memorySize: 512,
      timeout: Duration.seconds(60),
      environment: {
        KUBEGUARD_TABLE_NAME: names.findingsTable,
        KUBEGUARD_TABLE_REGION: home.region,
        DELIVERY_FUNCTION_NAME: deliveryArn,
      },
    });
    this.auditLogs.role.addToPolicy(tableItemAccess(Table.fromTableArn(this, 'HomeTable', tableArn)));
    this.auditLogs.role.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [deliveryArn] }),
    );

    const clusters = homeClusters(config, this.region);
    this.auditLogSubscriptions = subscribeAuditLogGroups(this, clusters, this.auditLogs.function);
    // The action worker acts on the home account's clusters of this region with its own role.
    remediationAccessEntries(
      this,
      clusters,
      iamRoleArn(Aws.PARTITION, home.account, names.actionWorkerRole),
      [REMEDIATION_KUBERNETES_GROUP],
    );

    const members = memberAccountsIn(config, this.region);
    this.crossAccountAuditLogs =
      members.length === 0
        ? undefined
        : new CrossAccountAuditLogs(this, 'CrossAccountAuditLogs', {
            memberAccounts: members,
            destinationName: names.auditLogsDestination,
            auditLogs: this.auditLogs.function,
            deadLetterQueue: this.deadLetterQueue,
          });

    // CloudWatch alarms notify a topic of their own region: the home topic cannot be an alarm action here.
    this.alarmTopic = new AlarmTopic(this, 'Alarms', { topicName: names.regionalAlarmTopic });
    // The clusters whose audit logs this region's function ingests (home-account ones by subscription,
    // member accounts' through the destination): silence from one for 30 minutes is an alarm here.
    this.auditLogSilenceAlarms = auditLogSilenceAlarms(
      this,
      config.clusters.filter((cluster) => cluster.region === this.region),
    );
    // With an ops channel, the home region's notifier posts this region's alarms too.
    if (config.slack.opsChannel !== undefined) {
      new Subscription(this, 'OpsNotifierSubscription', {
        topic: this.alarmTopic.topic,
        protocol: SubscriptionProtocol.LAMBDA,
        endpoint: lambdaFunctionArn(Aws.PARTITION, home.region, home.account, names.alarmNotifierFunction),
      });
    }
    anyOccurrenceAlarm(this, 'DeadLettersAlarm', {
      alarmName: kubeguardAlarmName(this, 'deadLetters'),
      description: `kubeguard ${this.region}: events or invocations failed for good and wait in the region's dead-letter queue (docs/operations.md)`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
    });
    Aspects.of(this).add(new NotifyAlarmTopic(this.alarmTopic.topic));
    namedOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topic.topicArn,
      description: 'The topic this region’s kubeguard alarms notify: subscribe e-mail or a pager to it',
    });
    exportStackOutputs(this, resourcePrefix);
  }
}
