import {
  type AuditLogEnvelope,
  decodeCloudWatchLogsEvent,
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
