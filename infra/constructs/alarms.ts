import { Duration, type Stack } from 'aws-cdk-lib';
import {
  Alarm,
  type CfnAlarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { type AlarmKindName, alarmName } from '#core/observability/alarms.ts';
import { METRICS, METRICS_NAMESPACE, serviceName } from '#core/observability/metrics.ts';

/** The period every "it happened" alarm looks at. */
export const ALARM_PERIOD = Duration.minutes(5);

/** An alert waiting longer than this for Slack raises the oldest-pending-delivery alarm. */
export const OLDEST_PENDING_DELIVERY_THRESHOLD = Duration.minutes(5);

/** A configured cluster without a single audit-log event for this long raises its silence alarm. */
export const AUDIT_LOG_SILENCE = Duration.minutes(30);

/** Context key holding the prefix of alarm names; each kubeguard stack sets it (`useAlarmPrefix`). */
export const ALARM_PREFIX_CONTEXT = 'kubeguard:alarmPrefix';
const DEFAULT_ALARM_PREFIX = 'Kubeguard';

/**
 * Names the alarms made under `stack` `<prefix>/…` (core/observability/alarms.ts). Call it first in
 * the stack's constructor: context can only be set before the stack has children.
 */
export function useAlarmPrefix(stack: Stack, prefix: string): void {
  stack.node.setContext(ALARM_PREFIX_CONTEXT, prefix);
}

/** The physical name of an alarm of `kind` made in `scope`. */
export function kubeguardAlarmName(scope: Construct, kind: AlarmKindName, subject?: string): string {
  const prefix = scope.node.tryGetContext(ALARM_PREFIX_CONTEXT) as string | undefined;
  return alarmName(prefix ?? DEFAULT_ALARM_PREFIX, kind, subject);
}

/** Gives an alarm made elsewhere (a construct's own) its kubeguard name. */
export function nameAlarm(alarm: Alarm, kind: AlarmKindName, subject?: string): void {
  (alarm.node.defaultChild as CfnAlarm).alarmName = kubeguardAlarmName(alarm, kind, subject);
}

/**
 * An alarm that fires as soon as `metric` reaches 1 in a period (an error, a 5xx, a message in a
 * dead-letter queue) and stays quiet without data: kubeguard wants to hear of the first one.
 */
export function anyOccurrenceAlarm(
  scope: Construct,
  id: string,
  props: { description: string; metric: IMetric; alarmName?: string },
): Alarm {
  return new Alarm(scope, id, {
    ...(props.alarmName === undefined ? {} : { alarmName: props.alarmName }),
    alarmDescription: props.description,
    metric: props.metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/**
 * One of kubeguard's own metrics (core/observability/metrics.ts) as a function publishes it: its
 * namespace, `service` = `kubeguard-<function>`, and the metric's own dimension when given.
 */
export function kubeguardMetric(
  metric: (typeof METRICS)[keyof typeof METRICS],
  props: { functionName: string; dimensionValue?: string; statistic: string; period?: Duration },
): Metric {
  const dimension = 'dimension' in metric ? metric.dimension : undefined;
  if ((dimension === undefined) !== (props.dimensionValue === undefined)) {
    throw new Error(
      `metric ${metric.name} has ${dimension === undefined ? 'no dimension' : `the dimension ${dimension}`}; ` +
        `pass dimensionValue ${dimension === undefined ? 'only for metrics with a dimension' : `for ${dimension}`}`,
    );
  }
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: metric.name,
    dimensionsMap: {
      service: serviceName(props.functionName),
      ...(dimension === undefined || props.dimensionValue === undefined
        ? {}
        : { [dimension]: props.dimensionValue }),
    },
    statistic: props.statistic,
    period: props.period ?? ALARM_PERIOD,
  });
}

/** The function failed at least once in 5 minutes. */
export function functionErrorsAlarm(scope: Construct, id: string, fn: IFunction, name: string): Alarm {
  return anyOccurrenceAlarm(scope, id, {
    alarmName: kubeguardAlarmName(scope, 'functionErrors', name),
    description: `kubeguard ${name}: the function failed at least once in 5 minutes (runbook: docs/operations.md#function-errors)`,
    metric: fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
  });
}

/**
 * Lambda refused to run the function at least once in 5 minutes: reserved or account concurrency
 * is exhausted, so events wait (asynchronous), requests fail (the Slack endpoint) or are retried.
 */
export function functionThrottlesAlarm(scope: Construct, id: string, fn: IFunction, name: string): Alarm {
  return anyOccurrenceAlarm(scope, id, {
    alarmName: kubeguardAlarmName(scope, 'functionThrottles', name),
    description: `kubeguard ${name}: Lambda throttled the function at least once in 5 minutes (runbook: docs/operations.md#function-throttles)`,
    metric: fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }),
  });
}

/**
 * The oldest alert waiting for Slack is older than 5 minutes — or the delivery function published
 * no age for 5 minutes. It runs every minute and publishes the age on every run (0 when nothing
 * waits), so missing data means delivery did not run or did not finish: alerts are not going out,
 * which is what this alarm is for, so missing data breaches.
 */
export function oldestPendingDeliveryAlarm(scope: Construct, id: string): Alarm {
  return new Alarm(scope, id, {
    alarmName: kubeguardAlarmName(scope, 'oldestPendingDelivery'),
    alarmDescription:
      'kubeguard: an alert has waited more than 5 minutes for Slack, or alert delivery reported nothing for 5 minutes (runbook: docs/operations.md#oldest-pending-delivery)',
    metric: kubeguardMetric(METRICS.oldestPendingDeliveryAge, {
      functionName: 'delivery',
      statistic: 'Maximum',
    }),
    threshold: OLDEST_PENDING_DELIVERY_THRESHOLD.toSeconds(),
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.BREACHING,
  });
}

/**
 * No audit-log event from `cluster` in any of the last six 5-minute periods. An EKS API server logs
 * its controllers' and kubelets' calls every few seconds, so silence means audit logging was turned
 * off, the subscription filter is gone, or the audit-logs function is failing: missing data is the
 * very thing watched, and breaches.
 */
export function auditLogSilenceAlarm(
  scope: Construct,
  id: string,
  cluster: string,
  /** The function that receives the cluster's audit log and publishes the count. @default 'audit-logs' */
  functionName = 'audit-logs',
): Alarm {
  const periods = AUDIT_LOG_SILENCE.toMinutes() / ALARM_PERIOD.toMinutes();
  return new Alarm(scope, id, {
    alarmName: kubeguardAlarmName(scope, 'auditLogSilence', cluster),
    alarmDescription: `kubeguard: no audit-log event from the cluster ${cluster} for ${AUDIT_LOG_SILENCE.toMinutes()} minutes (runbook: docs/operations.md#audit-log-silence)`,
    metric: kubeguardMetric(METRICS.auditLogEvents, {
      functionName,
      dimensionValue: cluster,
      statistic: 'Sum',
    }),
    threshold: 1,
    evaluationPeriods: periods,
    datapointsToAlarm: periods,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.BREACHING,
  });
}

/** One silence alarm per cluster, with ids `AuditLogSilence-<cluster>`. */
export function auditLogSilenceAlarms(
  scope: Construct,
  clusters: readonly { readonly name: string }[],
  functionName?: string,
): Alarm[] {
  return clusters.map((cluster) =>
    auditLogSilenceAlarm(scope, `AuditLogSilence-${cluster.name}`, cluster.name, functionName),
  );
}
