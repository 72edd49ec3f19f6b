import { InvalidEventError } from '../errors.ts';
import * as z from '../zod.ts';

/**
 * A CloudWatch alarm's state change as SNS delivers it to a subscribed function: each record's
 * `Sns.Message` is a JSON string with `AlarmName`, `NewStateValue`, `NewStateReason`,
 * `StateChangeTime` (`2015-06-03T17:43:27.123+0000`) and more (test/fixtures/cloudwatch-alarm-sns-lambda-event.json).
 * Only the fields the ops notifier shows are read; every one of them is untrusted text (anyone
 * allowed to publish to the topic chooses them) and is escaped by the view.
 */
export interface AlarmStateChange {
  readonly alarmName: string;
  readonly description?: string;
  readonly newState: AlarmState;
  readonly oldState?: string;
  readonly reason: string;
  /** ISO-8601 as CloudWatch wrote it. */
  readonly time: string;
  readonly accountId?: string;
  /** CloudWatch's region label (`US - N. Virginia`), not a region code. */
  readonly region?: string;
}

export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** The SNS records of the event, each with the message id (for logs) and the message string. */
export interface SnsAlarmRecord {
  readonly messageId: string;
  readonly message: string;
}

const recordsSchema = z.object({
  Records: z.array(
    z.object({
      Sns: z.object({ MessageId: z.optional(z.string()), Message: z.string() }),
    }),
  ),
});

const nullableText = z.optional(z.nullable(z.string()));

const messageSchema = z.object({
  AlarmName: z.string().check(z.minLength(1)),
  AlarmDescription: nullableText,
  AWSAccountId: nullableText,
  NewStateValue: z.enum(ALARM_STATES),
  OldStateValue: nullableText,
  NewStateReason: z.string(),
  StateChangeTime: z.string(),
  Region: nullableText,
});

/** The records of an SNS event; InvalidEventError when the event is not one. */
export function snsRecordsOf(event: unknown): SnsAlarmRecord[] {
  const result = recordsSchema.safeParse(event);
  if (!result.success) throw invalid('SNS event', result.error.issues[0]);
  return result.data.Records.map((record, index) => ({
    messageId: record.Sns.MessageId ?? `record ${index}`,
    message: record.Sns.Message,
  }));
}

/** One alarm message; InvalidEventError naming the field when it is not CloudWatch's alarm JSON. */
export function decodeAlarmMessage(message: string): AlarmStateChange {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch (error) {
    throw new InvalidEventError(
      `alarm message is not JSON (${message.length} characters): the ops notifier expects CloudWatch's alarm state change`,
      { cause: error, details: { field: 'Sns.Message' } },
    );
  }
  const result = messageSchema.safeParse(raw);
  if (!result.success) throw invalid('alarm message', result.error.issues[0]);
  const m = result.data;
  return {
    alarmName: m.AlarmName,
    newState: m.NewStateValue,
    reason: m.NewStateReason,
    time: isoTime(m.StateChangeTime),
    ...(present(m.AlarmDescription) ? { description: m.AlarmDescription } : {}),
    ...(present(m.OldStateValue) ? { oldState: m.OldStateValue } : {}),
    ...(present(m.AWSAccountId) ? { accountId: m.AWSAccountId } : {}),
    ...(present(m.Region) ? { region: m.Region } : {}),
  };
}

function present(value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value !== '';
}

/** CloudWatch writes `+0000`; ISO-8601 (and Date.parse everywhere) wants `+00:00`. */
function isoTime(time: string): string {
  return time.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

function invalid(what: string, issue: { path: PropertyKey[]; message: string } | undefined) {
  const where = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
  return new InvalidEventError(`${what} is invalid at ${where}: ${issue?.message ?? 'unknown'}`, {
    details: { field: where },
  });
}
