import { describe, expect, it } from 'vitest';
import {
  blockActionsPayload,
  interactionForm,
  signedHeaders,
  slashCommandForm,
  viewSubmissionPayload,
} from '../../../../../cli/sandbox/slack/payloads.ts';
import { readFixtureFile } from '../../../../support/fixtures.ts';

/** The sandbox's builders reproduce the real requests of test/fixtures byte for byte where Slack's order is known. */
const app = {
  team: { id: 'T111', domain: 'workspace-domain', enterpriseId: 'E111', enterpriseName: 'Sandbox Org' },
  apiAppId: 'A111',
  token: 'verification_token',
};
const user = { id: 'W111', name: 'primary-owner' };

describe('Slack request builders', () => {
  it('builds the block_actions payload of the real fixture, and signs its body to the fixture’s signature', () => {
    const fixture = readFixtureFile('slack-block-actions.json') as {
      payload: Record<string, unknown>;
      rawBody: string;
      headers: Record<string, string>;
    };

    const payload = blockActionsPayload({
      ...app,
      user,
      container: { type: 'message', message_ts: '111.222', channel_id: 'C111', is_ephemeral: true },
      triggerId: '111.222.valid',
      channel: { id: 'C111', name: 'test-channel' },
      responseUrl: 'https://hooks.slack.com/actions/T111/111/random-value',
      action: {
        type: 'button',
        action_id: 'a',
        block_id: 'b',
        text: { type: 'plain_text', text: 'Button', emoji: true },
        value: 'click_me_123',
      },
      actionTs: '1596530385.194939',
    });

    expect(payload).toEqual(fixture.payload);
    expect(JSON.stringify(payload)).toBe(JSON.stringify(fixture.payload));
    expect(interactionForm(fixture.payload)).toBe(fixture.rawBody);
    expect(signedHeaders(fixture.rawBody, '8f742231b10e8888abcd99yyyzzz85a5', 1715787000)).toEqual(
      fixture.headers,
    );
  });

  it('builds the view_submission payload of the real fixture, in Slack’s field order', () => {
    const fixture = readFixtureFile('slack-view-submission.json') as {
      payload: { view: Record<string, unknown> };
      rawBody: string;
    };

    const payload = viewSubmissionPayload({
      ...app,
      user,
      triggerId: '111.222.valid',
      view: fixture.payload.view,
    });

    expect(interactionForm(payload)).toBe(fixture.rawBody);
  });

  it('builds a slash command with the real fields, plus the app id and enterprise flag Slack adds', () => {
    const fixture = readFixtureFile('slack-slash-command.json') as { parsed: Record<string, string> };

    const form = slashCommandForm({
      ...app,
      team: { ...app.team, domain: 'test-domain', enterpriseName: 'Org Name' },
      user,
      channel: { id: 'C111', name: 'random' },
      command: '/hello-world',
      text: 'Hi',
      responseUrl: 'https://hooks.slack.com/commands/T111/111/xxxxx',
      triggerId: '111.111.xxx',
    });

    expect(Object.fromEntries(form)).toEqual({
      ...fixture.parsed,
      api_app_id: 'A111',
      is_enterprise_install: 'false',
    });
  });
});
