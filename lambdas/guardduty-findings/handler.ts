import type { Context } from 'aws-lambda';
import { configuredCluster } from '../../core/config/accounts.ts';
import type { KubeguardConfig } from '../../core/config/schema.ts';
import { asKubeguardError } from '../../core/errors.ts';
import type { RecordReport } from '../../core/findings/pipeline.ts';
import type { Detection } from '../../core/model/detection.ts';
import { fingerprintOf } from '../../core/model/finding.ts';
import { METRICS } from '../../core/observability/metrics.ts';
import { type MetricsRecorder, noMetrics } from '../../core/observability/recorder.ts';
import type { FunctionLogger } from '../shared/logger.ts';
import { observeInvocation } from '../shared/observability.ts';
import { composeGuardDutyFindings } from './composition.ts';
import { decodeGuardDutyEvent } from './decode.ts';

export interface GuardDutyHandlerDeps {
  config: KubeguardConfig;
  logger: FunctionLogger;
  /** The finding recorder: stores the finding and nudges alert delivery. */
  findings: { record(detections: readonly Detection[]): Promise<RecordReport> };
  /** Detections per rule: a finding revision stored for the first time. @default none */
  metrics?: MetricsRecorder;
}

export type GuardDutyHandlerResult =
  | {
      status: 'stored';
      findingId: string;
      fingerprint: string;
      /** False for a redelivered finding revision already counted. */
      newOccurrence: boolean;
      /** True when Slack must be told (the delivery function posts or updates the alert). */
      toDeliver: boolean;
    }
  | { status: 'ignored'; reason: string };

export type GuardDutyHandler = (event: unknown) => Promise<GuardDutyHandlerResult>;

/**
 * EventBridge "GuardDuty Finding" → findings store; the delivery function posts the alert. A
 * malformed event throws its InvalidEventError, so the asynchronous invocation's failure destination
 * keeps it; a non-EKS finding is logged and ignored. The function only records: it never waits on
 * Slack. A store failure throws so the invocation is retried, and a redelivered finding revision is
 * counted once.
 */
export function createGuardDutyHandler(deps: GuardDutyHandlerDeps): GuardDutyHandler {
  return async (event) => {
    const decoded = decode(event, deps.logger);
    if (decoded.kind === 'ignored') {
      deps.logger.info('GuardDuty finding ignored', { reason: decoded.reason });
      return { status: 'ignored', reason: decoded.reason };
    }
    const detection = decoded.detection;
    warnOnUnknownCluster(detection, deps);
    const report = await deps.findings.record([detection]);
    const result = {
      status: 'stored' as const,
      findingId: detection.eventId,
      // The incident it joined (the recorder may keep a GuardDuty finding apart from its base incident).
      fingerprint: report.fingerprints[0] ?? fingerprintOf(detection),
      newOccurrence: report.occurrencesStored > 0,
      toDeliver: report.toDeliver > 0,
    };
    if (result.newOccurrence) (deps.metrics ?? noMetrics).add(METRICS.detections, 1, detection.ruleId);
    deps.logger.info('GuardDuty finding stored', {
      ...result,
      findingType: detection.findingType,
      ruleId: detection.ruleId,
      severity: detection.severity,
      sample: detection.sample === true,
    });
    return result;
  };
}

function decode(event: unknown, logger: FunctionLogger): ReturnType<typeof decodeGuardDutyEvent> {
  try {
    return decodeGuardDutyEvent(event);
  } catch (error) {
    const failure = asKubeguardError(error);
    logger.error('GuardDuty event rejected', {
      code: failure.code,
      error: failure.message,
      details: failure.details,
    });
    throw failure;
  }
}

/**
 * A finding for a cluster missing from the config is still alerted: the account has it, so it
 * matters. The cluster is looked up in the finding's account (the delegated administrator receives
 * every member's findings): a cluster of the same name in another account is not that cluster.
 */
function warnOnUnknownCluster(detection: Detection, deps: GuardDutyHandlerDeps): void {
  const { cluster, account } = detection;
  if (cluster === undefined || configuredCluster(deps.config, cluster, account) !== undefined) return;
  deps.logger.warn('GuardDuty finding for a cluster not in kubeguard.config.json', {
    cluster,
    ...(account === undefined ? {} : { account }),
    configuredClusters: deps.config.clusters.map((c) => c.name),
  });
}

let composed: GuardDutyHandler | undefined;

/** Lambda entry point (EventBridge rule target): the Lambda context on every log line, metrics at the end. */
export async function handler(event: unknown, context?: Context): Promise<GuardDutyHandlerResult> {
  const deps = composeGuardDutyFindings();
  composed ??= createGuardDutyHandler(deps);
  const run = composed;
  return observeInvocation(deps.observability, context, () => run(event));
}
