import type { Context } from 'aws-lambda';
import { asKubeguardError } from '../../core/errors.ts';
import type { RecordReport } from '../../core/findings/pipeline.ts';
import type { Detection } from '../../core/model/detection.ts';
import { fingerprintOf } from '../../core/model/finding.ts';
import type { Severity } from '../../core/model/severity.ts';
import { METRICS } from '../../core/observability/metrics.ts';
import { type MetricsRecorder, noMetrics } from '../../core/observability/recorder.ts';
import type { Clock } from '../../core/ports.ts';
import {
  IMAGE_ALERT_RULE_ID,
  imageAlertDetection,
  matchImageFindings,
} from '../../core/supply-chain/image-alerts.ts';
import type { ImageFinding } from '../../core/supply-chain/image-finding.ts';
import { decodeInspectorEvent } from '../../core/supply-chain/inspector-event.ts';
import type { NotRunningImageStore } from '../../core/supply-chain/not-running.ts';
import type { ImageFindingSource, RunningImageSource } from '../../core/supply-chain/ports.ts';
import type { FunctionLogger } from '../shared/logger.ts';
import { observeInvocation } from '../shared/observability.ts';
import { composeImageFindings } from './composition.ts';

export interface ImageFindingsHandlerDeps {
  logger: FunctionLogger;
  /** The finding recorder: stores each alert's detection and nudges alert delivery. */
  findings: { record(detections: readonly Detection[]): Promise<RecordReport> };
  /** Inspector's current findings (ListFindings). */
  images: Pick<ImageFindingSource, 'findingsForImage'>;
  /** The containers running in the configured clusters. */
  running: RunningImageSource;
  /** Vulnerable images that run nowhere, counted in the weekly digest. */
  notRunning: NotRunningImageStore;
  clock: Clock;
  /** Detections stored for the first time, per rule. @default none */
  metrics?: MetricsRecorder;
}

/** Counted as running nowhere; not counted (it runs, or has no active finding); left as it was. */
export type NotRunningVerdict = 'counted' | 'not counted' | 'unchanged';

export type ImageFindingsResult =
  | {
      status: 'evaluated';
      digest: string;
      /** The event's finding and its status (a CLOSED or SUPPRESSED one re-evaluates the image too). */
      findingArn: string;
      findingStatus: ImageFinding['status'];
      /** The image's active findings after the event (ListFindings, the event's finding merged in). */
      activeFindings: number;
      /** One per severity of the image's active findings, when something runs it. */
      alerts: { severity: Severity; fingerprint: string; workloads: number }[];
      /** New alert revisions stored (0 for a redelivered event). */
      occurrencesStored: number;
      toDeliver: number;
      /** What the not-running count now says of the image. */
      notRunning: NotRunningVerdict;
      unreadableClusters: string[];
    }
  | { status: 'ignored'; reason: string };

export type ImageFindingsHandler = (event: unknown) => Promise<ImageFindingsResult>;

/**
 * EventBridge "Inspector2 Finding" on an ECR image → the image's current findings (ListFindings by
 * digest, the event's own finding merged in when the API lags behind it) → the containers running
 * that digest in every configured cluster → one alert per severity, recorded with the finding
 * recorder (the delivery function posts it). The alert is keyed by digest and severity, so a new
 * finding or a closed one updates it in place, and a closed or suppressed finding re-evaluates the
 * image: a fixed image's alert stops growing, a severity with nothing left is not recorded again.
 * An image no cluster runs is no alert: it is counted for the digest (when every cluster could be
 * read; otherwise the count is left as it was). A malformed event is logged and thrown for the
 * failure destination; Inspector or store failures throw so Lambda retries, and a redelivered event
 * stores nothing new (the alert's event id hashes its content).
 */
export function createImageFindingsHandler(deps: ImageFindingsHandlerDeps): ImageFindingsHandler {
  return async (event) => {
    const decoded = decode(event, deps.logger);
    if (decoded.kind === 'ignored') {
      deps.logger.info('Inspector finding ignored', { reason: decoded.reason });
      return { status: 'ignored', reason: decoded.reason };
    }
    const finding = decoded.finding;
    const { digest } = finding.image;
    const [listed, running] = await Promise.all([
      deps.images.findingsForImage({ account: finding.account, region: finding.region, digest }),
      deps.running.runningContainers(),
    ]);
    const active = withEventFinding(listed, finding);
    const match = matchImageFindings(
      active,
      running.containers.filter((container) => container.digest === digest),
    );
    const detections = match.alerts.map((alert) =>
      imageAlertDetection(alert, { unreadableClusters: running.unreadable }),
    );
    const report = detections.length === 0 ? undefined : await deps.findings.record(detections);
    const notRunning = await countNotRunning(deps, {
      digest,
      repository: `${finding.image.registry}/${finding.image.repositoryName}`,
      match,
      everyClusterRead: running.unreadable.length === 0,
    });
    const occurrencesStored = report?.occurrencesStored ?? 0;
    if (occurrencesStored > 0)
      (deps.metrics ?? noMetrics).add(METRICS.detections, occurrencesStored, IMAGE_ALERT_RULE_ID);
    const result: ImageFindingsResult = {
      status: 'evaluated',
      digest,
      findingArn: finding.findingArn,
      findingStatus: finding.status,
      activeFindings: active.length,
      alerts: match.alerts.map((alert, at) => ({
        severity: alert.severity,
        fingerprint: report?.fingerprints[at] ?? fingerprintOf(detections[at] as Detection),
        workloads: new Set(alert.running.map((c) => `${c.cluster}/${c.namespace}/${c.workload}`)).size,
      })),
      occurrencesStored,
      toDeliver: report?.toDeliver ?? 0,
      notRunning,
      unreadableClusters: running.unreadable.map((u) => u.cluster),
    };
    if (running.unreadable.length > 0) {
      deps.logger.warn('clusters could not be read: image alerts may miss workloads', {
        unreadable: running.unreadable,
      });
    }
    deps.logger.info('Inspector finding evaluated', result);
    return result;
  };
}

/**
 * ListFindings' answer with the event's finding in its place: an ACTIVE finding the API does not
 * list yet is added, a CLOSED or SUPPRESSED one it still lists is removed — unless the API holds a
 * newer revision of it (`updatedAt`), which wins.
 */
function withEventFinding(listed: readonly ImageFinding[], event: ImageFinding): ImageFinding[] {
  const same = listed.find((f) => f.findingArn === event.findingArn);
  const others = listed.filter((f) => f.findingArn !== event.findingArn);
  if (same !== undefined && same.updatedAt > event.updatedAt) return [...others, same];
  return event.status === 'ACTIVE' ? [...others, event] : others;
}

async function countNotRunning(
  deps: ImageFindingsHandlerDeps,
  image: {
    digest: string;
    repository: string;
    match: ReturnType<typeof matchImageFindings>;
    everyClusterRead: boolean;
  },
): Promise<NotRunningVerdict> {
  const at = deps.clock();
  const idle = image.match.notRunning.find((entry) => entry.digest === image.digest);
  if (idle !== undefined) {
    // Running nowhere we could read: counted only when every cluster was read.
    if (!image.everyClusterRead) return 'unchanged';
    await deps.notRunning.markNotRunning({
      digest: image.digest,
      repository: image.repository,
      severities: idle.severities,
      findings: idle.findings,
      seenAt: at,
    });
    return 'counted';
  }
  // Running somewhere, or no active finding left: not a vulnerable idle image.
  await deps.notRunning.forget(image.digest, at);
  return 'not counted';
}

function decode(event: unknown, logger: FunctionLogger): ReturnType<typeof decodeInspectorEvent> {
  try {
    return decodeInspectorEvent(event);
  } catch (error) {
    const failure = asKubeguardError(error);
    logger.error('Inspector event rejected', {
      code: failure.code,
      error: failure.message,
      details: failure.details,
    });
    throw failure;
  }
}

let composed: ImageFindingsHandler | undefined;

/** Lambda entry point (EventBridge rule target): the Lambda context on every log line, metrics at the end. */
export async function handler(event: unknown, context?: Context): Promise<ImageFindingsResult> {
  const deps = composeImageFindings();
  composed ??= createImageFindingsHandler(deps);
  const run = composed;
  return observeInvocation(deps.observability, context, () => run(event));
}
