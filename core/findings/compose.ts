import type { KubeguardConfig } from '../config/schema.ts';
import { createAlertDelivery } from '../delivery/outbox.ts';
import { ChannelPacer, DEFAULT_RETRY_POLICY, type Timers } from '../delivery/retry.ts';
import type { SlackMessenger } from '../ports.ts';
import type { FindingStore } from './ports.ts';
import { renderFindingAlert } from './render.ts';

// Ingest's side lives apart, so the ingest functions' bundles hold no alert rendering.
export { type FindingRecorder, findingRecorderFor } from './compose-recorder.ts';

/** The delivery function's side: alert delivery wired to the configured alert view and Slack pacing. */
export function alertDeliveryFor(deps: {
  config: KubeguardConfig;
  store: FindingStore;
  messenger: SlackMessenger;
  timers: Timers;
  /** Least time between two posts to one channel. @default 1000 (Slack's pace); the sandbox's Slack has none */
  channelPaceMs?: number;
}) {
  return createAlertDelivery({
    store: deps.store,
    messenger: deps.messenger,
    render: (finding) => renderFindingAlert(finding, deps.config.slack, deps.config.accounts),
    pacer: new ChannelPacer(deps.timers, deps.channelPaceMs),
    timers: deps.timers,
    retry: DEFAULT_RETRY_POLICY,
  });
}
