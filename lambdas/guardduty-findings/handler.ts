import type { KubeguardConfig } from '../../core/config/schema.ts';
import { asKubeguardError } from '../../core/errors.ts';
import { guideForDetection } from '../../core/guardduty/guide.ts';
import { openFinding } from '../../core/model/finding.ts';
import type { Clock, SlackMessenger } from '../../core/ports.ts';
import { routeDetection } from '../../core/routing.ts';
import { buildAlertMessage } from '../../core/slack-views/alert.ts';
import { type FunctionLogger, getComposition } from '../composition.ts';
import { decodeGuardDutyEvent } from './decode.ts';

export interface GuardDutyHandlerDeps {
  config: KubeguardConfig;
  messenger: SlackMessenger;
  logger: FunctionLogger;
  clock: Clock;
}

export type GuardDutyHandlerResult =
  | { status: 'posted'; findingId: string; fingerprint: string; channel: string; ts: string }
  | { status: 'ignored'; reason: string };

export type GuardDutyHandler = (event: unknown) => Promise<GuardDutyHandlerResult>;

/**
 * EventBridge "GuardDuty Finding" → Slack alert. A malformed event throws its InvalidEventError, so
 * the asynchronous invocation's failure destination keeps it; a non-EKS finding is logged and
 * ignored; Slack errors propagate as KubeguardErrors (RATE_LIMITED, UPSTREAM…) so the invocation
 * is retried rather than the finding dropped.
 */
export function createGuardDutyHandler(deps: GuardDutyHandlerDeps): GuardDutyHandler {
  return async (event) => {
    const decoded = decode(event, deps.logger);
    if (decoded.kind === 'ignored') {
      deps.logger.info('GuardDuty finding ignored', { reason: decoded.reason });
      return { status: 'ignored', reason: decoded.reason };
    }
    const detection = decoded.detection;
    warnOnUnknownCluster(detection.cluster, deps);
    const finding = openFinding(detection, deps.clock());
    const route = routeDetection(detection, deps.config.slack);
    const message = buildAlertMessage(finding, guideForDetection(detection), route);
    const posted = await deps.messenger.postMessage({ channel: route.channel, ...message });
    deps.logger.info('GuardDuty alert posted', {
      findingId: detection.eventId,
      findingType: detection.findingType,
      ruleId: detection.ruleId,
      severity: detection.severity,
      sample: detection.sample === true,
      fingerprint: finding.fingerprint,
      channel: posted.channel,
      ts: posted.ts,
    });
    return {
      status: 'posted',
      findingId: detection.eventId,
      fingerprint: finding.fingerprint,
      channel: posted.channel,
      ts: posted.ts,
    };
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

/** A finding for a cluster missing from the config is still alerted: the account has it, so it matters. */
function warnOnUnknownCluster(cluster: string | undefined, deps: GuardDutyHandlerDeps): void {
  if (cluster === undefined || deps.config.clusters.some((c) => c.name === cluster)) return;
  deps.logger.warn('GuardDuty finding for a cluster not in kubeguard.config.json', {
    cluster,
    configuredClusters: deps.config.clusters.map((c) => c.name),
  });
}

let composed: GuardDutyHandler | undefined;

/** Lambda entry point (EventBridge rule target). */
export async function handler(event: unknown): Promise<GuardDutyHandlerResult> {
  composed ??= createGuardDutyHandler(getComposition());
  return composed(event);
}
