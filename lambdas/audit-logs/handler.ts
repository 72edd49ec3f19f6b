import type { Context } from 'aws-lambda';
import { clusterInAccount, configuredCluster } from '../../core/config/accounts.ts';
import type { KubeguardConfig } from '../../core/config/schema.ts';
import type { AuditContext } from '../../core/detection/engine.ts';
import { asKubeguardError } from '../../core/errors.ts';
import { analyzeAuditRecords } from '../../core/ingest/audit-analysis.ts';
import {
  type AuditLogEnvelope,
  type KinesisLogRecord,
  MALFORMED_EXAMPLES,
  MalformedTally,
  parseAuditLogEvents,
} from '../../core/ingest/cloudwatch.ts';
import { METRICS } from '../../core/observability/metrics.ts';
import { type MetricsRecorder, noMetrics } from '../../core/observability/recorder.ts';
import type { Clock, DenialCounter, DetectionSink } from '../../core/ports.ts';
import type { FunctionLogger } from '../shared/logger.ts';
import { observeInvocation } from '../shared/observability.ts';
import { composeAuditLogs } from './composition.ts';
import { auditLogsKinesisRecords, decodeAuditLogsEvent, decodeAuditLogsRecord } from './decode.ts';

export interface AuditLogsHandlerDeps {
  config: KubeguardConfig;
  /** Findings store + alert delivery. */
  sink: DetectionSink;
  /** KD-061 burst state across invocations (DynamoDB). */
  counter: DenialCounter;
  logger: FunctionLogger;
  clock: Clock;
  /** AuditLogEvents per cluster, every batch; Detections per rule once stored. @default none */
  metrics?: MetricsRecorder;
}

/** What one invocation did; also written to the log. */
export interface AuditLogsSummary {
  /** Audit events analysed. */
  records: number;
  detections: number;
  /** Log events (or a whole event) that could not be decoded. */
  malformed: number;
  /** Control messages and log streams that hold no audit events. */
  skipped: number;
}

export type AuditLogsHandler = (event: unknown) => Promise<AuditLogsSummary>;

type AuditBatch = Extract<AuditLogEnvelope, { kind: 'audit' }>;

/**
 * EKS audit logs (CloudWatch Logs subscription, or for member accounts the Kinesis stream of the
 * cross-account CloudWatch Logs destination, D59) → detections → the detection sink.
 *
 * Failure policy. CloudWatch Logs invokes the function asynchronously, and an asynchronous
 * invocation has no partial-batch response: the only lever is to fail the whole invocation, which
 * Lambda retries twice. So bad input never fails it — malformed log events are counted while the
 * rest of the batch goes on and logged as one aggregate line (counts by reason, the first 20 with
 * their ids), and an undecodable or oversized event (more than 10,000 log events or 8 MB
 * decompressed) is logged in one line and dropped (retrying it cannot help). The handler throws
 * only when a store write fails: the sink (findings store) or the denial counter (same table).
 * Redelivery is then safe: every detection carries its request's identity as eventId (the auditID
 * with request facts, decision D21) and the store keeps one occurrence per event id; denials
 * counted twice can only make a KD-061 burst fire earlier.
 *
 * A Kinesis event holds several subscription payloads, one per record: each is decoded and analysed
 * on its own, a record that cannot be decoded is counted and named (one aggregate line) while the
 * rest go on, and a store failure fails the invocation, so that Lambda retries the whole batch
 * (at-least-once, as above: records already analysed are deduplicated by event id).
 */
export function createAuditLogsHandler(deps: AuditLogsHandlerDeps): AuditLogsHandler {
  return async (event) => {
    const records = auditLogsKinesisRecords(event);
    if (records !== undefined) return analyzeKinesisRecords(records, deps);
    return analyzeEnvelope(decode(event, deps.logger), deps);
  };
}

/** Every record of a Kinesis batch in order; the summaries added up. */
async function analyzeKinesisRecords(
  records: readonly KinesisLogRecord[],
  deps: AuditLogsHandlerDeps,
): Promise<AuditLogsSummary> {
  const total: AuditLogsSummary = { records: 0, detections: 0, malformed: 0, skipped: 0 };
  const rejected: { eventId: string; code: string; error: string }[] = [];
  let rejectedCount = 0;
  for (const record of records) {
    let batch: AuditLogEnvelope;
    try {
      batch = decodeAuditLogsRecord(record);
    } catch (error) {
      const failure = asKubeguardError(error);
      total.malformed += 1;
      rejectedCount += 1;
      if (rejected.length < MALFORMED_EXAMPLES) {
        rejected.push({ eventId: record.id, code: failure.code, error: failure.message });
      }
      continue;
    }
    const summary = await analyzeEnvelope(batch, deps);
    total.records += summary.records;
    total.detections += summary.detections;
    total.malformed += summary.malformed;
    total.skipped += summary.skipped;
  }
  // One line for the batch, however many records are bad (D17).
  if (rejected.length > 0) {
    deps.logger.error('Kinesis records rejected', {
      rejected: rejectedCount,
      records: records.length,
      examples: rejected,
    });
  }
  return total;
}

async function analyzeEnvelope(
  batch: AuditLogEnvelope | undefined,
  deps: AuditLogsHandlerDeps,
): Promise<AuditLogsSummary> {
  if (batch === undefined) return { records: 0, detections: 0, malformed: 1, skipped: 0 };
  if (batch.kind === 'control') {
    deps.logger.info('CloudWatch Logs control message ignored');
    return { records: 0, detections: 0, malformed: 0, skipped: 1 };
  }
  if (batch.kind === 'skipped') {
    deps.logger.info('log stream skipped', {
      reason: batch.reason,
      logGroup: batch.logGroup,
      logStream: batch.logStream,
    });
    return { records: 0, detections: 0, malformed: 0, skipped: 1 };
  }
  return analyzeBatch(batch, deps);
}

function decode(event: unknown, logger: FunctionLogger): AuditLogEnvelope | undefined {
  try {
    return decodeAuditLogsEvent(event);
  } catch (error) {
    const failure = asKubeguardError(error);
    logger.error('CloudWatch Logs event rejected', {
      code: failure.code,
      error: failure.message,
      details: failure.details,
    });
    return undefined;
  }
}

async function analyzeBatch(batch: AuditBatch, deps: AuditLogsHandlerDeps): Promise<AuditLogsSummary> {
  const where = { logGroup: batch.logGroup, logStream: batch.logStream };
  const malformed = new MalformedTally();
  let analysed = 0;
  // Streamed: log events are parsed a run at a time as the analysis reaches them (PARSE_RUN), so the
  // batch is never all in memory.
  const records = (function* () {
    for (const record of parseAuditLogEvents(batch.logEvents, malformed)) {
      analysed += 1;
      yield { event: record.event, ref: record.logEventId };
    }
  })();
  const context = auditContext(batch, deps);
  // Every batch, detections or not: the "no audit-log event from a cluster" alarm reads it.
  (deps.metrics ?? noMetrics).add(
    METRICS.auditLogEvents,
    batch.logEvents.length,
    context.cluster ?? batch.logGroup,
  );
  const analysis = await analyzeAuditRecords(records, context, { counter: deps.counter });
  // One line per batch, however many entries are bad: a hostile batch cannot flood the log (D17).
  if (malformed.total > 0)
    deps.logger.warn('audit log events rejected', { ...malformed.summary(), ...where });
  for (const failure of analysis.ruleFailures) {
    deps.logger.error('detection rule failed', {
      ruleId: failure.ruleId,
      auditId: failure.auditId,
      logEventId: failure.ref,
      error: failure.message,
    });
  }
  const detections = analysis.detections.map((found) => found.detection);
  if (detections.length > 0) {
    try {
      await deps.sink.accept(detections);
    } catch (error) {
      const failure = asKubeguardError(error);
      deps.logger.error('detections not stored; failing so that Lambda retries the batch', {
        code: failure.code,
        error: failure.message,
        detections: detections.length,
        ...where,
      });
      throw failure;
    }
    for (const detection of detections)
      (deps.metrics ?? noMetrics).add(METRICS.detections, 1, detection.ruleId);
  }
  if (analysis.burstFailure !== undefined) {
    const failure = asKubeguardError(analysis.burstFailure);
    deps.logger.error('denial counter failed; failing so that Lambda retries the batch', {
      code: failure.code,
      error: failure.message,
      ...where,
    });
    throw failure;
  }
  const summary = {
    records: analysed,
    detections: detections.length,
    malformed: malformed.total,
    skipped: 0,
  };
  deps.logger.info('audit log batch analysed', { ...summary, cluster: batch.cluster, ...where });
  return summary;
}

/**
 * The configured cluster whose audit log group this is, in the account that owns the log group (by
 * `auditLogGroup`, then by the name in `/aws/eks/<name>/cluster`). A cluster missing from the config is still analysed: its logs reached
 * us, so its detections matter; the warning says how to fix the config.
 */
function auditContext(batch: AuditBatch, deps: AuditLogsHandlerDeps): AuditContext {
  const { config } = deps;
  const { clusters, detection } = config;
  // The log group's owner: a cluster of the same name in another account is another cluster.
  const account = batch.account === '' ? undefined : batch.account;
  const cluster =
    clusters.find(
      (c) =>
        c.auditLogGroup === batch.logGroup && (account === undefined || clusterInAccount(config, c, account)),
    ) ?? configuredCluster(config, batch.cluster, account);
  if (cluster === undefined) {
    deps.logger.warn('audit logs from a cluster not in kubeguard.config.json', {
      logGroup: batch.logGroup,
      cluster: batch.cluster,
      ...(account === undefined ? {} : { account }),
      configuredClusters: clusters.map((c) => c.name),
    });
  }
  return {
    cluster: cluster?.name ?? batch.cluster,
    account,
    region: cluster?.region,
    config: detection,
    now: deps.clock(),
  };
}

let composed: AuditLogsHandler | undefined;

/**
 * Lambda entry point (CloudWatch Logs subscription filter target on each cluster's audit log group):
 * the Lambda context on every log line, metrics written when the invocation ends.
 */
export async function handler(event: unknown, context?: Context): Promise<AuditLogsSummary> {
  const deps = composeAuditLogs();
  composed ??= createAuditLogsHandler(deps);
  const run = composed;
  return observeInvocation(deps.observability, context, () => run(event));
}
