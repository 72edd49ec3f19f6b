import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, SLASH_COMMAND } from '../../../core/chatops/commands/registry.ts';
import { manifestText, slackAppManifest } from '../../../core/chatops/manifest.ts';

const MANIFEST = join(import.meta.dirname, '..', '..', '..', 'deploy', 'slack', 'manifest.json');

interface Manifest {
  features: {
    slash_commands: { command: string; url?: string; usage_hint: string }[];
    app_home: { home_tab_enabled: boolean };
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url?: string };
    event_subscriptions: { request_url?: string; bot_events: string[] };
    socket_mode_enabled: boolean;
  };
}

describe('the Slack app manifest', () => {
  it('in the repository is the one the command registry generates (npm run manifest)', () => {
    expect(readFileSync(MANIFEST, 'utf8')).toBe(manifestText());
  });

  it('declares /k8s with the usage of every registered command, interactivity and the Home tab', () => {
    const manifest = slackAppManifest() as unknown as Manifest;

    const [command] = manifest.features.slash_commands;
    expect(manifest.features.slash_commands).toHaveLength(1);
    expect(command?.command).toBe(SLASH_COMMAND);
    expect(command?.usage_hint.split(' | ')).toEqual(COMMANDS.map((c) => c.usage.replace('/k8s ', '')));
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it('subscribes to app_home_opened at the same URL, so opening the Home tab publishes it', () => {
    const url = 'https://abc123.execute-api.us-east-1.amazonaws.com/slack/events';
    const manifest = slackAppManifest({ requestUrl: url }) as unknown as Manifest;

    expect(manifest.settings.event_subscriptions).toEqual({
      request_url: url,
      bot_events: ['app_home_opened'],
    });
    expect(
      (slackAppManifest({ socketMode: true }) as unknown as Manifest).settings.event_subscriptions,
    ).toEqual({ bot_events: ['app_home_opened'] });
  });

  it('leaves the event subscription out for the first install, keeping the rest', () => {
    const url = 'https://abc123.execute-api.us-east-1.amazonaws.com/slack/events';
    const manifest = slackAppManifest({ requestUrl: url, withoutEvents: true }) as unknown as Manifest;

    expect(manifest.settings.event_subscriptions).toBeUndefined();
    expect(manifest.settings.interactivity.request_url).toBe(url);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it('asks for the fewest scopes the bot uses', () => {
    expect((slackAppManifest() as unknown as Manifest).oauth_config.scopes.bot).toEqual([
      'channels:history',
      'chat:write',
      'commands',
      'files:write',
      'groups:history',
      'im:write',
      'usergroups:read',
      'users:read',
    ]);
  });

  it('points the command and interactivity at the deployed URL when given one', () => {
    const url = 'https://abc123.execute-api.us-east-1.amazonaws.com/slack/events';
    const manifest = slackAppManifest({ requestUrl: url }) as unknown as Manifest;

    expect(manifest.features.slash_commands[0]?.url).toBe(url);
    expect(manifest.settings.interactivity.request_url).toBe(url);
  });

  it('has no request URL over Socket Mode', () => {
    const manifest = slackAppManifest({ socketMode: true }) as unknown as Manifest;

    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(manifest)).not.toContain('https://');
  });
});
