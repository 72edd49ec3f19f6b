import type { KubeguardConfig } from '../config/schema.ts';
import { createAlertDelivery } from '../delivery/outbox.ts';
import { ChannelPacer, DEFAULT_RETRY_POLICY, type Timers } from '../delivery/retry.ts';
import type { KubeguardError } from '../errors.ts';
import type { Clock, DeliveryTrigger, SlackMessenger } from '../ports.ts';
import { routeDetection } from '../routing.ts';
import { createFindingRecorder } from './pipeline.ts';
import type { FindingStore } from './ports.ts';
import { renderFindingAlert } from './render.ts';

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

/** The delivery function's side: alert delivery wired to the configured alert view and Slack pacing. */
export function alertDeliveryFor(deps: {
  config: KubeguardConfig;
  store: FindingStore;
  messenger: SlackMessenger;
  timers: Timers;
}) {
  return createAlertDelivery({
    store: deps.store,
    messenger: deps.messenger,
    render: (finding) => renderFindingAlert(finding, deps.config.slack),
    pacer: new ChannelPacer(deps.timers),
    timers: deps.timers,
    retry: DEFAULT_RETRY_POLICY,
  });
}
