import type { AuditEvent } from '../detection/audit-event.ts';
import { isRecord } from '../detection/audit-event.ts';
import { InMemoryDenialCounter } from '../detection/burst.ts';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from '../detection/config.ts';
import { looksLikeAuditEvent, parseAuditEvent } from '../detection/decode-audit.ts';
import type { AuditRule } from '../detection/rule.ts';
import { type GuardDutyResult, normalizeGuardDutyEvent } from '../guardduty/normalize.ts';
import type { Detection } from '../model/detection.ts';
import type { DenialCounter } from '../ports.ts';
import { analyzeAuditRecords } from './audit-analysis.ts';
import {
  AUDIT_STREAM_PREFIX,
  type CloudWatchEnvelope,
  decodeCloudWatchLogsEvent,
  looksLikeCloudWatchEnvelope,
  looksLikeCloudWatchLogsEvent,
  MAX_DECOMPRESSED_BYTES,
  parseCloudWatchEnvelope,
  readAuditLogBatch,
} from './cloudwatch.ts';
import { describeValue, quote } from './describe-value.ts';
import { bareFindingCase, findingAsEventBridgeEvent } from './guardduty-finding.ts';
import { type ContainerRef, JsonStreamScanner, type ScannedItem } from './json-stream.ts';
import { RecentKeys } from './recent-keys.ts';

/**
 * Reads any input kubeguard understands, auto-detected by content per JSON Lines line, per JSON
 * document or per element of a streamed array (json-stream.ts): kube-apiserver audit Events (alone,
 * in a JSON array or in an `EventList`), CloudWatch Logs subscription events as Lambda receives them
 * (`{"awslogs":{"data":…}}`), decoded CloudWatch Logs envelopes, `aws logs filter-log-events` and
 * `get-log-events` output (`{"events":[{"timestamp","message",…}]}`, each message one audit event),
 * CloudWatch Logs exports to S3 (`<timestamp> <message>` lines), GuardDuty findings as EventBridge
 * delivers them, `aws guardduty get-findings` output (`{"Findings":[…]}`) and bare findings. Used by
 * `kubeguard detect`, the alert renderer and the sandbox. Nothing here throws on bad input: every
 * unusable record becomes a `{line, reason}` entry and the rest goes on.
 */

/** How an audit event reached us. */
export type AuditEventCarrier =
  | 'audit-event'
  | 'cloudwatch-logs-event'
  | 'cloudwatch-envelope'
  /** An element of `aws logs filter-log-events` / `get-log-events` output. */
  | 'log-event'
  /** A line of a CloudWatch Logs export to S3. */
  | 'log-export';

export type InputRecord =
  | {
      line: number;
      kind: 'audit-event';
      event: AuditEvent;
      via: AuditEventCarrier;
      /** From the CloudWatch log group, or the caller's default cluster. */
      cluster?: string;
      /** The account that owns the CloudWatch log group. */
      account?: string;
      logEventId?: string;
    }
  | { line: number; kind: 'guardduty-event'; result: GuardDutyResult };

/** A record that could not be used (malformed) or that holds nothing to analyse (skipped). */
export interface InputEntry {
  /** 1-based line where the record (or the document holding it) starts. */
  line: number;
  reason: string;
}

export interface InputRecords {
  records: InputRecord[];
  malformed: InputEntry[];
  skipped: InputEntry[];
  /** Export documents recognized (`events`, `Findings`, `items` wrappers), even when empty. */
  exports: number;
}

export interface ReadInputOptions {
  /** Cluster name given to audit events that do not come with one (bare events, arrays). */
  cluster?: string;
  /** @default MAX_DECOMPRESSED_BYTES (8 MB, D17) */
  maxDecompressedBytes?: number;
  /**
   * Accept audit events without apiVersion, auditID or verb (trimmed test traces such as the
   * public corpus); an event without auditID is identified as `line-<n>`. Events inside CloudWatch
   * Logs data are always validated strictly. @default false
   */
  lenient?: boolean;
}

const UNRECOGNIZED =
  'not a record kubeguard reads: expected a kube-apiserver audit Event (audit.k8s.io), ' +
  'a CloudWatch Logs subscription event {"awslogs":{"data":…}}, a decoded CloudWatch Logs envelope, ' +
  'aws logs filter-log-events output {"events":[…]}, a GuardDuty finding delivered by EventBridge ' +
  '(source aws.guardduty) or aws guardduty get-findings output {"Findings":[…]}';

function looksLikeGuardDutyEvent(value: unknown): boolean {
  return (
    isRecord(value) && (value.source === 'aws.guardduty' || value['detail-type'] === 'GuardDuty Finding')
  );
}

/** Audit Events, including trimmed ones without apiVersion (validation says what is wrong). */
function looksLikeAuditRecord(value: unknown): boolean {
  return looksLikeAuditEvent(value) || (isRecord(value) && (value.kind === 'Event' || 'auditID' in value));
}

function isAuditEventList(value: unknown): value is { items: unknown } {
  return isRecord(value) && value.kind === 'EventList' && 'items' in value;
}

/** What kind of record a JSON value is, by the same tests `readInput` applies; undefined: none. */
export type RecordKind =
  | 'audit-event'
  | 'audit-event-list'
  | 'cloudwatch-logs-event'
  | 'cloudwatch-envelope'
  | 'guardduty-event'
  /** A finding without its EventBridge envelope (get-findings output, camelCase or PascalCase). */
  | 'guardduty-finding';

export function recordKind(value: unknown): RecordKind | undefined {
  if (looksLikeAuditRecord(value)) return 'audit-event';
  if (isAuditEventList(value)) return 'audit-event-list';
  if (looksLikeCloudWatchLogsEvent(value)) return 'cloudwatch-logs-event';
  if (looksLikeCloudWatchEnvelope(value)) return 'cloudwatch-envelope';
  if (looksLikeGuardDutyEvent(value)) return 'guardduty-event';
  if (bareFindingCase(value) !== undefined) return 'guardduty-finding';
  return undefined;
}

/** The reason given for a value that is none of the records kubeguard reads. */
export function unrecognizedRecord(value: unknown): string {
  return `${UNRECOGNIZED}; received ${describeValue(value)}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Appended to a strict rejection that lenient decoding would accept (issue 14: no hint was given). */
const LENIENT_HINT =
  '; it looks like a trimmed audit trace (no apiVersion, auditID or verb): read it with --lenient';

export class InputReader {
  result: InputRecords = { records: [], malformed: [], skipped: [], exports: 0 };
  readonly #options: ReadInputOptions;

  constructor(options: ReadInputOptions) {
    this.#options = options;
  }

  malformed(line: number, reason: string): void {
    this.result.malformed.push({ line, reason });
  }

  /** Hands over what was read so far and starts a new batch. */
  take(): InputRecords {
    const taken = this.result;
    this.result = { records: [], malformed: [], skipped: [], exports: 0 };
    return taken;
  }

  /** One item of the scanner: a value, an element of a streamed array, an export line, an error. */
  readItem(item: ScannedItem): void {
    if (item.kind === 'error') this.malformed(item.line, item.error);
    else if (item.kind === 'export-line') this.readAuditMessage(item.message, item.line, 'log-export');
    else if (item.kind === 'container') {
      if (item.key !== 'array') this.result.exports += 1;
    } else if (item.container === undefined) this.readRecord(item.value, item.line);
    else this.readElement(item.value, item.line, item.container);
  }

  /** An element of a top-level array or of a wrapper's array, read by content. */
  readElement(value: unknown, line: number, container: ContainerRef): void {
    if (Array.isArray(value)) {
      this.malformed(line, 'a JSON array inside an array is not a record');
      return;
    }
    if (container.key === 'items' && container.wrapperKind === 'EventList') {
      // As before streaming: an EventList's items are audit events, reported at the list's line.
      try {
        const fallback = `line-${container.line}-item-${container.index}`;
        this.readAuditEvent(this.parseAudit(value, fallback), container.line, 'audit-event');
      } catch (error) {
        this.malformed(container.line, errorText(error));
      }
      return;
    }
    if (container.key === 'events' && isRecord(value) && 'message' in value) {
      this.readLogEvent(value, line);
      return;
    }
    this.readRecord(value, line);
  }

  /** One log event of `aws logs filter-log-events` / `get-log-events` output. */
  readLogEvent(entry: Record<string, unknown>, line: number): void {
    const stream = entry.logStreamName;
    if (typeof stream === 'string' && !stream.startsWith(AUDIT_STREAM_PREFIX)) {
      this.result.skipped.push({
        line,
        reason: `log stream ${quote(stream)} is not a kube-apiserver audit stream (${AUDIT_STREAM_PREFIX}*)`,
      });
      return;
    }
    if (typeof entry.message !== 'string') {
      this.malformed(
        line,
        `the log event field "message" must be a string; received ${describeValue(entry.message)}`,
      );
      return;
    }
    const logEventId = typeof entry.eventId === 'string' ? entry.eventId : undefined;
    this.readAuditMessage(entry.message, line, 'log-event', logEventId);
  }

  /** A CloudWatch Logs message that holds one audit event as JSON. */
  readAuditMessage(message: string, line: number, via: AuditEventCarrier, logEventId?: string): void {
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch (error) {
      this.malformed(
        line,
        `the log event message is not JSON (${(error as Error).message}); it starts ${quote(message)}`,
      );
      return;
    }
    try {
      const event = this.parseAudit(value, `line-${line}`);
      this.readAuditEvent(event, line, via, logEventId === undefined ? {} : { logEventId });
    } catch (error) {
      this.malformed(line, this.auditRejection(value, error));
    }
  }

  /** The strict rejection of an audit event, with the --lenient hint when that would accept it. */
  auditRejection(value: unknown, error: unknown): string {
    const reason = errorText(error);
    if (this.#options.lenient === true) return reason;
    try {
      parseAuditEvent(value, { lenient: true, fallbackAuditId: 'hint' });
      return `${reason}${LENIENT_HINT}`;
    } catch {
      return reason;
    }
  }

  readRecord(value: unknown, line: number): void {
    const kind = recordKind(value);
    if (kind === 'audit-event') {
      try {
        this.readAuditEvent(this.parseAudit(value, `line-${line}`), line, 'audit-event');
      } catch (error) {
        this.malformed(line, this.auditRejection(value, error));
      }
      return;
    }
    try {
      if (kind === 'audit-event-list') this.readEventList((value as { items: unknown }).items, line);
      else if (kind === 'cloudwatch-logs-event')
        this.readEnvelope(this.decodeAwsLogs(value), line, 'cloudwatch-logs-event');
      else if (kind === 'cloudwatch-envelope')
        this.readEnvelope(parseCloudWatchEnvelope(value), line, 'cloudwatch-envelope');
      else if (kind === 'guardduty-event')
        this.result.records.push({ line, kind: 'guardduty-event', result: normalizeGuardDutyEvent(value) });
      else if (kind === 'guardduty-finding') {
        const event = findingAsEventBridgeEvent(value);
        this.result.records.push({ line, kind: 'guardduty-event', result: normalizeGuardDutyEvent(event) });
      } else this.malformed(line, unrecognizedRecord(value));
    } catch (error) {
      this.malformed(line, errorText(error));
    }
  }

  parseAudit(value: unknown, fallbackAuditId: string): AuditEvent {
    return parseAuditEvent(value, { lenient: this.#options.lenient, fallbackAuditId });
  }

  decodeAwsLogs(value: unknown): CloudWatchEnvelope {
    return decodeCloudWatchLogsEvent(value, this.#options.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES);
  }

  readEventList(items: unknown, line: number): void {
    if (!Array.isArray(items)) {
      this.malformed(line, `EventList field "items" must be an array; received ${describeValue(items)}`);
      return;
    }
    items.forEach((item, index) => {
      try {
        this.readAuditEvent(this.parseAudit(item, `line-${line}-item-${index}`), line, 'audit-event');
      } catch (error) {
        this.malformed(line, errorText(error));
      }
    });
  }

  readAuditEvent(
    event: AuditEvent,
    line: number,
    via: AuditEventCarrier,
    origin: { cluster?: string; account?: string; logEventId?: string } = {},
  ): void {
    const cluster = origin.cluster ?? this.#options.cluster;
    this.result.records.push({ line, kind: 'audit-event', event, via, ...origin, cluster });
  }

  readEnvelope(envelope: CloudWatchEnvelope, line: number, via: AuditEventCarrier): void {
    const batch = readAuditLogBatch(envelope);
    if (batch.kind === 'control') {
      this.result.skipped.push({ line, reason: 'CloudWatch Logs CONTROL_MESSAGE (connectivity probe)' });
      return;
    }
    if (batch.kind === 'skipped') {
      this.result.skipped.push({ line, reason: batch.reason });
      return;
    }
    const account = batch.account === '' ? undefined : batch.account;
    for (const record of batch.records) {
      this.readAuditEvent(record.event, line, via, {
        cluster: batch.cluster,
        account,
        logEventId: record.logEventId,
      });
    }
    for (const bad of batch.malformed) this.malformed(line, `log event ${bad.logEventId}: ${bad.reason}`);
  }
}

/** Text → records, malformed entries and skipped entries, in input order. Never throws. */
export function readInput(text: string, options: ReadInputOptions = {}): InputRecords {
  const reader = new InputReader(options);
  const scanner = new JsonStreamScanner((item) => reader.readItem(item));
  scanner.push(Buffer.from(text, 'utf8'));
  scanner.end();
  return reader.result;
}

export interface AnalyzeInputOptions extends ReadInputOptions {
  /** ISO-8601 "now" (suppression expiry, events without a timestamp). */
  now: string;
  /** @default DEFAULT_DETECTION_CONFIG */
  config?: DetectionConfig;
  /** KD-061 burst state. @default a fresh InMemoryDenialCounter */
  counter?: DenialCounter;
  /** @default AUDIT_RULES */
  rules?: readonly AuditRule[];
}

export interface InputDetection {
  detection: Detection;
  /** 1-based line of the record the detection came from. */
  line: number;
}

export interface InputAnalysis {
  /** In line order. */
  detections: InputDetection[];
  malformed: InputEntry[];
  skipped: InputEntry[];
  /** Records analysed: audit events and GuardDuty findings that decoded. */
  records: number;
  /** Export documents recognized (`events`, `Findings`, `items` wrappers), even when empty. */
  exports: number;
  /** Rules that threw (bugs); the other rules' detections are kept. */
  ruleFailures: { line: number; ruleId: string; auditId: string; message: string }[];
  /** Why the KD-061 burst could not be evaluated (the denial counter failed), if it could not. */
  burstFailure?: string;
}

type AuditInputRecord = Extract<InputRecord, { kind: 'audit-event' }>;

function groupByOrigin(records: readonly InputRecord[]): AuditInputRecord[][] {
  const groups = new Map<string, AuditInputRecord[]>();
  for (const record of records) {
    if (record.kind !== 'audit-event') continue;
    const key = `${record.cluster ?? ''}\u0000${record.account ?? ''}`;
    const group = groups.get(key) ?? [];
    group.push(record);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** (request, rule) keys remembered for deduplication across batches: 100k to 200k, ≤ ~25 MB. */
export const RECENT_DETECTION_KEYS = 100_000;

/** Records handed to the rules at a time when streaming (bounds what one batch holds). */
export const STREAM_BATCH_RECORDS = 250;

/**
 * Runs records through detection, batch after batch, keeping what spans batches and inputs: the
 * KD-061 denial counter and the (request, rule) keys already reported. One analyzer per run, so a
 * burst or an exec's two stages may span files (e.g. hourly exports).
 */
export class InputAnalyzer {
  readonly #options: AnalyzeInputOptions;
  readonly #config: DetectionConfig;
  readonly #counter: DenialCounter;
  // Bounded: a stream of any size must not grow it without end (RecentKeys says why it is safe).
  readonly #seen = new RecentKeys(RECENT_DETECTION_KEYS);

  constructor(options: AnalyzeInputOptions) {
    this.#options = options;
    this.#config = options.config ?? DEFAULT_DETECTION_CONFIG;
    this.#counter = options.counter ?? new InMemoryDenialCounter();
  }

  /** Every rule on every audit event (one detection per (request, rule) per cluster), the KD-061 burst, GuardDuty. */
  async analyze(input: InputRecords): Promise<InputAnalysis> {
    const detections: InputDetection[] = [];
    const ruleFailures: InputAnalysis['ruleFailures'] = [];
    let burstFailure: string | undefined;
    for (const group of groupByOrigin(input.records)) {
      const { cluster, account } = group[0] as AuditInputRecord;
      const context = { cluster, account, config: this.#config, now: this.#options.now };
      const analysis = await analyzeAuditRecords(
        group.map((record) => ({ event: record.event, ref: record.line })),
        context,
        { counter: this.#counter, rules: this.#options.rules, seen: this.#seen },
      );
      for (const { detection, ref } of analysis.detections) detections.push({ detection, line: ref });
      for (const failure of analysis.ruleFailures) ruleFailures.push({ ...failure, line: failure.ref });
      if (analysis.burstFailure !== undefined) burstFailure ??= errorText(analysis.burstFailure);
    }
    const skipped = [...input.skipped];
    for (const record of input.records) {
      if (record.kind !== 'guardduty-event') continue;
      if (record.result.kind === 'detection')
        detections.push({ detection: record.result.detection, line: record.line });
      else skipped.push({ line: record.line, reason: `GuardDuty finding ignored: ${record.result.reason}` });
    }
    const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
    return {
      detections: detections.sort(byLine),
      malformed: input.malformed.sort(byLine),
      skipped: skipped.sort(byLine),
      records: input.records.length,
      exports: input.exports,
      ruleFailures: ruleFailures.map(({ line, ruleId, auditId, message }) => ({
        line,
        ruleId,
        auditId,
        message,
      })),
      ...(burstFailure === undefined ? {} : { burstFailure }),
    };
  }
}

/**
 * Reads the input and runs it through detection (InputAnalyzer), all at once. Never throws on bad
 * input.
 */
export async function analyzeInput(text: string, options: AnalyzeInputOptions): Promise<InputAnalysis> {
  return new InputAnalyzer(options).analyze(readInput(text, options));
}

/**
 * Streams bytes (UTF-8 text, already decompressed) through the reader and the analyzer: every
 * STREAM_BATCH_RECORDS records, or at the end, `onBatch` receives the batch's analysis (its
 * detections in line order), so memory holds one batch, not the input. Lines restart at 1 per call
 * (one call per input); pass the same `analyzer` for every input of a run.
 */
export async function analyzeStream(
  bytes: AsyncIterable<Uint8Array>,
  options: ReadInputOptions & { analyzer: InputAnalyzer },
  onBatch: (analysis: InputAnalysis) => void | Promise<void>,
): Promise<void> {
  const reader = new InputReader(options);
  const scanner = new JsonStreamScanner((item) => reader.readItem(item));
  const flush = async () => {
    const batch = reader.take();
    const empty =
      batch.records.length === 0 &&
      batch.malformed.length === 0 &&
      batch.skipped.length === 0 &&
      batch.exports === 0;
    if (!empty) await onBatch(await options.analyzer.analyze(batch));
  };
  for await (const chunk of bytes) {
    scanner.push(chunk);
    const { records, malformed, skipped } = reader.result;
    if (records.length + malformed.length + skipped.length >= STREAM_BATCH_RECORDS) await flush();
  }
  scanner.end();
  await flush();
}
