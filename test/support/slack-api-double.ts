import {
  type ScriptedFailure,
  type SlackApiCall,
  SlackApiServer,
  type SlackApiServerOptions,
} from '../../cli/sandbox/slack/server.ts';

/**
 * The Slack Web API double of the tests is the sandbox's own Slack server
 * (cli/sandbox/slack/server.ts), one implementation: a real HTTP server on 127.0.0.1 speaking the
 * methods kubeguard calls the way slack.com does, with scripted failures and every call recorded.
 * Here it takes any trigger id (the fixtures carry ones Slack minted) and any channel unless given a
 * list. Point @slack/web-api at `url`.
 */
export type { EphemeralMessage, OpenedView, StoredMessage } from '../../cli/sandbox/slack/state.ts';
export type { ScriptedFailure, SlackApiCall };

export type SlackApiDoubleOptions = Pick<SlackApiServerOptions, 'token' | 'userGroups' | 'clock'> & {
  /** When set, any other channel answers `channel_not_found`. */
  channels?: readonly string[];
};

export class SlackApiDouble extends SlackApiServer {
  constructor(options: SlackApiDoubleOptions) {
    super(options);
  }
}

/** Starts a double on a random loopback port. */
export async function startSlackApiDouble(options: SlackApiDoubleOptions): Promise<SlackApiDouble> {
  return new SlackApiDouble(options).start();
}
