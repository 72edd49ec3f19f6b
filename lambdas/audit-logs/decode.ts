import {
  type AuditLogBatch,
  decodeCloudWatchLogsEvent,
  readAuditLogBatch,
} from '../../core/ingest/cloudwatch.ts';

/**
 * Edge validation for the CloudWatch Logs subscription: `{awslogs:{data}}` → base64 → gunzip (capped
 * at 64 MB) → envelope → one audit event per log event. Throws InvalidEventError when the event as a
 * whole is unusable; a bad log event inside a good batch is returned in `malformed` instead.
 */
export function decodeAuditLogsEvent(event: unknown): AuditLogBatch {
  return readAuditLogBatch(decodeCloudWatchLogsEvent(event));
}
