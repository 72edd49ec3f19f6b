import { gunzipSync } from 'node:zlib';
import type { AuditEvent } from '../detection/audit-event.ts';
import { isRecord } from '../detection/audit-event.ts';
import { parseAuditEvent } from '../detection/decode-audit.ts';
import { InvalidEventError } from '../errors.ts';
import { describeValue, quote } from './describe-value.ts';

/**
 * CloudWatch Logs subscription events (`{"awslogs":{"data": base64(gzip(JSON))}}`) and the envelope
 * they carry. node:zlib is pure computation, so decoding lives in core and the Lambda, the CLI and
 * the sandbox share it.
 */

/**
 * Decompressed size above which data is refused. An async Lambda payload is at most 1 MB and audit
 * JSON compresses 8–13×, so real batches stay far below; the cap stops a gzip bomb from taking the
 * function's memory.
 */
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export interface CloudWatchLogEvent {
  id: string;
  timestamp: number;
  message: string;
}

export interface CloudWatchEnvelope {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  /** Entries that are not `{id, timestamp, message}` are kept as they are and reported per entry later. */
  logEvents: unknown[];
}

/** One audit event of a batch, with the CloudWatch log event it came in. */
export interface AuditLogRecord {
  logEventId: string;
  event: AuditEvent;
}

/** A log event that could not be used, with the reason (the rest of the batch goes on). */
export interface MalformedLogEvent {
  /** The log event id, or `logEvents[<index>]` when the entry has no usable id. */
  logEventId: string;
  reason: string;
}

/** Where an audit batch comes from. */
export interface AuditLogSource {
  /** From `/aws/eks/<cluster>/cluster`; undefined for a log group of another shape. */
  cluster?: string;
  /** The AWS account that owns the log group. */
  account: string;
  logGroup: string;
  logStream: string;
}

/** What a data message holds, before its log events are parsed. */
export type AuditLogEnvelope =
  /** A connectivity probe from CloudWatch Logs: nothing to analyse. */
  | { kind: 'control' }
  /** A data message from a stream that holds no audit events (authenticator, scheduler, …). */
  | { kind: 'skipped'; reason: string; logGroup: string; logStream: string }
  | ({ kind: 'audit'; logEvents: readonly unknown[] } & AuditLogSource);

export type AuditLogBatch =
  | Exclude<AuditLogEnvelope, { kind: 'audit' }>
  | ({ kind: 'audit'; records: AuditLogRecord[]; malformed: MalformedLogEvent[] } & AuditLogSource);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function invalid(message: string, field: string): InvalidEventError {
  return new InvalidEventError(message, { details: { field } });
}

function isBase64(data: string): boolean {
  const compact = data.replace(/\s+/g, '');
  return compact.length > 0 && compact.length % 4 === 0 && BASE64.test(compact);
}

/**
 * base64 → gunzip (capped) → UTF-8 → JSON. @throws InvalidEventError saying which step failed.
 * Buffer's base64 decoder skips characters outside the alphabet, so garbage reaches gunzip, which
 * rejects it; only then is the text checked for base64, to say which of the two was wrong.
 */
export function decodeAwsLogsData(data: string, maxBytes = MAX_DECOMPRESSED_BYTES): unknown {
  let inflated: Buffer;
  try {
    inflated = gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: maxBytes });
  } catch (error) {
    if (!isBase64(data)) {
      throw invalid(
        `awslogs.data must be base64-encoded gzip; received ${describeValue(data)}, which is not base64. ` +
          'Pass the event CloudWatch Logs delivered to Lambda unchanged.',
        'awslogs.data',
      );
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw invalid(
        `awslogs.data decompresses to more than ${maxBytes / (1024 * 1024)} MB, far above any real ` +
          'CloudWatch Logs batch (at most 1 MB compressed); refusing it as a likely gzip bomb.',
        'awslogs.data',
      );
    }
    throw invalid(
      `awslogs.data is not valid gzip (${(error as Error).message}). ` +
        'Pass the event CloudWatch Logs delivered to Lambda unchanged.',
      'awslogs.data',
    );
  }
  try {
    return JSON.parse(inflated.toString('utf8'));
  } catch (error) {
    throw invalid(
      `awslogs.data decompresses to text that is not JSON (${(error as Error).message}).`,
      'awslogs.data',
    );
  }
}

/** True when `value` has the `{awslogs:{data}}` shape of a CloudWatch Logs subscription event. */
export function looksLikeCloudWatchLogsEvent(value: unknown): boolean {
  return isRecord(value) && isRecord(value.awslogs) && 'data' in value.awslogs;
}

/** True when `value` looks like a decoded subscription envelope. */
export function looksLikeCloudWatchEnvelope(value: unknown): boolean {
  return isRecord(value) && typeof value.messageType === 'string' && 'logEvents' in value;
}

/** Validates a decoded subscription envelope. @throws InvalidEventError naming the field. */
export function parseCloudWatchEnvelope(value: unknown): CloudWatchEnvelope {
  if (!isRecord(value)) {
    throw invalid(
      `a CloudWatch Logs envelope must be a JSON object; received ${describeValue(value)}.`,
      '(root)',
    );
  }
  const { messageType, owner, logGroup, logStream, subscriptionFilters, logEvents } = value;
  if (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') {
    throw invalid(
      `CloudWatch Logs field "messageType" must be DATA_MESSAGE or CONTROL_MESSAGE; received ${describeValue(messageType)}.`,
      'messageType',
    );
  }
  const strings: [string, unknown][] = [
    ['logGroup', logGroup],
    ['logStream', logStream],
  ];
  for (const [field, item] of strings) {
    if (typeof item !== 'string') {
      throw invalid(
        `CloudWatch Logs field "${field}" must be a string; received ${describeValue(item)}.`,
        field,
      );
    }
  }
  if (!Array.isArray(logEvents)) {
    throw invalid(
      `CloudWatch Logs field "logEvents" must be an array; received ${describeValue(logEvents)}.`,
      'logEvents',
    );
  }
  return {
    messageType,
    owner: typeof owner === 'string' ? owner : '',
    logGroup: logGroup as string,
    logStream: logStream as string,
    subscriptionFilters: Array.isArray(subscriptionFilters)
      ? subscriptionFilters.filter((f): f is string => typeof f === 'string')
      : [],
    logEvents,
  };
}

/** `{awslogs:{data}}` → validated envelope. @throws InvalidEventError. */
export function decodeCloudWatchLogsEvent(
  event: unknown,
  maxBytes = MAX_DECOMPRESSED_BYTES,
): CloudWatchEnvelope {
  if (!isRecord(event) || !isRecord(event.awslogs)) {
    throw invalid(
      `a CloudWatch Logs subscription event must be {"awslogs":{"data":"…"}}; received ${describeValue(event)}.`,
      'awslogs',
    );
  }
  const data = event.awslogs.data;
  if (typeof data !== 'string') {
    throw invalid(
      `CloudWatch Logs field "awslogs.data" must be a base64 string; received ${describeValue(data)}.`,
      'awslogs.data',
    );
  }
  return parseCloudWatchEnvelope(decodeAwsLogsData(data, maxBytes));
}

const EKS_LOG_GROUP = /^\/aws\/eks\/([^/]+)\/cluster$/;
const AUDIT_STREAM_PREFIX = 'kube-apiserver-audit-';

/** The cluster name of an EKS control-plane log group (`/aws/eks/<cluster>/cluster`). */
export function clusterFromLogGroup(logGroup: string): string | undefined {
  return EKS_LOG_GROUP.exec(logGroup)?.[1];
}

function logEventId(entry: unknown, index: number): string {
  return isRecord(entry) && typeof entry.id === 'string' && entry.id !== ''
    ? entry.id
    : `logEvents[${index}]`;
}

function parseMessage(entry: unknown): AuditEvent {
  if (!isRecord(entry)) {
    throw new InvalidEventError(`the log event must be an object; received ${describeValue(entry)}`);
  }
  if (typeof entry.message !== 'string') {
    throw new InvalidEventError(
      `the log event field "message" must be a string; received ${describeValue(entry.message)}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.message);
  } catch (error) {
    throw new InvalidEventError(
      `the log event message is not JSON (${(error as Error).message}); it starts ${quote(entry.message)}`,
    );
  }
  return parseAuditEvent(parsed);
}

/** Tells control messages and non-audit streams from audit batches, without parsing any log event. */
export function openAuditLogEnvelope(envelope: CloudWatchEnvelope): AuditLogEnvelope {
  if (envelope.messageType === 'CONTROL_MESSAGE') return { kind: 'control' };
  const { logGroup, logStream } = envelope;
  if (!logStream.startsWith(AUDIT_STREAM_PREFIX)) {
    return {
      kind: 'skipped',
      reason: `log stream ${quote(logStream)} is not a kube-apiserver audit stream (${AUDIT_STREAM_PREFIX}*)`,
      logGroup,
      logStream,
    };
  }
  return {
    kind: 'audit',
    cluster: clusterFromLogGroup(logGroup),
    account: envelope.owner,
    logGroup,
    logStream,
    logEvents: envelope.logEvents,
  };
}

/**
 * Parses log events one at a time, as the consumer asks for them, so that a batch's events need not
 * all be alive at once (the Lambda keeps only what the analysis needs). Each message is parsed on its
 * own: a bad one is added to `malformed` with its log event id and reason, and the others go on.
 */
export function* parseAuditLogEvents(
  logEvents: readonly unknown[],
  malformed: MalformedLogEvent[],
): Generator<AuditLogRecord> {
  for (let index = 0; index < logEvents.length; index++) {
    const entry = logEvents[index];
    const id = logEventId(entry, index);
    let event: AuditEvent;
    try {
      event = parseMessage(entry);
    } catch (error) {
      malformed.push({ logEventId: id, reason: (error as Error).message });
      continue;
    }
    yield { logEventId: id, event };
  }
}

/**
 * Splits a validated envelope into audit events and malformed log events, all at once (the CLI and
 * tests; the Lambda streams with `openAuditLogEnvelope` and `parseAuditLogEvents`).
 */
export function readAuditLogBatch(envelope: CloudWatchEnvelope): AuditLogBatch {
  const opened = openAuditLogEnvelope(envelope);
  if (opened.kind !== 'audit') return opened;
  const { logEvents, kind: _kind, ...source } = opened;
  const malformed: MalformedLogEvent[] = [];
  const records = [...parseAuditLogEvents(logEvents, malformed)];
  return { kind: 'audit', ...source, records, malformed };
}
