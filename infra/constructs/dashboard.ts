import { Aws, Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, type IMetric, MathExpression, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS, METRICS_NAMESPACE } from '#core/observability/metrics.ts';
import { kubeguardMetric } from './alarms.ts';
import type { KubeguardFunction } from './kubeguard-function.ts';

export interface OperationsDashboardProps {
  /** The dashboard's name: unique in the account and region. */
  readonly dashboardName: string;
  readonly functions: readonly KubeguardFunction[];
  /** The clusters whose audit-log events `audit-logs` counts (dimension `Cluster`). */
  readonly clusters: readonly string[];
  /** Dead-letter queues by the title their line gets. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
}

const PERIOD = Duration.minutes(5);
const WIDTH = 12;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard for running kubeguard: per function invocations, errors, throttles and
 * duration; alert delivery's backlog and its oldest age; detections by rule; Slack's 429s; actions
 * run and denied; audit-log events per cluster; dead-letter queue depth. Metrics with a dimension
 * whose values are open-ended (rules, actions) are CloudWatch SEARCH expressions, so a new rule or
 * action shows without redeploying.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The console link: `https://<region>.console.aws.amazon.com/cloudwatch/home?region=<region>#dashboards/dashboard/<name>`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const perFunction = (title: string, metric: (fn: KubeguardFunction) => IMetric) =>
      new GraphWidget({
        title,
        width: WIDTH,
        height: HEIGHT,
        left: props.functions.map(metric),
      });
    const label = (fn: KubeguardFunction) => ({ label: fn.name, period: PERIOD });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# kubeguard\nAlarms and their runbooks: docs/operations.md, "Alarms and runbooks". Metrics in the `Kubeguard` namespace come from the functions (dimension `service`).',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      perFunction('Invocations', (fn) => fn.function.metricInvocations({ ...label(fn), statistic: 'Sum' })),
      perFunction('Errors', (fn) => fn.function.metricErrors({ ...label(fn), statistic: 'Sum' })),
    );
    this.dashboard.addWidgets(
      perFunction('Throttles', (fn) => fn.function.metricThrottles({ ...label(fn), statistic: 'Sum' })),
      perFunction('Duration (p99)', (fn) => fn.function.metricDuration({ ...label(fn), statistic: 'p99' })),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Alert delivery: pending and oldest age',
        width: WIDTH,
        height: HEIGHT,
        left: [
          kubeguardMetric(METRICS.deliveriesPending, { functionName: 'delivery', statistic: 'Maximum' }),
        ],
        right: [
          kubeguardMetric(METRICS.oldestPendingDeliveryAge, {
            functionName: 'delivery',
            statistic: 'Maximum',
          }),
        ],
      }),
      new GraphWidget({
        title: 'Detections by rule',
        width: WIDTH,
        height: HEIGHT,
        left: [search(METRICS.detections.name, METRICS.detections.dimension, 'Detections')],
        right: [search(METRICS.findingsRecorded.name, undefined, 'Findings recorded')],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Slack 429s (rate limited)',
        width: WIDTH,
        height: HEIGHT,
        left: [search(METRICS.slackRateLimited.name, undefined, 'SlackRateLimited')],
      }),
      new GraphWidget({
        title: 'Actions run and denied',
        width: WIDTH,
        height: HEIGHT,
        left: [search(METRICS.actionsRun.name, METRICS.actionsRun.dimension, 'Run')],
        right: [search(METRICS.actionsDenied.name, METRICS.actionsDenied.dimension, 'Denied')],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Audit-log events per cluster',
        width: WIDTH,
        height: HEIGHT,
        left: props.clusters.map((cluster) =>
          kubeguardMetric(METRICS.auditLogEvents, {
            functionName: 'audit-logs',
            dimensionValue: cluster,
            statistic: 'Sum',
          }).with({ label: cluster }),
        ),
      }),
      new GraphWidget({
        title: 'Dead-letter queue depth',
        width: WIDTH,
        height: HEIGHT,
        left: Object.entries(props.deadLetterQueues).map(([title, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({
            label: title,
            period: PERIOD,
            statistic: 'Maximum',
          }),
        ),
      }),
    );
    this.url =
      `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}` +
      `#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}

/** Every series of `metric` in kubeguard's namespace, per service (and per `dimension` value). */
function search(metric: string, dimension: string | undefined, label: string): MathExpression {
  const schema = [METRICS_NAMESPACE, 'service', ...(dimension === undefined ? [] : [dimension])].join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metric}"', 'Sum', ${PERIOD.toSeconds()})`,
    label,
    period: PERIOD,
  });
}
