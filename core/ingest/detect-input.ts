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
  type CloudWatchEnvelope,
  decodeCloudWatchLogsEvent,
  looksLikeCloudWatchEnvelope,
  looksLikeCloudWatchLogsEvent,
  MAX_DECOMPRESSED_BYTES,
  parseCloudWatchEnvelope,
  readAuditLogBatch,
} from './cloudwatch.ts';
import { describeValue } from './describe-value.ts';
import { parseJsonText } from './json-text.ts';

/**
 * Reads any input kubeguard understands, auto-detected per JSON Lines line or per JSON document:
 * kube-apiserver audit Events (alone, in a JSON array or in an `EventList`), CloudWatch Logs
 * subscription events as Lambda receives them (`{"awslogs":{"data":…}}`), decoded CloudWatch Logs
 * envelopes, and GuardDuty findings as EventBridge delivers them. Used by `kubeguard detect`, the
 * alert renderer and the sandbox. Nothing here throws on bad input: every unusable record becomes a
 * `{line, reason}` entry and the rest goes on.
 */

/** How an audit event reached us. */
export type AuditEventCarrier = 'audit-event' | 'cloudwatch-logs-event' | 'cloudwatch-envelope';

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
  'a CloudWatch Logs subscription event {"awslogs":{"data":…}}, a decoded CloudWatch Logs envelope ' +
  'or a GuardDuty finding delivered by EventBridge (source aws.guardduty)';

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
  | 'guardduty-event';

export function recordKind(value: unknown): RecordKind | undefined {
  if (looksLikeAuditRecord(value)) return 'audit-event';
  if (isAuditEventList(value)) return 'audit-event-list';
  if (looksLikeCloudWatchLogsEvent(value)) return 'cloudwatch-logs-event';
  if (looksLikeCloudWatchEnvelope(value)) return 'cloudwatch-envelope';
  if (looksLikeGuardDutyEvent(value)) return 'guardduty-event';
  return undefined;
}

/** The reason given for a value that is none of the records kubeguard reads. */
export function unrecognizedRecord(value: unknown): string {
  return `${UNRECOGNIZED}; received ${describeValue(value)}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class InputReader {
  readonly result: InputRecords = { records: [], malformed: [], skipped: [] };
  readonly #options: ReadInputOptions;

  constructor(options: ReadInputOptions) {
    this.#options = options;
  }

  malformed(line: number, reason: string): void {
    this.result.malformed.push({ line, reason });
  }

  /** One JSON value found at `line`; arrays are read element by element. */
  readValue(value: unknown, line: number, elementLines?: number[]): void {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        const itemLine = elementLines?.[index] ?? line;
        if (Array.isArray(item)) this.malformed(itemLine, 'a JSON array inside an array is not a record');
        else this.readRecord(item, itemLine);
      });
      return;
    }
    this.readRecord(value, line);
  }

  readRecord(value: unknown, line: number): void {
    try {
      const kind = recordKind(value);
      if (kind === 'audit-event')
        this.readAuditEvent(this.parseAudit(value, `line-${line}`), line, 'audit-event');
      else if (kind === 'audit-event-list') this.readEventList((value as { items: unknown }).items, line);
      else if (kind === 'cloudwatch-logs-event')
        this.readEnvelope(this.decodeAwsLogs(value), line, 'cloudwatch-logs-event');
      else if (kind === 'cloudwatch-envelope')
        this.readEnvelope(parseCloudWatchEnvelope(value), line, 'cloudwatch-envelope');
      else if (kind === 'guardduty-event')
        this.result.records.push({ line, kind: 'guardduty-event', result: normalizeGuardDutyEvent(value) });
      else this.malformed(line, unrecognizedRecord(value));
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
  for (const chunk of parseJsonText(text)) {
    if ('error' in chunk) reader.malformed(chunk.line, chunk.error);
    else reader.readValue(chunk.value, chunk.line, chunk.elementLines);
  }
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

/**
 * Reads the input and runs it through detection: every rule on every audit event (one detection per
 * (auditID, rule) per cluster), the KD-061 burst over the denials, and the GuardDuty normalizer.
 * Never throws on bad input.
 */
export async function analyzeInput(text: string, options: AnalyzeInputOptions): Promise<InputAnalysis> {
  const input = readInput(text, options);
  const config = options.config ?? DEFAULT_DETECTION_CONFIG;
  const counter = options.counter ?? new InMemoryDenialCounter();
  const detections: InputDetection[] = [];
  const ruleFailures: InputAnalysis['ruleFailures'] = [];
  const seen = new Set<string>();
  let burstFailure: string | undefined;
  for (const group of groupByOrigin(input.records)) {
    const { cluster, account } = group[0] as AuditInputRecord;
    const context = { cluster, account, config, now: options.now };
    const analysis = await analyzeAuditRecords(
      group.map((record) => ({ event: record.event, ref: record.line })),
      context,
      { counter, rules: options.rules, seen },
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
    ruleFailures: ruleFailures.map(({ line, ruleId, auditId, message }) => ({
      line,
      ruleId,
      auditId,
      message,
    })),
    ...(burstFailure === undefined ? {} : { burstFailure }),
  };
}
