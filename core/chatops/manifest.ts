import type { CommandSpec } from './commands/command.ts';
import { COMMANDS, SLASH_COMMAND } from './commands/registry.ts';

/**
 * The Slack app manifest (https://api.slack.com/reference/manifests), generated from the command
 * registry so the `/k8s` usage Slack shows and the commands the bot handles cannot drift apart
 * (deploy/slack/manifest.json; `npm run manifest`; a unit test keeps the file equal to this).
 *
 * Scopes are the fewest the bot uses: `commands` (/k8s), `chat:write` (alerts, thread notes,
 * ephemeral answers), `usergroups:read` (roles granted to user groups), `channels:history` and
 * `groups:history` (finding an alert again when Slack's answer to its post was lost, public and
 * private channels), and for the digests `users:read` (a person's time zone), `im:write` (a digest or
 * a preview by direct message) and `files:write` (the trend chart). The Home tab is on and `app_home_opened` (no scope needed) is subscribed to:
 * bot/listeners/events.ts queues the tab's publication when a person opens it.
 */
export const BOT_SCOPES = [
  'channels:history',
  'chat:write',
  'commands',
  'files:write',
  'groups:history',
  'im:write',
  'usergroups:read',
  'users:read',
] as const;

/** Events API events the bot subscribes to (bot/listeners/events.ts). */
export const BOT_EVENTS = ['app_home_opened'] as const;

/** What the repository's manifest carries until the deployed URL is known (docs/slack-bot.md). */
export const PLACEHOLDER_REQUEST_URL = 'https://kubeguard.example.com/slack/events';

export interface ManifestOptions {
  /** The deployed endpoint (the stack's SlackRequestUrl output). @default PLACEHOLDER_REQUEST_URL */
  requestUrl?: string;
  /** Socket Mode (a developer's workspace, bot/local.ts with SLACK_APP_TOKEN): no request URLs. */
  socketMode?: boolean;
  /**
   * Leave the event subscription out: the first install, before the signing secret is stored, when
   * kubeguard cannot yet answer the URL check Slack makes for it (docs/deploy.md §5). @default false
   */
  withoutEvents?: boolean;
  commands?: readonly CommandSpec[];
}

export function slackAppManifest(options: ManifestOptions = {}): Record<string, unknown> {
  const requestUrl = options.requestUrl ?? PLACEHOLDER_REQUEST_URL;
  const socketMode = options.socketMode === true;
  const commands = options.commands ?? COMMANDS;
  const url = socketMode ? {} : { url: requestUrl };
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: 'kubeguard',
      description: 'Security alerts for Amazon EKS, answered from Slack',
      long_description:
        'kubeguard posts GuardDuty and EKS audit-log detections as one alert per incident and lets authorized people list, acknowledge and suppress findings from Slack (/k8s and the alert buttons). Every request is verified, authorized per role and cluster, recorded in an audit trail, and acknowledged within three seconds; the work runs from a queue.',
      background_color: '#1d3557',
    },
    features: {
      app_home: { home_tab_enabled: true, messages_tab_enabled: false, messages_tab_read_only_enabled: true },
      bot_user: { display_name: 'kubeguard', always_online: true },
      slash_commands: [
        {
          command: SLASH_COMMAND,
          ...url,
          description: 'kubeguard: findings, acknowledgements, suppressions, status',
          usage_hint: commands.map((command) => command.usage.replace(`${SLASH_COMMAND} `, '')).join(' | '),
          should_escape: false,
        },
      ],
    },
    oauth_config: { scopes: { bot: [...BOT_SCOPES] } },
    settings: {
      ...(options.withoutEvents === true
        ? {}
        : {
            event_subscriptions: {
              ...(socketMode ? {} : { request_url: requestUrl }),
              bot_events: [...BOT_EVENTS],
            },
          }),
      interactivity: { is_enabled: true, ...(socketMode ? {} : { request_url: requestUrl }) },
      org_deploy_enabled: false,
      socket_mode_enabled: socketMode,
      token_rotation_enabled: false,
    },
  };
}

/** The manifest as the repository keeps it: two-space JSON and a final newline. */
export function manifestText(options: ManifestOptions = {}): string {
  return `${JSON.stringify(slackAppManifest(options), null, 2)}\n`;
}
