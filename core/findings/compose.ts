import type { KubeguardConfig } from '../config/schema.ts';
import { ChannelPacer, DEFAULT_RETRY_POLICY, type Timers } from '../delivery/retry.ts';
import type { SlackMessenger } from '../ports.ts';
import { routeDetection } from '../routing.ts';
import { createFindingPipeline } from './pipeline.ts';
import type { FindingStore } from './ports.ts';
import { renderFindingAlert } from './render.ts';

/** The finding pipeline wired to the configured routing and alert view. */
export function findingPipelineFor(deps: {
  config: KubeguardConfig;
  store: FindingStore;
  messenger: SlackMessenger;
  timers: Timers;
}) {
  return createFindingPipeline({
    store: deps.store,
    messenger: deps.messenger,
    render: (finding) => renderFindingAlert(finding, deps.config.slack),
    pacer: new ChannelPacer(deps.timers),
    timers: deps.timers,
    retry: DEFAULT_RETRY_POLICY,
    channelFor: (detection) => routeDetection(detection, deps.config.slack).channel,
    incidents: deps.config.incidents,
    now: () => new Date(deps.timers.nowMs()).toISOString(),
  });
}

export type FindingPipeline = ReturnType<typeof findingPipelineFor>;
