import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MAX_LOG_EVENTS } from '#core/ingest/cloudwatch.ts';
import { recordKind, unrecognizedRecord } from '#core/ingest/detect-input.ts';
import { scanJsonText } from '#core/ingest/json-stream.ts';
import type { AuditLogsHandler } from '#lambdas/audit-logs/handler.ts';
import type { GuardDutyHandler } from '#lambdas/guardduty-findings/handler.ts';

/**
 * The scenario player's input (`POST /api/sandbox/ingest`): anything `kubeguard detect` reads, sorted
 * by the same auto-detection (core/ingest/detect-input.ts recordKind) and handed to the real Lambda
 * handlers as AWS would invoke them — a CloudWatch Logs subscription event to audit-logs as it is, a
 * decoded envelope gzipped back into one, bare audit events (JSON Lines, arrays, EventLists) wrapped
 * into subscription events of the cluster's EKS audit log group, a GuardDuty EventBridge event to
 * guardduty-findings. The handlers record findings; the outbox and the delivery handler post them.
 */
export interface IngestReport {
  /** Handler invocations, by function. */
  invocations: { auditLogs: number; guardDuty: number };
  /** Audit events the audit-logs handler analysed. */
  auditEvents: number;
  /** Detections recorded from audit events, and GuardDuty findings stored. */
  detections: number;
  /** GuardDuty events the handler ignored (not EKS, sample …), with why. */
  ignored: { line: number; reason: string }[];
  /** Records that could not be used: the line and why (bad JSON, unknown shape, rejected event). */
  malformed: { line: number; reason: string }[];
  /** Control messages and streams that hold no audit events. */
  skipped: number;
}

export interface IngestHandlers {
  auditLogs: AuditLogsHandler;
  guardDuty: GuardDutyHandler;
  /** The cluster bare audit events come from (their log group is `/aws/eks/<cluster>/cluster`). */
  cluster: string;
  /** The AWS account that owns that log group. */
  account: string;
}

/** Uncompressed bytes per wrapped subscription event: well under the handler's 8 MB limit. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export async function ingestText(text: string, handlers: IngestHandlers): Promise<IngestReport> {
  const report: IngestReport = {
    invocations: { auditLogs: 0, guardDuty: 0 },
    auditEvents: 0,
    detections: 0,
    ignored: [],
    malformed: [],
    skipped: 0,
  };
  const bareEvents: unknown[] = [];
  const auditLogs = async (event: unknown) => {
    report.invocations.auditLogs += 1;
    const summary = await handlers.auditLogs(event);
    report.auditEvents += summary.records;
    report.detections += summary.detections;
    report.skipped += summary.skipped;
    return summary;
  };
  const read = async (value: unknown, line: number) => {
    const kind = recordKind(value);
    if (kind === 'audit-event') bareEvents.push(value);
    else if (kind === 'audit-event-list') {
      const items = (value as { items: unknown }).items;
      if (Array.isArray(items)) bareEvents.push(...items);
      else report.malformed.push({ line, reason: 'EventList field "items" must be an array' });
    } else if (kind === 'cloudwatch-logs-event') {
      const summary = await auditLogs(value);
      if (summary.malformed > 0)
        report.malformed.push({ line, reason: `${summary.malformed} log event(s) rejected by audit-logs` });
    } else if (kind === 'cloudwatch-envelope') {
      const summary = await auditLogs(subscriptionEvent(value));
      if (summary.malformed > 0)
        report.malformed.push({ line, reason: `${summary.malformed} log event(s) rejected by audit-logs` });
    } else if (kind === 'guardduty-event') await guardDuty(value, line);
    else report.malformed.push({ line, reason: unrecognizedRecord(value) });
  };
  const guardDuty = async (value: unknown, line: number) => {
    report.invocations.guardDuty += 1;
    try {
      const result = await handlers.guardDuty(value);
      if (result.status === 'stored') report.detections += 1;
      else report.ignored.push({ line, reason: result.reason });
    } catch (error) {
      // The handler throws a malformed event so that Lambda keeps it; here the person is told.
      report.malformed.push({ line, reason: error instanceof Error ? error.message : String(error) });
    }
  };
  // The one JSON reader of kubeguard detect: JSON Lines, documents, arrays and export wrappers
  // (their elements come one by one), S3 export lines.
  for (const item of scanJsonText(text)) {
    if (item.kind === 'error') report.malformed.push({ line: item.line, reason: item.error });
    else if (item.kind === 'value') await read(item.value, item.line);
    else if (item.kind === 'export-line') {
      let value: unknown;
      try {
        value = JSON.parse(item.message);
      } catch (error) {
        report.malformed.push({ line: item.line, reason: `export line: ${(error as Error).message}` });
        continue;
      }
      await read(value, item.line);
    }
  }
  for (const batch of batches(bareEvents)) {
    const summary = await auditLogs(subscriptionEvent(auditEnvelope(batch, handlers)));
    if (summary.malformed > 0)
      report.malformed.push({
        line: 0,
        reason: `${summary.malformed} audit event(s) rejected by audit-logs`,
      });
  }
  return report;
}

/** Bare audit events as the log events of the cluster's EKS audit log group, as EKS writes them. */
function auditEnvelope(events: readonly string[], handlers: IngestHandlers): Record<string, unknown> {
  const now = Date.now();
  const prefix = `${now}${randomBytes(4).readUInt32BE(0)}`.padEnd(40, '0');
  return {
    messageType: 'DATA_MESSAGE',
    owner: handlers.account,
    logGroup: `/aws/eks/${handlers.cluster}/cluster`,
    logStream: `kube-apiserver-audit-${randomBytes(16).toString('hex')}`,
    subscriptionFilters: ['kubeguard-sandbox'],
    logEvents: events.map((message, index) => ({
      id: `${prefix}${String(index).padStart(16, '0')}`,
      timestamp: now,
      message,
    })),
  };
}

/** `{awslogs:{data}}`: the envelope gzipped and base64-encoded, as CloudWatch Logs invokes Lambda. */
function subscriptionEvent(envelope: unknown): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(JSON.stringify(envelope)).toString('base64') } };
}

/** Bare events as JSON texts, in batches a subscription event may carry. */
function* batches(events: readonly unknown[]): Generator<string[]> {
  let batch: string[] = [];
  let bytes = 0;
  for (const event of events) {
    const message = JSON.stringify(event);
    if (batch.length > 0 && (batch.length >= MAX_LOG_EVENTS || bytes + message.length > MAX_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(message);
    bytes += message.length;
  }
  if (batch.length > 0) yield batch;
}
