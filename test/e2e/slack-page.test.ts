import { randomBytes } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotWebClient, createSlackViews } from '../../adapters/slack/bot-web-api.ts';
import { type SandboxSlack, startSandboxSlack } from '../../cli/sandbox/slack/index.ts';
import { DEFAULT_DETECTION_CONFIG } from '../../core/detection/config.ts';
import { parseAuditEvent } from '../../core/detection/decode-audit.ts';
import { evaluateAuditEvent } from '../../core/detection/engine.ts';
import { kd020ExecIntoPod } from '../../core/detection/rules/kd-020-exec-into-pod.ts';
import { openFinding } from '../../core/model/finding.ts';
import { buildAlertMessage } from '../../core/slack-views/alert.ts';
import type { ActionsBlock, HeaderBlock, SectionBlock, SlackMessage } from '../../core/slack-views/blocks.ts';
import { buildSuppressForm, SUPPRESS_FORM } from '../../core/slack-views/suppress-form.ts';
import { loadFixture } from '../support/fixtures.ts';
import { launchBrowser, screenshot } from './support/browser.ts';
import { type StubBot, startStubBot } from './support/stub-bot.ts';

/**
 * The sandbox's Slack page in Debian's chromium: a real alert renders, and what a person does in the
 * page reaches the bot as the signed request Slack would send, in the shape of the real fixtures.
 */
const CHANNEL = 'C0SANDBOX1';
const ADMIN = 'U0SANDBOXADM';
const NOW = '2024-05-15T16:40:00.000Z';
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** The alert for the real exec event (test/fixtures/eks-audit-exec-pod-create.json). */
function realAlert(): SlackMessage {
  const event = parseAuditEvent(loadFixture('eks-audit-exec-pod-create.json'));
  const [detection] = evaluateAuditEvent(
    event,
    { cluster: 'prod-cluster', config: DEFAULT_DETECTION_CONFIG, now: NOW },
    [kd020ExecIntoPod],
  ).detections;
  if (detection === undefined) throw new Error('KD-020 did not fire on the exec fixture');
  return buildAlertMessage(openFinding(detection, NOW), {
    whyItMatters: 'Exec gives a shell.',
    firstResponse: 'Ask who ran it.',
  });
}

function sortedKeys(value: unknown): string[] {
  return Object.keys(value as Record<string, unknown>).sort();
}

describe('the sandbox Slack page in a browser', () => {
  const secret = randomBytes(16).toString('hex');
  const alert = realAlert();
  let stub: StubBot;
  let sandbox: SandboxSlack;
  let client: WebClient;
  let browser: Browser;
  let page: Page;
  let alertTs = '';

  const message = (ts: string) => page.locator(`#messages .message[data-ts="${ts}"]`);
  const interactions = (type: string) => stub.received.filter((r) => r.payload?.type === type);

  beforeAll(async () => {
    stub = await startStubBot(secret);
    sandbox = await startSandboxSlack({
      botEventsUrl: stub.url,
      signingSecret: secret,
      triggerTtlMs: 10_000,
    });
    client = createBotWebClient({ token: sandbox.botToken, slackApiUrl: sandbox.slackApiUrl });
    const posted = await client.chat.postMessage({
      channel: CHANNEL,
      text: alert.text,
      blocks: alert.blocks,
    });
    alertTs = String(posted.ts);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(sandbox.url);
    await page.locator('body[data-ready="true"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
    await stub?.stop();
  });

  it('renders the alert: header, fields and buttons with their styles', async () => {
    const header = alert.blocks.find((b): b is HeaderBlock => b.type === 'header');
    const fields = alert.blocks.flatMap((b) =>
      b.type === 'section' ? ((b as SectionBlock).fields ?? []) : [],
    );
    const actions = alert.blocks.find((b): b is ActionsBlock => b.type === 'actions');

    await message(alertTs).waitFor();

    expect(await message(alertTs).locator('.bk-header').textContent()).toBe(header?.text.text);
    expect(await message(alertTs).locator('.bk-field').count()).toBe(fields.length);
    expect(await message(alertTs).locator('.bk-actions .bk-button').allTextContents()).toEqual(
      actions?.elements.map((e) => e.text.text),
    );
    expect(
      await message(alertTs).locator('button[data-action-id="isolate_pod"]').getAttribute('class'),
    ).toContain('danger');
    await screenshot(page, 'alert');
  });

  it('sends a signed block_actions request shaped like the real one when a button is clicked', async () => {
    const fixture = loadFixture<Record<string, unknown>>('slack-block-actions.json');
    const button = alert.blocks
      .filter((b): b is ActionsBlock => b.type === 'actions')
      .flatMap((b) => b.elements)
      .find((e) => e.action_id === 'acknowledge');
    stub.respond = async (request) => {
      await fetch(String(request.payload?.response_url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: `Acknowledged by <@${ADMIN}>`, response_type: 'ephemeral' }),
      });
      return {};
    };

    await message(alertTs).locator('button[data-action-id="acknowledge"]').click();
    const note = page.locator('#messages .message.ephemeral', { hasText: 'Acknowledged by @alice' });
    await note.waitFor();

    const [click] = interactions('block_actions');
    expect(click?.verified).toBe(true);
    expect(click?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sortedKeys(click?.payload)).toEqual([...sortedKeys(fixture), 'message', 'state'].sort());
    const [fixtureAction] = fixture.actions as Record<string, unknown>[];
    const [action] = (click?.payload?.actions ?? []) as Record<string, unknown>[];
    expect(sortedKeys(action)).toEqual(sortedKeys(fixtureAction));
    expect(action).toMatchObject({
      action_id: 'acknowledge',
      block_id: 'alert_actions',
      value: button?.value,
    });
    expect(click?.payload).toMatchObject({
      user: { id: ADMIN, username: 'alice', name: 'alice', team_id: 'T0SANDBOX' },
      team: { id: 'T0SANDBOX' },
      container: { type: 'message', message_ts: alertTs, channel_id: CHANNEL, is_ephemeral: false },
      channel: { id: CHANNEL, name: 'kubeguard-alerts' },
      message: { ts: alertTs, text: alert.text },
      state: { values: {} },
    });
    expect(await note.locator('.ephemeral-note').textContent()).toBe('Only visible to you');
  });

  it('asks the button’s confirm question first, and sends nothing when it is cancelled', async () => {
    stub.respond = () => ({});
    const before = interactions('block_actions').length;
    const isolate = message(alertTs).locator('button[data-action-id="isolate_pod"]');

    await isolate.click();
    await page.locator('#confirm .dialog-title', { hasText: 'Isolate this pod?' }).waitFor();
    await screenshot(page, 'confirm-dialog');
    await page.locator('#confirm-no').click();
    await isolate.click();
    await page.locator('#confirm-yes', { hasText: 'Show the plan' }).click();
    await expect.poll(() => interactions('block_actions').length).toBe(before + 1);

    const [action] = (interactions('block_actions').at(-1)?.payload?.actions ?? []) as Record<
      string,
      unknown
    >[];
    expect(action?.action_id).toBe('isolate_pod');
  });

  it('opens a modal with the trigger id, shows field errors, and submits the values entered', async () => {
    const fixture = loadFixture<Record<string, unknown>>('slack-view-submission.json');
    const views = createSlackViews(client);
    const form = buildSuppressForm({ fp: 'a'.repeat(32), c: 'prod-cluster', ch: CHANNEL, ts: alertTs });
    stub.respond = async (request) => {
      if (request.payload?.type === 'block_actions') {
        await views.open(String(request.payload.trigger_id), form);
        return {};
      }
      const view = request.payload?.view as {
        state: { values: Record<string, Record<string, { value: string }>> };
      };
      const duration =
        view.state.values[SUPPRESS_FORM.duration.blockId]?.[SUPPRESS_FORM.duration.actionId]?.value;
      return duration === '99y'
        ? {
            body: {
              response_action: 'errors',
              errors: { [SUPPRESS_FORM.duration.blockId]: 'Write a duration like 4h' },
            },
          }
        : {};
    };

    await message(alertTs).locator('button[data-action-id="suppress"]').click();
    const modal = page.locator('#modal .dialog');
    await modal.locator('.dialog-title', { hasText: 'Suppress finding' }).waitFor();
    const duration = modal.locator(`[data-block-id="${SUPPRESS_FORM.duration.blockId}"] input`);
    expect(await duration.inputValue()).toBe('4h');
    await duration.fill('99y');
    await modal
      .locator(`[data-block-id="${SUPPRESS_FORM.reason.blockId}"] textarea`)
      .fill('known scanner <!channel>');
    await page.locator('#modal-submit').click();
    await modal.locator('.bk-error', { hasText: 'Write a duration like 4h' }).waitFor();
    await screenshot(page, 'modal-errors');
    await duration.fill('2d');
    await page.locator('#modal-submit').click();
    await page.locator('#modal').waitFor({ state: 'hidden' });

    const submissions = interactions('view_submission');
    expect(submissions).toHaveLength(2);
    const last = submissions[1];
    expect(last?.verified).toBe(true);
    expect(sortedKeys(last?.payload)).toEqual(sortedKeys(fixture));
    expect(sortedKeys(last?.payload?.view)).toEqual(sortedKeys(fixture.view));
    const opened = sandbox.state.openedViews.at(-1);
    expect(last?.payload?.view).toMatchObject({
      callback_id: SUPPRESS_FORM.callbackId,
      private_metadata: opened?.view.private_metadata,
      state: {
        values: {
          [SUPPRESS_FORM.duration.blockId]: {
            [SUPPRESS_FORM.duration.actionId]: { type: 'plain_text_input', value: '2d' },
          },
          [SUPPRESS_FORM.reason.blockId]: {
            [SUPPRESS_FORM.reason.actionId]: { type: 'plain_text_input', value: 'known scanner <!channel>' },
          },
        },
      },
    });
    const listed = (await (await fetch(`${sandbox.url}api/sandbox/views`)).json()) as {
      views: { user: string; open: boolean; view: { callback_id: string } }[];
    };
    expect(listed.views).toEqual([
      expect.objectContaining({
        user: ADMIN,
        open: false,
        view: expect.objectContaining({ callback_id: 'suppress_finding' }),
      }),
    ]);
  });

  it('sends a slash command as Slack’s form and shows its ack only to the person who sent it', async () => {
    const fixture = loadFixture<Record<string, string>>('slack-slash-command.json', 'parsed');
    stub.respond = () => ({ body: { text: '*kubeguard* commands: `/k8s help`' } });

    await page.locator('#composer-input').fill('/k8s help');
    await page.locator('#composer-input').press('Enter');
    const answer = page.locator('#messages .message.ephemeral', { hasText: 'kubeguard commands: /k8s help' });
    await answer.waitFor();

    const command = stub.received.at(-1);
    expect(command?.verified).toBe(true);
    const expectedKeys = Object.keys(fixture).filter((k) => !k.startsWith('enterprise_'));
    expect(Object.keys(command?.form ?? {}).sort()).toEqual(
      [...expectedKeys, 'api_app_id', 'is_enterprise_install'].sort(),
    );
    expect(command?.form).toMatchObject({
      command: '/k8s',
      text: 'help',
      user_id: ADMIN,
      user_name: 'alice',
      channel_id: CHANNEL,
      team_id: 'T0SANDBOX',
    });
    expect(command?.form?.response_url).toMatch(new RegExp(`^${sandbox.url}api/sandbox/response/[0-9a-f]+$`));
    expect(await answer.locator('b').textContent()).toBe('kubeguard');
    await page.locator('#user').selectOption('U0SANDBOXVWR');
    await expect.poll(() => page.locator('#messages .message.ephemeral').count()).toBe(0);
    await page.locator('#user').selectOption(ADMIN);
  });

  it('renders hostile text as text: no element, no script, no javascript: link', async () => {
    const hostile = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    const posted = await client.chat.postMessage({
      channel: CHANNEL,
      text: hostile,
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `&lt;img src=x onerror=window.__xss=3&gt; ${hostile}` },
        },
        { type: 'section', text: { type: 'plain_text', text: hostile } },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: '<javascript:window.__xss=4|click me> <!here>' }],
        },
      ],
    });
    const node = message(String(posted.ts));
    await node.waitFor();
    await node.locator('.bk-context .mention').waitFor();

    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#messages img[src="x"]').count()).toBe(0);
    expect(await page.locator('#messages script').count()).toBe(0);
    expect(await page.locator('#messages a[href^="javascript"]').count()).toBe(0);
    expect(await node.locator('.bk-text').first().textContent()).toBe(
      `<img src=x onerror=window.__xss=3> ${hostile}`,
    );
    expect(await node.locator('.bk-context .mention').textContent()).toBe('@here');
    await screenshot(page, 'hostile-text');
  });

  it('marks an update in place, opens a thread and shows an uploaded PNG', async () => {
    await client.chat.update({
      channel: CHANNEL,
      ts: alertTs,
      text: 'updated',
      blocks: alert.blocks.slice(0, 2),
    });
    await client.chat.postMessage({ channel: CHANNEL, thread_ts: alertTs, text: 'Acknowledged by alice' });
    await client.filesUploadV2({
      channel_id: CHANNEL,
      file: PNG,
      filename: 'chart.png',
      initial_comment: 'digest',
    });

    await message(alertTs).locator('.edited').waitFor();
    expect(await message(alertTs).count()).toBe(1);
    await message(alertTs).locator('.replies', { hasText: '1 reply' }).click();
    await page.locator('#thread .message', { hasText: 'Acknowledged by alice' }).waitFor();
    const preview = page.locator('#messages .file[data-file-name="chart.png"] img.file-preview');
    await preview.waitFor();
    await expect
      .poll(() => preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(1);
    await screenshot(page, 'update-thread-file');

    const listed = (await (await fetch(`${sandbox.url}api/sandbox/messages`)).json()) as {
      messages: Record<string, unknown>[];
    };
    expect(listed.messages.find((m) => m.ts === alertTs)).toMatchObject({
      channel: CHANNEL,
      text: 'updated',
      updates: [{ text: 'updated', blocks: alert.blocks.slice(0, 2) }],
    });
    expect(listed.messages.find((m) => m.thread_ts === alertTs)).toMatchObject({
      text: 'Acknowledged by alice',
    });
    expect(listed.messages.find((m) => m.text === 'digest')).toMatchObject({
      files: [{ name: 'chart.png', type: 'image/png', size: PNG.length }],
    });
  });
});
