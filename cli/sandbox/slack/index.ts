import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlackApiServer } from './server.ts';
import { type SandboxChannel, type SandboxUser, SlackState } from './state.ts';

/**
 * The sandbox's Slack, ready to run beside the bot (bot/local.ts): the Web API the bot is pointed at
 * (`slackApiUrl`, token `botToken`), and on the same port the Slack-like page whose actions are
 * signed and posted to `botEventsUrl`.
 */
export { SlackApiServer } from './server.ts';
export type { SandboxChannel, SandboxUser } from './state.ts';
export { SlackState } from './state.ts';

export const DEFAULT_CHANNELS: readonly SandboxChannel[] = [
  { id: 'C0SANDBOX1', name: 'kubeguard-alerts' },
  { id: 'C0SANDBOX2', name: 'kubeguard-audit' },
];

export const DEFAULT_USERS: readonly SandboxUser[] = [
  { id: 'U0SANDBOXADM', name: 'alice', role: 'admin' },
  { id: 'U0SANDBOXVWR', name: 'victor', role: 'viewer' },
];

export const DEFAULT_TEAM_ID = 'T0SANDBOX';
export const DEFAULT_APP_ID = 'A0KUBEGUARD';
/** The token the sandbox's Web API accepts; give the same to the bot as SLACK_BOT_TOKEN. */
export const DEFAULT_BOT_TOKEN = 'xoxb-kubeguard-sandbox';

export interface SandboxSlackOptions {
  /** @default 0 (any free port); `npm start` uses 3000 */
  port?: number;
  /** The bot's `http://…/slack/events`; without it the page can read but not act. */
  botEventsUrl?: string;
  /** Signs what the page sends; the bot must verify with the same secret. */
  signingSecret?: string;
  channels?: readonly SandboxChannel[];
  users?: readonly SandboxUser[];
  teamId?: string;
  /** @default DEFAULT_BOT_TOKEN */
  botToken?: string;
  /** Members of each user group, for usergroups.users.list. */
  userGroups?: Readonly<Record<string, readonly string[]>>;
  /** How long a trigger id lasts. @default 3000 */
  triggerTtlMs?: number;
  /** How long the proxy waits for the bot's ack. @default 3000 */
  ackTimeoutMs?: number;
  /** More routes on the same server (the sandbox's own API). */
  extraRoutes?: (request: IncomingMessage, response: ServerResponse, path: string) => Promise<boolean>;
}

export interface SandboxSlack {
  /** The page: `http://127.0.0.1:PORT/` */
  url: string;
  /** For @slack/web-api `slackApiUrl` (`…/api/`). */
  slackApiUrl: string;
  botToken: string;
  port: number;
  state: SlackState;
  server: SlackApiServer;
  stop(): Promise<void>;
}

export async function startSandboxSlack(options: SandboxSlackOptions = {}): Promise<SandboxSlack> {
  const teamId = options.teamId ?? DEFAULT_TEAM_ID;
  const botToken = options.botToken ?? DEFAULT_BOT_TOKEN;
  const state = new SlackState({
    channels: options.channels ?? DEFAULT_CHANNELS,
    users: options.users ?? DEFAULT_USERS,
    teamId,
    // Real time: the page shows when each message arrived, and ts values order them.
    clock: Date.now,
  });
  const proxy =
    options.botEventsUrl === undefined || options.signingSecret === undefined
      ? undefined
      : {
          app: {
            team: { id: teamId, domain: 'kubeguard-sandbox' },
            apiAppId: DEFAULT_APP_ID,
            token: 'sandbox-verification-token',
          },
          signingSecret: options.signingSecret,
          botEventsUrl: options.botEventsUrl,
          ...(options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs }),
        };
  const server = await new SlackApiServer({
    token: botToken,
    state,
    strictTriggers: true,
    ...(options.triggerTtlMs === undefined ? {} : { triggerTtlMs: options.triggerTtlMs }),
    ...(options.userGroups === undefined ? {} : { userGroups: options.userGroups }),
    ...(proxy === undefined ? {} : { proxy }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.extraRoutes === undefined ? {} : { extraRoutes: options.extraRoutes }),
  }).start();
  return {
    url: `${server.origin}/`,
    slackApiUrl: server.url,
    botToken,
    port: Number(new URL(server.origin).port),
    state,
    server,
    stop: () => server.stop(),
  };
}
