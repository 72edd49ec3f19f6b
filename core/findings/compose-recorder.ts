import type { KubeguardConfig } from '../config/schema.ts';
import type { KubeguardError } from '../errors.ts';
import type { Clock, DeliveryTrigger } from '../ports.ts';
import { routeDetection } from '../routing.ts';
import { createFindingRecorder } from './pipeline.ts';
import type { FindingStore } from './ports.ts';

/** Ingest's side: the finding recorder wired to the configured routing and incident window. */
export function findingRecorderFor(deps: {
  config: KubeguardConfig;
  store: FindingStore;
  clock: Clock;
  trigger?: DeliveryTrigger;
  onNudgeFailure?: (error: KubeguardError) => void;
}) {
  return createFindingRecorder({
    store: deps.store,
    channelFor: (detection) => routeDetection(detection, deps.config.slack).channel,
    incidents: deps.config.incidents,
    now: deps.clock,
    ...(deps.trigger === undefined ? {} : { trigger: deps.trigger }),
    ...(deps.onNudgeFailure === undefined ? {} : { onNudgeFailure: deps.onNudgeFailure }),
  });
}

export type FindingRecorder = ReturnType<typeof findingRecorderFor>;
