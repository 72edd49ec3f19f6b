import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SlackApiDouble, startSlackApiDouble } from '../../../support/slack-api-double.ts';

const TOKEN = 'xoxb-test-token';

interface SlackAnswer {
  ok: boolean;
  channel?: string;
  ts?: string;
  error?: string;
}

async function call(double: SlackApiDouble, method: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${double.url}${method}`, { method: 'POST', body, headers });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    json: (await response.json()) as SlackAnswer,
  };
}

const form = { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${TOKEN}` };
const json = { 'Content-Type': 'application/json; charset=utf-8', Authorization: `Bearer ${TOKEN}` };

describe('Slack Web API double', () => {
  let double: SlackApiDouble;
  beforeAll(async () => {
    double = await startSlackApiDouble({ token: TOKEN });
  });
  afterAll(async () => {
    await double.stop();
  });
  beforeEach(() => double.reset());

  it('posts a form-encoded message and answers with increasing ts values', async () => {
    const blocks = JSON.stringify([{ type: 'divider' }]);
    const body = new URLSearchParams({ channel: 'C1', text: 'hi', blocks }).toString();
    const first = await call(double, 'chat.postMessage', body, form);
    const second = await call(double, 'chat.postMessage', body, form);
    expect(first.json).toMatchObject({ ok: true, channel: 'C1' });
    expect(Number(second.json.ts)).toBeGreaterThan(Number(first.json.ts));
    expect(double.calls[0]?.body).toEqual({ channel: 'C1', text: 'hi', blocks: [{ type: 'divider' }] });
  });

  it('accepts JSON bodies and updates a posted message', async () => {
    const posted = await call(
      double,
      'chat.postMessage',
      JSON.stringify({ channel: 'C1', text: 'v1' }),
      json,
    );
    const update = JSON.stringify({
      channel: 'C1',
      ts: posted.json.ts,
      text: 'v2',
      blocks: [{ type: 'divider' }],
    });
    expect((await call(double, 'chat.update', update, json)).json).toMatchObject({
      ok: true,
      ts: posted.json.ts,
    });
    expect(double.messages.get(`C1:${posted.json.ts}`)).toMatchObject({ text: 'v2', updates: 1 });
  });

  it('answers invalid_auth without the right bearer token', async () => {
    const result = await call(double, 'chat.postMessage', 'channel=C1&text=x', {
      ...form,
      Authorization: 'Bearer xoxb-wrong',
    });
    expect(result).toMatchObject({ status: 200, json: { ok: false, error: 'invalid_auth' } });
  });

  it('answers message_not_found when updating an unknown message', async () => {
    const result = await call(double, 'chat.update', 'channel=C1&ts=1.2&text=x', form);
    expect(result.json).toEqual({ ok: false, error: 'message_not_found' });
  });

  it('fails the next calls as scripted, then recovers', async () => {
    double.failNext({ status: 429, retryAfter: 7 });
    double.failNext({ status: 500, count: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push(await call(double, 'chat.postMessage', 'channel=C1&text=x', form).catch(() => null));
    expect(statuses[0]).toMatchObject({ status: 429, retryAfter: '7', json: { error: 'ratelimited' } });
    expect(double.calls.map((c) => c.status)).toEqual([429, 500, 500, 200]);
    expect(double.successful('chat.postMessage')).toHaveLength(1);
  });

  it('answers channel_not_found for a channel it does not know, when given a channel list', async () => {
    const strict = await startSlackApiDouble({ token: TOKEN, channels: ['C1'] });
    try {
      const result = await call(strict, 'chat.postMessage', 'channel=C2&text=x', form);
      expect(result.json).toEqual({ ok: false, error: 'channel_not_found' });
    } finally {
      await strict.stop();
    }
  });

  it('applies a post and then loses its answer, when scripted so, and only for the named method', async () => {
    double.failNext({ method: 'chat.postMessage', status: 503, applied: true });
    const post = new URLSearchParams({ channel: 'C1', text: 'hi' }).toString();

    const history = await call(
      double,
      'conversations.history',
      new URLSearchParams({ channel: 'C1' }).toString(),
      form,
    );
    const lost = await fetch(`${double.url}chat.postMessage`, { method: 'POST', body: post, headers: form });

    expect(history.json.ok).toBe(true);
    expect(lost.status).toBe(503);
    expect(double.channelMessages().map((m) => m.text)).toEqual(['hi']);
  });

  it('reads back top-level messages newest first, with metadata only when asked, and forgets deleted ones', async () => {
    const metadata = JSON.stringify({
      event_type: 'kubeguard_finding',
      event_payload: { fingerprint: 'abc' },
    });
    const ts: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      const body = new URLSearchParams({ channel: 'C1', text, metadata }).toString();
      ts.push((await call(double, 'chat.postMessage', body, form)).json.ts ?? '');
    }
    const reply = new URLSearchParams({ channel: 'C1', text: 'reply', thread_ts: ts[0] ?? '' }).toString();
    await call(double, 'chat.postMessage', reply, form);
    double.deleteMessage('C1', ts[1] ?? '');
    const read = async (fields: Record<string, string>) => {
      const answer = await fetch(`${double.url}conversations.history`, {
        method: 'POST',
        body: new URLSearchParams({ channel: 'C1', ...fields }).toString(),
        headers: form,
      });
      return (await answer.json()) as {
        messages: { text: string; ts: string; metadata?: unknown }[];
        has_more: boolean;
        response_metadata: { next_cursor: string };
      };
    };

    const plain = await read({ oldest: ts[0] ?? '' });
    const withMetadata = await read({ include_all_metadata: 'true', limit: '1' });

    expect(plain.messages.map((m) => m.text)).toEqual(['three']);
    expect(plain.messages[0]?.metadata).toBeUndefined();
    expect(withMetadata).toMatchObject({ has_more: true, response_metadata: { next_cursor: '1' } });
    // Slack's message objects carry more (user, bot_id, blocks …); these are the fields read back.
    expect(withMetadata.messages).toMatchObject([
      {
        type: 'message',
        ts: ts[2],
        text: 'three',
        metadata: { event_type: 'kubeguard_finding', event_payload: { fingerprint: 'abc' } },
      },
    ]);
  });

  it('answers channel_not_found when reading the history of a #name', async () => {
    const answer = await call(
      double,
      'conversations.history',
      new URLSearchParams({ channel: '#alerts' }).toString(),
      form,
    );
    expect(answer.json).toEqual({ ok: false, error: 'channel_not_found' });
  });
});
