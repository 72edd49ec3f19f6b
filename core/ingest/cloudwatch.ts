import { gunzipSync } from 'node:zlib';
import type { AuditEvent } from '../detection/audit-event.ts';
import { isRecord } from '../detection/audit-event.ts';
import { parseAuditEvent } from '../detection/decode-audit.ts';
import { InvalidEventError, LimitExceededError } from '../errors.ts';
import { describeValue, quote } from './describe-value.ts';
import { largestRootArrayLength } from './json-scan.ts';

/**
 * CloudWatch Logs subscription events (`{"awslogs":{"data": base64(gzip(JSON))}}`) and the envelope
 * they carry. node:zlib is pure computation, so decoding lives in core and the Lambda, the CLI and
 * the sandbox share it.
 */

/**
 * Decompressed size above which data is refused as a whole (D17). CloudWatch Logs takes events in
 * batches of at most 1,048,576 bytes and 10,000 events (PutLogEvents), and the asynchronous Lambda
 * payload that carries a subscription batch is at most 1 MB of base64 gzip; 8 MB decompressed is well
 * above the batches the fixtures and the benchmarks show, and bounds what one invocation allocates.
 * Inflating stops when the output reaches the cap, so a gzip bomb costs at most this much.
 */
export const MAX_DECOMPRESSED_BYTES = 8 * 1024 * 1024;

/**
 * Log events above which a batch is refused as a whole (D17): CloudWatch Logs puts at most 10,000
 * events in one batch, so more means the payload was not built by CloudWatch Logs.
 */
export const MAX_LOG_EVENTS = 10_000;

/** Above this many decompressed bytes, log events are counted before JSON.parse (see decodeAwsLogsData). */
const SCAN_BEFORE_PARSE_BYTES = 2 * 1024 * 1024;

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
  /**
   * A stable category, for counting: `not-an-object`, `message-not-a-string`, `message-not-json`, or
   * `audit-event:<field>` (the audit event field that failed validation).
   */
  reasonCode: string;
  /** What was wrong, with a bounded preview of the value received. */
  reason: string;
}

/** Where `parseAuditLogEvents` reports malformed log events: an array, or a MalformedTally. */
export interface MalformedSink {
  push(bad: MalformedLogEvent): unknown;
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
export function decodeAwsLogsData(
  data: string,
  maxBytes = MAX_DECOMPRESSED_BYTES,
  maxLogEvents = MAX_LOG_EVENTS,
  field = 'awslogs.data',
): unknown {
  const inflated = inflateAwsLogsData(data, maxBytes, field);
  // Counted before JSON.parse, which would allocate an object per entry (json-scan.ts) — but only
  // where that allocation could hurt: parsing 2 MB of `{},` costs at most ~100 MB and ~0.2 s, and
  // parseCloudWatchEnvelope then refuses the batch by its count all the same. The scan costs ~7 % of
  // the analysis of every ordinary batch, so it runs only above that size (decision D32).
  if (inflated.length > SCAN_BEFORE_PARSE_BYTES) {
    const logEvents = largestRootArrayLength(inflated);
    if (logEvents > maxLogEvents) throw tooManyLogEvents(logEvents, maxLogEvents);
  }
  try {
    return JSON.parse(inflated.toString('utf8'));
  } catch (error) {
    throw invalid(`${field} decompresses to text that is not JSON (${(error as Error).message}).`, field);
  }
}

function tooManyLogEvents(received: number, max: number): LimitExceededError {
  return new LimitExceededError(
    `the CloudWatch Logs batch holds ${received} log events, more than the ${max} CloudWatch Logs ` +
      'ever puts in one batch; refusing the whole batch (not built by CloudWatch Logs).',
    { field: 'logEvents', limit: 'maxLogEvents', max, received },
  );
}

/** base64 → gunzip, stopping as soon as the output reaches `maxBytes`. */
function inflateAwsLogsData(data: string, maxBytes: number, field: string): Buffer {
  const compressed = Buffer.from(data, 'base64');
  try {
    return gunzipSync(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    if (!isBase64(data)) {
      throw invalid(
        `${field} must be base64-encoded gzip; received ${describeValue(data)}, which is not base64. ` +
          'Pass the event CloudWatch Logs delivered to Lambda unchanged.',
        field,
      );
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new LimitExceededError(
        `${field} (${compressed.length} bytes of gzip) decompresses to more than ${maxBytes} bytes ` +
          `(${maxBytes / (1024 * 1024)} MB), far above any real CloudWatch Logs batch (PutLogEvents takes at most 1 MB of events); ` +
          'stopped inflating there and refusing the whole batch as a likely gzip bomb.',
        {
          field,
          limit: 'maxDecompressedBytes',
          max: maxBytes,
          received: `more than ${maxBytes} bytes decompressed from ${compressed.length}`,
        },
        { cause: error },
      );
    }
    throw invalid(
      `${field} is not valid gzip (${(error as Error).message}). ` +
        'Pass the event CloudWatch Logs delivered to Lambda unchanged.',
      field,
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

/**
 * Validates a decoded subscription envelope. @throws InvalidEventError naming the field, or
 * LimitExceededError for more than `maxLogEvents` log events.
 */
export function parseCloudWatchEnvelope(value: unknown, maxLogEvents = MAX_LOG_EVENTS): CloudWatchEnvelope {
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
  if (logEvents.length > maxLogEvents) throw tooManyLogEvents(logEvents.length, maxLogEvents);
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

/**
 * `{awslogs:{data}}` → validated envelope. @throws InvalidEventError, or LimitExceededError for a
 * batch over `maxBytes` decompressed or over `maxLogEvents` log events (refused as a whole).
 */
export function decodeCloudWatchLogsEvent(
  event: unknown,
  maxBytes = MAX_DECOMPRESSED_BYTES,
  maxLogEvents = MAX_LOG_EVENTS,
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
  return parseCloudWatchEnvelope(decodeAwsLogsData(data, maxBytes, maxLogEvents), maxLogEvents);
}

/**
 * A record of a Lambda Kinesis event: how audit logs of member accounts arrive, through a
 * CloudWatch Logs destination backed by a Kinesis data stream (Lambda cannot be a cross-account
 * destination; D59). Its `kinesis.data` is exactly what `awslogs.data` is in a subscription event:
 * base64 of the gzip'd subscription payload.
 */
export interface KinesisLogRecord {
  /** `eventID` (`shardId-…:<sequence number>`), or `Records[<index>]` when it has none. */
  id: string;
  /** The record as received, validated when it is decoded. */
  record: unknown;
  index: number;
}

/** True when `value` is a Lambda Kinesis event (`{"Records":[…]}`, without `awslogs`). */
export function looksLikeKinesisEvent(value: unknown): value is { Records: unknown[] } {
  return isRecord(value) && Array.isArray(value.Records) && !('awslogs' in value);
}

/** The records of a Lambda Kinesis event, each to decode on its own (a bad one does not stop the others). */
export function kinesisLogRecords(event: { Records: unknown[] }): KinesisLogRecord[] {
  return event.Records.map((record, index) => ({
    id:
      isRecord(record) && typeof record.eventID === 'string' && record.eventID !== ''
        ? record.eventID
        : `Records[${index}]`,
    record,
    index,
  }));
}

/**
 * One Kinesis record → its validated CloudWatch Logs envelope. @throws InvalidEventError naming the
 * record's field (`Records[2].kinesis.data`), or LimitExceededError over a limit, as for a
 * subscription event.
 */
export function decodeKinesisLogRecord(
  { record, index }: KinesisLogRecord,
  maxBytes = MAX_DECOMPRESSED_BYTES,
  maxLogEvents = MAX_LOG_EVENTS,
): CloudWatchEnvelope {
  const at = `Records[${index}]`;
  if (!isRecord(record) || record.eventSource !== 'aws:kinesis' || !isRecord(record.kinesis)) {
    throw invalid(
      `${at} must be a Kinesis record ({"eventSource":"aws:kinesis","kinesis":{"data":"…"}}); received ${describeValue(record)}. ` +
        "Subscribe the audit-logs function to the CloudWatch Logs destination's stream unchanged.",
      at,
    );
  }
  const data = record.kinesis.data;
  if (typeof data !== 'string') {
    throw invalid(
      `${at}.kinesis.data must be a base64 string; received ${describeValue(data)}.`,
      `${at}.kinesis.data`,
    );
  }
  return parseCloudWatchEnvelope(
    decodeAwsLogsData(data, maxBytes, maxLogEvents, `${at}.kinesis.data`),
    maxLogEvents,
  );
}

const EKS_LOG_GROUP = /^\/aws\/eks\/([^/]+)\/cluster$/;
export const AUDIT_STREAM_PREFIX = 'kube-apiserver-audit-';

/** The cluster name of an EKS control-plane log group (`/aws/eks/<cluster>/cluster`). */
export function clusterFromLogGroup(logGroup: string): string | undefined {
  return EKS_LOG_GROUP.exec(logGroup)?.[1];
}

function logEventId(entry: unknown, index: number): string {
  return isRecord(entry) && typeof entry.id === 'string' && entry.id !== ''
    ? entry.id
    : `logEvents[${index}]`;
}

/** Why a log event could not be used, as a stable code and a message. */
class MalformedEntry extends Error {
  readonly reasonCode: string;

  constructor(reasonCode: string, message: string) {
    super(message);
    this.reasonCode = reasonCode;
  }
}

function parseMessage(entry: unknown): AuditEvent {
  if (!isRecord(entry)) {
    throw new MalformedEntry(
      'not-an-object',
      `the log event must be an object; received ${describeValue(entry)}`,
    );
  }
  if (typeof entry.message !== 'string') {
    throw new MalformedEntry(
      'message-not-a-string',
      `the log event field "message" must be a string; received ${describeValue(entry.message)}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.message);
  } catch (error) {
    throw new MalformedEntry(
      'message-not-json',
      `the log event message is not JSON (${(error as Error).message}); it starts ${quote(entry.message)}`,
    );
  }
  try {
    return parseAuditEvent(parsed);
  } catch (error) {
    const field = error instanceof InvalidEventError ? error.details.field : undefined;
    throw new MalformedEntry(
      `audit-event:${typeof field === 'string' ? field : '(root)'}`,
      (error as Error).message,
    );
  }
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
 * How many log events are parsed before any is handed on. Parsing a run and then analysing it is
 * about 8 % faster than alternating JSON.parse and the rules event by event (bench `detection`: each
 * keeps the CPU's caches for a whole run). The run also ends once its messages reach `maxMessageBytes`, so
 * that the parsed events alive at once stay around a megabyte even when single events are large.
 */
export const PARSE_RUN = { maxEvents: 128, maxMessageBytes: 256 * 1024 } as const;

/**
 * Parses log events in runs (PARSE_RUN), as the consumer asks for them, so that a batch's events
 * need not all be alive at once (the Lambda keeps only what the analysis needs). Each message is
 * parsed on its own: a bad one is added to `malformed` with its log event id and reason when its run
 * is parsed, and the others go on.
 */
export function* parseAuditLogEvents(
  logEvents: readonly unknown[],
  malformed: MalformedSink,
  run: { maxEvents: number; maxMessageBytes: number } = PARSE_RUN,
): Generator<AuditLogRecord> {
  const parsed: (AuditLogRecord | undefined)[] = [];
  let index = 0;
  while (index < logEvents.length) {
    let messageBytes = 0;
    const end = Math.min(index + run.maxEvents, logEvents.length);
    for (; index < end && messageBytes < run.maxMessageBytes; index++) {
      const entry = logEvents[index];
      const id = logEventId(entry, index);
      // UTF-16 length: a cheap upper bound of the text's size in the order of its bytes.
      if (isRecord(entry) && typeof entry.message === 'string') messageBytes += entry.message.length;
      try {
        parsed.push({ logEventId: id, event: parseMessage(entry) });
      } catch (error) {
        const reasonCode = error instanceof MalformedEntry ? error.reasonCode : 'unreadable';
        malformed.push({ logEventId: id, reasonCode, reason: (error as Error).message });
      }
    }
    // Handed on in order, each dropped from the run as it goes so that the consumer alone holds it.
    for (let at = 0; at < parsed.length; at++) {
      const record = parsed[at];
      parsed[at] = undefined;
      if (record !== undefined) yield record;
    }
    parsed.length = 0;
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

/** Examples a MalformedTally keeps by default. */
export const MALFORMED_EXAMPLES = 20;

/**
 * Malformed log events of one batch, counted by reason code, with the first few kept as examples:
 * the batch's one aggregate log line (D17), whatever the number of bad entries. Memory stays
 * bounded — a batch of 10,000 bad entries keeps 20 examples, not 10,000 messages.
 */
export class MalformedTally implements MalformedSink {
  readonly #examples: MalformedLogEvent[] = [];
  readonly #byReason = new Map<string, number>();
  readonly #maxExamples: number;
  #total = 0;

  constructor(maxExamples = MALFORMED_EXAMPLES) {
    this.#maxExamples = maxExamples;
  }

  push(bad: MalformedLogEvent): void {
    this.#total += 1;
    this.#byReason.set(bad.reasonCode, (this.#byReason.get(bad.reasonCode) ?? 0) + 1);
    if (this.#examples.length < this.#maxExamples) this.#examples.push(bad);
  }

  get total(): number {
    return this.#total;
  }

  /** `{malformed, byReason, examples}`: the attributes of the aggregate log line. */
  summary(): { malformed: number; byReason: Record<string, number>; examples: MalformedLogEvent[] } {
    return {
      malformed: this.#total,
      byReason: Object.fromEntries(this.#byReason),
      examples: [...this.#examples],
    };
  }
}
