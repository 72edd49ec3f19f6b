import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SandboxSlack, startSandboxSlack } from '../../../../../cli/sandbox/slack/index.ts';
import { type ProxyOptions, runPageAction } from '../../../../../cli/sandbox/slack/interactions.ts';

/** The sandbox's Slack over HTTP: views and trigger ids, response URLs, files, and the proxy's acks. */
const ADMIN = 'U0SANDBOXADM';
const CHANNEL = 'C0SANDBOX1';
const MODAL = {
  type: 'modal',
  callback_id: 'form',
  title: { type: 'plain_text', text: 'Form' },
  submit: { type: 'plain_text', text: 'Go' },
  blocks: [
    {
      type: 'input',
      block_id: 'why',
      label: { type: 'plain_text', text: 'Why' },
      element: { type: 'plain_text_input', action_id: 'reason' },
    },
    {
      type: 'input',
      block_id: 'how',
      optional: true,
      label: { type: 'plain_text', text: 'How' },
      element: {
        type: 'static_select',
        action_id: 'mode',
        options: [{ text: { type: 'plain_text', text: 'Fast' }, value: 'fast' }],
      },
    },
  ],
};

describe('sandbox Slack server', () => {
  let slack: SandboxSlack;
  let now = 1_733_220_000_000;

  const call = async <T = Record<string, unknown>>(
    method: string,
    body: Record<string, unknown>,
    token = slack.botToken,
  ): Promise<T & { ok: boolean; error?: string }> => {
    const response = await fetch(`${slack.slackApiUrl}${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return (await response.json()) as T & { ok: boolean; error?: string };
  };

  beforeEach(async () => {
    slack = await startSandboxSlack();
    now = Date.now();
  });
  afterEach(async () => {
    await slack.stop();
  });

  it('takes a minted trigger id once, within its three seconds, like Slack', async () => {
    const fresh = slack.state.mintTrigger(ADMIN);
    const stale = slack.state.mintTrigger(ADMIN);
    const trigger = slack.state.triggers.get(stale);
    if (trigger !== undefined) trigger.issuedMs = now - 3_500;

    const opened = await call('views.open', { trigger_id: fresh, view: MODAL });
    const again = await call('views.open', { trigger_id: fresh, view: MODAL });
    const late = await call('views.open', { trigger_id: stale, view: MODAL });
    const made_up = await call('views.open', { trigger_id: '1.2.3', view: MODAL });

    expect(opened).toMatchObject({
      ok: true,
      view: {
        type: 'modal',
        callback_id: 'form',
        state: { values: {} },
        previous_view_id: null,
        team_id: 'T0SANDBOX',
      },
    });
    expect([again.error, late.error, made_up.error]).toEqual([
      'exchanged_trigger_id',
      'expired_trigger_id',
      'invalid_trigger_id',
    ]);
    expect(slack.state.modalStacks.get(ADMIN)).toEqual([(opened.view as { id: string }).id]);
  });

  it('updates a view by id with its hash, refuses a stale hash, and pushes onto the stack', async () => {
    const opened = await call<{ view: { id: string; hash: string } }>('views.open', {
      trigger_id: slack.state.mintTrigger(ADMIN),
      view: MODAL,
    });
    const page2 = { ...MODAL, title: { type: 'plain_text', text: 'Page 2' } };

    const updated = await call('views.update', {
      view_id: opened.view.id,
      hash: opened.view.hash,
      view: page2,
    });
    const conflict = await call('views.update', {
      view_id: opened.view.id,
      hash: opened.view.hash,
      view: MODAL,
    });
    const pushed = await call('views.push', { trigger_id: slack.state.mintTrigger(ADMIN), view: MODAL });

    expect(updated).toMatchObject({ ok: true, view: { id: opened.view.id, title: { text: 'Page 2' } } });
    expect(conflict.error).toBe('hash_conflict');
    expect(pushed).toMatchObject({
      ok: true,
      view: { previous_view_id: opened.view.id, root_view_id: opened.view.id },
    });
    expect(slack.state.views.get(opened.view.id)?.history).toHaveLength(2);
  });

  it('publishes each person’s Home tab and keeps one per person', async () => {
    const home = { type: 'home', blocks: [{ type: 'divider' }] };
    const first = await call<{ view: { id: string } }>('views.publish', { user_id: ADMIN, view: home });
    const second = await call<{ view: { id: string } }>('views.publish', { user_id: ADMIN, view: home });
    const stranger = await call('views.publish', { user_id: 'U0NOBODY', view: home });

    expect(second.view.id).toBe(first.view.id);
    expect(slack.state.homes.get(ADMIN)).toBe(first.view.id);
    expect(stranger.error).toBe('user_not_found');
  });

  it('applies what a minted response URL is asked: replace, ephemeral, in channel, delete; five uses', async () => {
    const posted = await call<{ ts: string }>('chat.postMessage', { channel: CHANNEL, text: 'alert' });
    const id = slack.state.mintResponseTarget({ user: ADMIN, channel: CHANNEL, messageTs: posted.ts });
    const url = `${slack.url}api/sandbox/response/${id}`;
    const answer = async (body: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return [response.status, await response.text()];
    };

    expect(await answer({ replace_original: true, text: 'alert (acknowledged)' })).toEqual([200, 'ok']);
    expect(await answer({ text: 'only you' })).toEqual([200, 'ok']);
    expect(await answer({ text: 'everyone', response_type: 'in_channel' })).toEqual([200, 'ok']);
    expect(slack.state.message(CHANNEL, posted.ts)?.history.map((v) => v.text)).toEqual([
      'alert',
      'alert (acknowledged)',
    ]);
    expect(slack.state.ephemerals.map((e) => [e.user, e.text])).toEqual([[ADMIN, 'only you']]);
    expect(slack.state.channelMessages().map((m) => m.text)).toEqual(['alert (acknowledged)', 'everyone']);
    expect(await answer({ delete_original: true })).toEqual([200, 'ok']);
    expect(slack.state.message(CHANNEL, posted.ts)).toBeUndefined();
    expect(await answer({ text: 'fifth' })).toEqual([200, 'ok']);
    expect(await answer({ text: 'sixth' })).toEqual([404, 'expired_url']);
  });

  it('uploads a file in three steps and shares it as a message with its name, type and size', async () => {
    const bytes = Buffer.from('{"cluster":"prod"}\n');
    const url = await call<{
      upload_url: string;
      file_id: string;
    }>('files.getUploadURLExternal', {
      filename: 'report.json',
      length: bytes.length,
    });
    const upload = await fetch(url.upload_url, { method: 'POST', body: bytes });
    const done = await call('files.completeUploadExternal', {
      files: [{ id: url.file_id, title: 'Report' }],
      channel_id: CHANNEL,
      initial_comment: 'audit report',
    });
    const download = await fetch(`${slack.url}api/sandbox/files/${url.file_id}`);

    expect(upload.status).toBe(200);
    expect(done).toMatchObject({
      ok: true,
      files: [{ id: url.file_id, name: 'report.json', mimetype: 'application/json', size: bytes.length }],
    });
    expect(slack.state.channelMessages()[0]).toMatchObject({
      text: 'audit report',
      files: [{ name: 'report.json', size: bytes.length }],
    });
    // Not an image: never rendered inline, never sniffed into HTML.
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="report.json"');
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    expect((await call('files.completeUploadExternal', { files: [{ id: 'F0NONE' }] })).error).toBe(
      'file_not_found',
    );
  });

  it('answers a thread’s replies after its parent, and invalid_auth without the bot token', async () => {
    const parent = await call<{ ts: string }>('chat.postMessage', { channel: CHANNEL, text: 'alert' });
    await call('chat.postMessage', { channel: CHANNEL, text: 'occurrence 2', thread_ts: parent.ts });

    const thread = await call<{
      messages: { text: string; reply_count?: number }[];
    }>('conversations.replies', { channel: CHANNEL, ts: parent.ts });

    expect(thread.messages.map((m) => m.text)).toEqual(['alert', 'occurrence 2']);
    expect(thread.messages[0]?.reply_count).toBe(1);
    expect((await call('auth.test', {}, 'xoxb-wrong')).error).toBe('invalid_auth');
  });

  it('refuses a page action that is not JSON, so a cross-site form cannot make it sign requests', async () => {
    const connected = await startSandboxSlack({
      botEventsUrl: 'http://127.0.0.1:9/slack/events',
      signingSecret: 's',
    });
    try {
      const response = await fetch(`${connected.url}api/sandbox/act`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'kind=command&user=U0SANDBOXADM',
      });
      expect(response.status).toBe(415);
    } finally {
      await connected.stop();
    }
  });
});

describe('the proxy applies a view_submission ack as Slack does', () => {
  let slack: SandboxSlack;
  let ack: string;
  let sent: string[];

  const proxy = (): ProxyOptions => ({
    state: slack.state,
    app: { team: { id: 'T0SANDBOX', domain: 'sandbox' }, apiAppId: 'A0', token: 't' },
    signingSecret: 'secret',
    botEventsUrl: 'http://bot.invalid/slack/events',
    origin: slack.url,
    fetch: async (_url, init) => {
      sent.push(String(init?.body));
      return new Response(ack, { status: 200 });
    },
  });

  const open = async () => {
    const response = await fetch(`${slack.slackApiUrl}views.open`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${slack.botToken}` },
      body: JSON.stringify({ trigger_id: slack.state.mintTrigger(ADMIN), view: MODAL }),
    });
    return ((await response.json()) as { view: { id: string; hash: string } }).view;
  };

  beforeEach(async () => {
    slack = await startSandboxSlack();
    sent = [];
  });
  afterEach(async () => {
    await slack.stop();
  });

  it('keeps the modal open with the field errors, and never sends an empty required field', async () => {
    const view = await open();
    ack = JSON.stringify({ response_action: 'errors', errors: { why: 'Say why' } });

    const empty = await runPageAction(proxy(), { kind: 'submit', user: ADMIN, viewId: view.id, values: {} });
    const refused = await runPageAction(proxy(), {
      kind: 'submit',
      user: ADMIN,
      viewId: view.id,
      values: { why: { reason: 'x' }, how: { mode: 'fast' } },
    });

    expect(empty.body.error).toBe('required_fields_missing');
    expect(sent).toHaveLength(1);
    const payload = JSON.parse(new URLSearchParams(sent[0]).get('payload') ?? '{}') as {
      view: { state: { values: unknown } };
    };
    expect(payload.view.state.values).toEqual({
      why: { reason: { type: 'plain_text_input', value: 'x' } },
      how: { mode: { type: 'static_select', selected_option: MODAL.blocks[1]?.element.options?.[0] } },
    });
    expect(refused.body.ok).toBe(true);
    expect(slack.state.views.get(view.id)).toMatchObject({ open: true, errors: { why: 'Say why' } });
  });

  it('updates, pushes, clears, or closes on an empty ack', async () => {
    const values = { why: { reason: 'because' } };
    const view = await open();

    ack = JSON.stringify({
      response_action: 'update',
      view: { ...MODAL, title: { type: 'plain_text', text: 'Next' } },
    });
    await runPageAction(proxy(), { kind: 'submit', user: ADMIN, viewId: view.id, values });
    const afterUpdate = slack.state.views.get(view.id)?.current;
    ack = JSON.stringify({ response_action: 'push', view: MODAL });
    await runPageAction(proxy(), { kind: 'submit', user: ADMIN, viewId: view.id, values });
    const pushedStack = [...(slack.state.modalStacks.get(ADMIN) ?? [])];
    ack = '';
    await runPageAction(proxy(), { kind: 'submit', user: ADMIN, viewId: pushedStack[1] ?? '', values });
    const afterEmpty = [...(slack.state.modalStacks.get(ADMIN) ?? [])];
    ack = JSON.stringify({ response_action: 'clear' });
    await runPageAction(proxy(), { kind: 'submit', user: ADMIN, viewId: view.id, values });

    expect(afterUpdate).toMatchObject({ title: { text: 'Next' } });
    expect(afterUpdate?.hash).not.toBe(view.hash);
    expect(pushedStack).toHaveLength(2);
    expect(afterEmpty).toEqual([view.id]);
    expect(slack.state.modalStacks.get(ADMIN)).toEqual([]);
  });

  it('shows a command’s ack to the sender only, and Slack’s operation_timeout when the bot is too slow', async () => {
    ack = JSON.stringify({ text: 'help' });
    await runPageAction(proxy(), { kind: 'command', user: ADMIN, channel: CHANNEL, text: '/k8s help' });
    const slow: ProxyOptions = {
      ...proxy(),
      ackTimeoutMs: 20,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    };
    const timedOut = await runPageAction(slow, {
      kind: 'command',
      user: ADMIN,
      channel: CHANNEL,
      text: '/k8s status',
    });

    expect(new URLSearchParams(sent[0]).get('text')).toBe('help');
    expect(timedOut.body.error).toBe('operation_timeout');
    expect(slack.state.ephemerals.map((e) => [e.user, e.text])).toEqual([
      [ADMIN, 'help'],
      [ADMIN, '/k8s failed with the error "operation_timeout"'],
    ]);
    expect(slack.state.channelMessages()).toEqual([]);
  });
});
