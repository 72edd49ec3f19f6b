import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARM_PERIOD, anyOccurrenceAlarm } from './alarms.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

/**
 * The action worker's timeout: Lambda's maximum. Its longest action, rotate-secret, waits up to 5
 * minutes for the rotation, 60 s for External Secrets Operator and `remediation.rolloutWaitSeconds`
 * (180 s by default) for the restarted workloads, then updates Slack (docs/configuration.md).
 */
export const ACTION_WORKER_TIMEOUT = Duration.minutes(15);

/**
 * How long a message the worker received stays invisible: the worker's timeout and a minute, so a
 * request is never handed to a second worker while the first still runs it (Lambda refuses an event
 * source whose queue's visibility timeout is shorter than the function's timeout). A request the
 * worker reported as failed comes back after this long.
 */
export const ACTION_QUEUE_VISIBILITY_TIMEOUT = ACTION_WORKER_TIMEOUT.plus(Duration.minutes(1));

/**
 * Receives before a request moves to the dead-letter queue: the first run and two retries. The worker
 * asks for a retry only after a transient failure, and on this last attempt answers the person
 * instead (core/chatops/worker.ts ACTION_MAX_ATTEMPTS, the same number).
 */
export const ACTION_MAX_RECEIVE_COUNT = 3;

/** A request older than this in the queue means the worker is not keeping up or not running. */
export const ACTION_OLDEST_MESSAGE_ALARM_AGE = Duration.minutes(20);

/**
 * The queue between the Slack ingress and the action worker, and its dead-letter queue. Both are
 * encrypted with SQS-managed keys (no KMS grant to manage), refuse requests without TLS, and are
 * retained: a request someone asked for in Slack is never dropped by a deployment.
 */
export class SlackActionQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Any request in the dead-letter queue: the worker gave up on it (docs/operations.md). */
  readonly deadLetterAlarm: Alarm;
  /** The oldest request has waited longer than `ACTION_OLDEST_MESSAGE_ALARM_AGE`. */
  readonly oldestMessageAlarm: Alarm;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'This is the action queue’s dead-letter queue: it holds Slack requests the worker failed three ' +
        'times, for 14 days, to be inspected and redriven by hand (docs/operations.md).',
    );

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: ACTION_QUEUE_VISIBILITY_TIMEOUT,
      // SQS's default, stated: far beyond the oldest-request alarm, so a worker that cannot run
      // raises the alarm long before a request could expire unseen.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: ACTION_MAX_RECEIVE_COUNT },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetterAlarm = anyOccurrenceAlarm(this, 'DeadLettersAlarm', {
      description:
        'kubeguard: a Slack request failed three times and waits in the action dead-letter queue (docs/operations.md)',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
    });
    this.oldestMessageAlarm = new Alarm(this, 'OldestRequestAlarm', {
      alarmDescription: `kubeguard: a Slack request has waited (or been retried) for over ${ACTION_OLDEST_MESSAGE_ALARM_AGE.toMinutes()} minutes: the action worker is failing, throttled or not running`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
      threshold: ACTION_OLDEST_MESSAGE_ALARM_AGE.toSeconds(),
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
