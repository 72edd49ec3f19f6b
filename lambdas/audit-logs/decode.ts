import {
  type AuditLogEnvelope,
  decodeCloudWatchLogsEvent,
  openAuditLogEnvelope,
} from '../../core/ingest/cloudwatch.ts';

/**
 * Edge validation for the CloudWatch Logs subscription: `{awslogs:{data}}` → base64 → gunzip (capped
 * at 64 MB) → validated envelope → control message, skipped stream or audit batch. Throws
 * InvalidEventError when the event as a whole is unusable. The batch's log events are parsed later,
 * one at a time (`parseAuditLogEvents`), and a bad one is reported without stopping the others.
 */
export function decodeAuditLogsEvent(event: unknown): AuditLogEnvelope {
  return openAuditLogEnvelope(decodeCloudWatchLogsEvent(event));
}
