import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cachedUserGroupDirectory,
  createBotWebClient,
  createSlackReplies,
  createSlackViews,
  createUserGroupDirectory,
} from '../../../../adapters/slack/bot-web-api.ts';
import { buildSuppressForm } from '../../../../core/slack-views/suppress-form.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../../../support/slack-api-double.ts';

const TOKEN = 'xoxb-bot-web-api';
let slack: SlackApiDouble;
beforeAll(async () => {
  slack = await startSlackApiDouble({
    token: TOKEN,
    channels: ['C0ALERTS'],
    userGroups: { S0ONCALL: ['U0ONCALL', 'U0OTHER'] },
  });
});
afterAll(async () => {
  await slack.stop();
});
beforeEach(() => slack.reset());

const client = () => createBotWebClient({ token: TOKEN, slackApiUrl: slack.url });

describe('the bot’s Slack Web API calls', () => {
  it('answers through the response URL, ephemerally, leaving the original message alone', async () => {
    const replies = createSlackReplies({
      client: client(),
      extraResponseOrigins: [new URL(slack.url).origin],
    });

    await replies.reply(
      { userId: 'U0ONCALL', channelId: 'C0ALERTS', responseUrl: slack.responseUrl('commands/T1/1/a') },
      { text: 'done' },
    );

    expect(slack.ephemerals).toEqual([
      {
        via: '/hooks/commands/T1/1/a',
        text: 'done',
        blocks: [],
        replaceOriginal: false,
        responseType: 'ephemeral',
      },
    ]);
  });

  it('never sends anything to a response URL outside Slack: it answers in the channel instead', async () => {
    const replies = createSlackReplies({ client: client() });

    await replies.reply(
      { userId: 'U0ONCALL', channelId: 'C0ALERTS', responseUrl: slack.responseUrl('commands/T1/1/b') },
      { text: 'done' },
    );

    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postEphemeral']);
    expect(slack.ephemerals).toEqual([
      { via: 'chat.postEphemeral', user: 'U0ONCALL', channel: 'C0ALERTS', text: 'done', blocks: [] },
    ]);
  });

  it('falls back to the channel when the response URL has expired', async () => {
    const replies = createSlackReplies({
      client: client(),
      extraResponseOrigins: [new URL(slack.url).origin],
    });
    const url = slack.responseUrl('commands/T1/1/c');
    for (let i = 0; i < 5; i += 1)
      await replies.reply({ userId: 'U0ONCALL', responseUrl: url }, { text: `answer ${i}` });

    await replies.reply({ userId: 'U0ONCALL', channelId: 'C0ALERTS', responseUrl: url }, { text: 'sixth' });

    expect(slack.ephemerals.at(-1)).toMatchObject({ via: 'chat.postEphemeral', text: 'sixth' });
  });

  it('fails with a typed error when there is nowhere to answer', async () => {
    const replies = createSlackReplies({ client: client() });

    await expect(replies.reply({ userId: 'U0ONCALL' }, { text: 'lost' })).rejects.toMatchObject({
      code: 'UPSTREAM',
    });
    await expect(
      replies.reply({ userId: 'U0ONCALL', channelId: 'C0NOWHERE' }, { text: 'lost' }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('chat.postEphemeral to C0NOWHERE failed: channel_not_found'),
    });
  });

  it('opens a form with views.open', async () => {
    const form = buildSuppressForm({ fp: '3f2a9c1e4b5d60718293a4b5c6d7e8f9', c: 'prod-cluster' });

    await createSlackViews(client()).open('111.222.valid', form);

    expect(slack.openedViews).toEqual([{ triggerId: '111.222.valid', view: form }]);
  });

  it('reads a user group once per cache period, again after it, and never caches a failure', async () => {
    let now = 0;
    const directory = cachedUserGroupDirectory(createUserGroupDirectory(client()), 60_000, () => now);

    expect(await directory.members('S0ONCALL')).toEqual(['U0ONCALL', 'U0OTHER']);
    expect(await directory.members('S0ONCALL')).toEqual(['U0ONCALL', 'U0OTHER']);
    now = 60_001;
    await directory.members('S0ONCALL');
    await expect(directory.members('S0GONE')).rejects.toMatchObject({
      message: expect.stringContaining('no_such_subteam'),
    });
    await expect(directory.members('S0GONE')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

    expect(slack.calls.map((c) => `${c.method} ${String(c.body.usergroup)}`)).toEqual([
      'usergroups.users.list S0ONCALL',
      'usergroups.users.list S0ONCALL',
      'usergroups.users.list S0GONE',
      'usergroups.users.list S0GONE',
    ]);
  });
});
