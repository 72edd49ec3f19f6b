import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebApiMessenger } from '../../../../adapters/slack/web-api-messenger.ts';
import { KubeguardError } from '../../../../core/errors.ts';
import { SlackMessageGoneError } from '../../../../core/ports.ts';
import type { Block } from '../../../../core/slack-views/blocks.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../../../support/slack-api-double.ts';

const TOKEN = 'xoxb-1234-secret-token';
const BLOCKS: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: '*hello*' } }];

async function failureOf(promise: Promise<unknown>): Promise<KubeguardError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KubeguardError) return error;
    throw error;
  }
  throw new Error('expected a KubeguardError');
}

describe('Slack messenger over @slack/web-api', () => {
  let slack: SlackApiDouble;
  beforeAll(async () => {
    slack = await startSlackApiDouble({ token: TOKEN, channels: ['C0ALERTS'] });
  });
  afterAll(async () => {
    await slack.stop();
  });
  beforeEach(() => slack.reset());

  const messenger = () => createWebApiMessenger({ token: TOKEN, slackApiUrl: slack.url });

  it('posts text and blocks with the bot token and returns where the message lives', async () => {
    const posted = await messenger().postMessage({ channel: 'C0ALERTS', text: 'fallback', blocks: BLOCKS });
    expect(posted).toEqual({ channel: 'C0ALERTS', ts: '1700000000.000001' });
    const [call] = slack.calls;
    expect(call?.method).toBe('chat.postMessage');
    expect(call?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call?.body).toMatchObject({ channel: 'C0ALERTS', text: 'fallback', blocks: BLOCKS });
  });

  it('turns off link and media unfurling', async () => {
    await messenger().postMessage({ channel: 'C0ALERTS', text: 'x', blocks: BLOCKS });
    expect(slack.calls[0]?.body).toMatchObject({ unfurl_links: 'false', unfurl_media: 'false' });
  });

  it('posts into a thread', async () => {
    await messenger().postMessage({
      channel: 'C0ALERTS',
      text: 'x',
      blocks: BLOCKS,
      threadTs: '1700000000.000009',
    });
    expect(slack.calls[0]?.body.thread_ts).toBe('1700000000.000009');
  });

  it('updates a posted message in place', async () => {
    const posted = await messenger().postMessage({ channel: 'C0ALERTS', text: 'v1', blocks: BLOCKS });
    await messenger().updateMessage({ ...posted, text: 'v2', blocks: [{ type: 'divider' }] });
    expect(slack.messages.get(`C0ALERTS:${posted.ts}`)).toMatchObject({ text: 'v2', updates: 1 });
  });

  it('fails RATE_LIMITED with the Retry-After seconds, without retrying itself', async () => {
    slack.failNext({ status: 429, retryAfter: 7 });
    const error = await failureOf(
      messenger().postMessage({ channel: 'C0ALERTS', text: 'x', blocks: BLOCKS }),
    );
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details).toMatchObject({
      retryAfterSeconds: 7,
      method: 'chat.postMessage',
      channel: 'C0ALERTS',
    });
    expect(slack.calls).toHaveLength(1);
  });

  it('fails UPSTREAM with the HTTP status on a 5xx, without retrying itself', async () => {
    slack.failNext({ status: 503, count: 3 });
    const error = await failureOf(
      messenger().postMessage({ channel: 'C0ALERTS', text: 'x', blocks: BLOCKS }),
    );
    expect(error.code).toBe('UPSTREAM');
    expect(error.details.status).toBe(503);
    expect(slack.calls).toHaveLength(1);
  });

  it('fails UPSTREAM when Slack reports its own internal error', async () => {
    slack.failNext({ status: 200, error: 'internal_error' });
    const error = await failureOf(
      messenger().postMessage({ channel: 'C0ALERTS', text: 'x', blocks: BLOCKS }),
    );
    expect(error.code).toBe('UPSTREAM');
  });

  it('fails FORBIDDEN on a bad token, and never repeats the token', async () => {
    const wrong = createWebApiMessenger({ token: 'xoxb-wrong-secret', slackApiUrl: slack.url });
    const error = await failureOf(wrong.postMessage({ channel: 'C0ALERTS', text: 'x', blocks: BLOCKS }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.details.slackError).toBe('invalid_auth');
    expect(error.message).toContain('SLACK_BOT_TOKEN');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('wrong-secret');
  });

  it('fails INVALID_ARGUMENT for an unknown channel, saying what to fix', async () => {
    const error = await failureOf(
      messenger().postMessage({ channel: 'C0NOWHERE', text: 'x', blocks: BLOCKS }),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('channel_not_found');
    expect(error.message).toContain('kubeguard.config.json');
  });

  it('fails with SlackMessageGoneError when the message to update was deleted', async () => {
    const posted = await messenger().postMessage({ channel: 'C0ALERTS', text: 'x', blocks: BLOCKS });
    slack.deleteMessage('C0ALERTS', posted.ts);

    const error = await failureOf(
      messenger().updateMessage({ channel: 'C0ALERTS', ts: posted.ts, text: 'x', blocks: BLOCKS }),
    );

    expect(error).toBeInstanceOf(SlackMessageGoneError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', details: { slackError: 'message_not_found' } });
  });

  it('fails with SlackMessageGoneError when a thread reply’s channel is gone', async () => {
    slack.failNext({ status: 200, error: 'thread_not_found' });

    const error = await failureOf(
      messenger().postMessage({
        channel: 'C0ALERTS',
        text: 'x',
        blocks: BLOCKS,
        threadTs: '1700000000.000001',
      }),
    );

    expect(error).toBeInstanceOf(SlackMessageGoneError);
  });

  it('tags a post with message metadata', async () => {
    await messenger().postMessage({
      channel: 'C0ALERTS',
      text: 'x',
      blocks: BLOCKS,
      metadata: { eventType: 'kubeguard_finding', payload: { fingerprint: 'abc' } },
    });

    expect(slack.calls[0]?.body.metadata).toEqual({
      event_type: 'kubeguard_finding',
      event_payload: { fingerprint: 'abc' },
    });
  });

  it('finds a posted message again by its metadata, newest first, across history pages', async () => {
    const clocked = await startSlackApiDouble({
      token: TOKEN,
      clock: () => Date.parse('2026-11-28T10:00:00Z'),
    });
    const client = createWebApiMessenger({ token: TOKEN, slackApiUrl: clocked.url });
    const tagged = (fingerprint: string) => ({ eventType: 'kubeguard_finding', payload: { fingerprint } });
    await client.postMessage({ channel: 'C0ALERTS', text: 'old', blocks: BLOCKS, metadata: tagged('abc') });
    const newest = await client.postMessage({
      channel: 'C0ALERTS',
      text: 'a',
      blocks: BLOCKS,
      metadata: tagged('abc'),
    });
    for (let i = 0; i < 250; i += 1) {
      await client.postMessage({
        channel: 'C0ALERTS',
        text: `other ${i}`,
        blocks: BLOCKS,
        metadata: tagged(`x${i}`),
      });
    }

    const found = await client.findPostedMessage({
      channel: 'C0ALERTS',
      metadata: tagged('abc'),
      oldest: '2026-11-28T09:55:00.000Z',
    });
    const missing = await client.findPostedMessage({
      channel: 'C0ALERTS',
      metadata: tagged('nope'),
      oldest: '2026-11-28T09:55:00.000Z',
    });
    const tooLate = await client.findPostedMessage({
      channel: 'C0ALERTS',
      metadata: tagged('abc'),
      oldest: '2026-11-28T10:00:01.000Z',
    });

    expect(found).toEqual(newest);
    expect(missing).toBeUndefined();
    expect(tooLate).toBeUndefined();
    const history = clocked.calls.filter((c) => c.method === 'conversations.history');
    expect(history[0]?.body).toMatchObject({
      channel: 'C0ALERTS',
      oldest: '1795859700.000000',
      include_all_metadata: 'true',
      limit: '200',
    });
    expect(history[1]?.body.cursor).toBe('200');
    await clocked.stop();
  });

  it('cannot look a message up in a #name channel, and says to configure channel ids', async () => {
    const error = await failureOf(
      messenger().findPostedMessage({
        channel: '#alerts',
        metadata: { eventType: 'kubeguard_finding', payload: { fingerprint: 'abc' } },
        oldest: '2026-11-28T10:00:00.000Z',
      }),
    );

    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain('configure channel ids (C…)');
  });

  it('fails UPSTREAM when Slack cannot be reached', async () => {
    const closed = await startSlackApiDouble({ token: TOKEN });
    const url = closed.url;
    await closed.stop();
    const unreachable = createWebApiMessenger({ token: TOKEN, slackApiUrl: url });
    const error = await failureOf(
      unreachable.postMessage({ channel: 'C0ALERTS', text: 'x', blocks: BLOCKS }),
    );
    expect(error.code).toBe('UPSTREAM');
    expect(error.message).not.toContain(TOKEN);
  });
});
