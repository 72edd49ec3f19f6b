import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/** The period every "it happened" alarm looks at. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * An alarm that fires as soon as `metric` reaches 1 in a period (an error, a 5xx, a message in a
 * dead-letter queue) and stays quiet without data: kubeguard wants to hear of the first one.
 */
export function anyOccurrenceAlarm(
  scope: Construct,
  id: string,
  props: { description: string; metric: IMetric },
): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: props.description,
    metric: props.metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
