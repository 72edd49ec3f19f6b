import {
  type AuditLogEnvelope,
  decodeCloudWatchLogsEvent,
  decodeKinesisLogRecord,
  type KinesisLogRecord,
  kinesisLogRecords,
  looksLikeKinesisEvent,
  MAX_DECOMPRESSED_BYTES,
  MAX_LOG_EVENTS,
  openAuditLogEnvelope,
} from '../../core/ingest/cloudwatch.ts';

/**
 * Edge validation for the CloudWatch Logs subscription: `{awslogs:{data}}` → base64 → gunzip, which
 * stops at 8 MB of output → at most 10,000 log events, counted before JSON.parse → validated envelope
 * → control message, skipped stream or audit batch. Throws InvalidEventError when the event as a whole
 * is unusable, LimitExceededError when it is over a limit (refused as a whole, D17). The batch's log
 *  events are parsed later, a run at a time (`parseAuditLogEvents`), and a bad one is counted without
 * stopping the others.
 */
export function decodeAuditLogsEvent(event: unknown): AuditLogEnvelope {
  return openAuditLogEnvelope(decodeCloudWatchLogsEvent(event, MAX_DECOMPRESSED_BYTES, MAX_LOG_EVENTS));
}

/**
 * The records of a Lambda Kinesis event (member accounts' audit logs, through the cross-account
 * CloudWatch Logs destination's stream, D59), or undefined for a subscription event.
 */
export function auditLogsKinesisRecords(event: unknown): KinesisLogRecord[] | undefined {
  return looksLikeKinesisEvent(event) ? kinesisLogRecords(event) : undefined;
}

/**
 * One Kinesis record, validated as a subscription event is (same limits): its `kinesis.data` is the
 * same gzip'd payload as `awslogs.data`. Throws for that record alone; the others go on.
 */
export function decodeAuditLogsRecord(record: KinesisLogRecord): AuditLogEnvelope {
  return openAuditLogEnvelope(decodeKinesisLogRecord(record, MAX_DECOMPRESSED_BYTES, MAX_LOG_EVENTS));
}
