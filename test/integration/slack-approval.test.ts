import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config/schema.ts';
import { APPROVAL_ACTION_IDS, OUTCOME_ACTION_IDS } from '../../core/slack-views/ids.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { SUSPECT } from '../support/remediation-cluster.ts';
import { ALERT_CHANNEL, BOT_CONFIG, USERS } from '../support/slack-bot-harness.ts';
import { type Alert, RemediationBot, textOf } from '../support/slack-remediation.ts';
import { send } from '../support/slack-requests.ts';

/**
 * Two-person approval end to end over the local HTTP entry: with `authorization.approvals` putting
 * isolate-pod on prod-cluster under an admin's approval within 30 minutes, a confirmed isolation
 * does not run; it posts Approve / Deny in the alert's thread, and only a second person with the
 * admin role, in time and once, makes it run — exactly the stored plan.
 */

const APPROVAL_CONFIG = parseConfig({
  ...BOT_CONFIG,
  authorization: {
    ...BOT_CONFIG.authorization,
    approvals: [{ actions: ['isolate-pod'], clusters: ['prod-cluster'] }],
  },
});

let db: Dynalite;
let r: RemediationBot;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});
beforeEach(async () => {
  answers.clear();
  r = await RemediationBot.start({ db, config: APPROVAL_CONFIG });
});
afterEach(async () => {
  await r.stop();
});

interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  threadTs?: string;
  updates: number;
  blocks: { block_id?: string; elements?: { action_id?: string; value?: string }[] }[];
}

/** The approval request in the alert's thread (the one message there with Approve / Deny, or once had them). */
function approvalMessage(alert: Alert): PostedMessage {
  const found = [...r.h.slack.messages.values()].filter(
    (m) => m.threadTs === alert.ts && textOf(m.history[0]?.blocks ?? []).includes('approval_actions'),
  );
  expect(found).toHaveLength(1);
  return found[0] as unknown as PostedMessage;
}

function approvalValue(message: PostedMessage): string {
  const actions = message.blocks.find((b) => b.block_id === 'approval_actions');
  return actions?.elements?.[0]?.value ?? '';
}

/** Plans and confirms an isolation from the alert as the on-call responder: it waits for approval. */
async function requestIsolation() {
  const alert = await r.shopAlert();
  const { modal } = await r.isolateFromAlert(alert, USERS.oncall);
  await send(r.h.bot.url, r.confirm(USERS.oncall, modal));
  await r.h.settle();
  const message = approvalMessage(alert);
  return { alert, modal, message, value: approvalValue(message) };
}

const answers = new Map<string, string[]>();

/** Sends a signed click and waits; the click's answers are kept per user (lastAnswerTo). */
async function clickOn(user: string, message: PostedMessage, actionId: string, value: string) {
  const clicked = r.click(user, message, actionId, value);
  await send(r.h.bot.url, clicked.request);
  await r.h.settle();
  answers.set(user, r.answersTo(clicked));
}

function lastAnswerTo(user: string): string {
  return answers.get(user)?.at(-1) ?? '';
}

describe('two-person approval of Isolate pod on prod-cluster', () => {
  it('asks for approval instead of running, refuses the requester, and runs the stored plan once a second admin approves', async () => {
    const alert = await r.shopAlert();
    const { modal } = await r.isolateFromAlert(alert, USERS.oncall);

    const plan = textOf(modal.blocks);
    expect(plan).toContain('*Needs a second approver.*');
    expect(plan).toContain('someone else with the admin role must approve within 30 minutes');

    await send(r.h.bot.url, r.confirm(USERS.oncall, modal));
    await r.h.settle();

    expect(r.quarantinePolicies()).toEqual([]);
    expect(r.evidence.bundles).toEqual([]);
    const message = approvalMessage(alert);
    expect(message.channel).toBe(alert.channel);
    expect(message.text).toContain(`<@${USERS.oncall}> requests Isolate pod on Pod shop/`);
    expect(message.text).toContain('on prod-cluster: approval needed');
    const value = approvalValue(message);
    const reference = JSON.parse(modal.private_metadata) as { r: string };
    expect(JSON.parse(value)).toEqual({
      r: reference.r,
      a: 'isolate-pod',
      c: 'prod-cluster',
      u: USERS.oncall,
    });
    expect(textOf(r.viewById(modal.id).blocks)).toContain('*Waiting for approval.*');

    await clickOn(USERS.oncall, message, APPROVAL_ACTION_IDS.approve, value);

    expect(r.quarantinePolicies()).toEqual([]);
    expect(lastAnswerTo(USERS.oncall)).toContain(
      'You asked for this action, so you cannot approve or deny it',
    );

    await clickOn(USERS.admin, message, APPROVAL_ACTION_IDS.approve, value);

    const [policy] = r.quarantinePolicies();
    expect(policy?.metadata.name).toBe(`kubeguard-quarantine-${reference.r.slice(2)}`);
    expect(r.evidence.bundles).toHaveLength(1);
    const alertShown = textOf(r.h.slack.messages.get(`${alert.channel}:${alert.ts}`)?.blocks ?? []);
    expect(alertShown).toContain('outcome_result');
    expect(alertShown).toContain(`Run by <@${USERS.oncall}>`);
    const decided = r.h.slack.messages.get(`${message.channel}:${message.ts}`);
    expect(textOf(decided?.blocks ?? [])).toContain(`*Approved* by <@${USERS.admin}>`);
    expect(textOf(decided?.blocks ?? [])).not.toContain('approval_actions');
    const thread = [...r.h.slack.messages.values()].filter((m) => m.threadTs === alert.ts);
    expect(thread.map((m) => m.text).join('\n')).toContain(
      `<@${USERS.oncall}> ran *Isolate pod* on Pod \`shop/`,
    );
    expect(thread.map((m) => m.text).join('\n')).toContain(`approved by <@${USERS.admin}>`);
    expect(textOf(r.viewById(modal.id).blocks)).toContain('outcome_result');

    expect(await r.records()).toEqual([
      { type: 'request', kind: 'isolate', actor: USERS.oncall, source: 'button', result: 'accepted' },
      { type: 'outcome', kind: 'plan', actor: USERS.oncall, source: 'button', result: 'done' },
      { type: 'request', kind: 'execute', actor: USERS.oncall, source: 'modal', result: 'accepted' },
      { type: 'approval-requested', kind: 'execute', actor: USERS.oncall, source: 'modal' },
      { type: 'outcome', kind: 'execute', actor: USERS.oncall, source: 'modal', result: 'accepted' },
      { type: 'denial', kind: 'approve', actor: USERS.oncall, source: 'button', result: 'denied' },
      { type: 'request', kind: 'approve', actor: USERS.admin, source: 'button', result: 'accepted' },
      { type: 'approval', kind: 'approve', actor: USERS.admin, source: 'button', result: 'done' },
      { type: 'action', kind: 'approve', actor: USERS.admin, source: 'button' },
      { type: 'outcome', kind: 'approve', actor: USERS.admin, source: 'button', result: 'done' },
    ]);
    const trail = await r.trail();
    const requested = trail.find((t) => t.type === 'approval-requested');
    expect(requested).toMatchObject({
      cluster: 'prod-cluster',
      role: 'admin',
      reason: 'crypto miner seen on the pod at 03:12',
    });
    expect(requested?.detail).toMatch(/^waits for a second person with the admin role until \d{4}-/);
    expect(trail.find((t) => t.type === 'denial')?.detail).toBe(
      'the requester may not approve or deny their own request',
    );
    expect(trail.find((t) => t.type === 'approval')?.detail).toBe(
      `approved by ${USERS.admin}; requested by ${USERS.oncall} (request ${trail.find((t) => t.type === 'approval-requested')?.requestId})`,
    );
    const action = trail.find((t) => t.type === 'action');
    expect(action).toMatchObject({
      actor: USERS.admin,
      detail: `requested by ${USERS.oncall}, approved by ${USERS.admin}`,
      reason: 'crypto miner seen on the pod at 03:12',
      cluster: 'prod-cluster',
    });
    expect(action?.plan).toContain('NetworkPolicy');
  });

  it('Deny: nothing runs, and the request says who denied it', async () => {
    const { message, value } = await requestIsolation();

    await clickOn(USERS.admin, message, APPROVAL_ACTION_IDS.deny, value);

    expect(r.quarantinePolicies()).toEqual([]);
    expect(r.evidence.bundles).toEqual([]);
    const shown = textOf(r.h.slack.messages.get(`${message.channel}:${message.ts}`)?.blocks ?? []);
    expect(shown).toContain(`*Denied* by <@${USERS.admin}>`);
    expect(shown).toContain('Nothing was run.');
    expect(lastAnswerTo(USERS.admin)).toContain(`You denied <@${USERS.oncall}>'s request; nothing runs.`);
    const trail = await r.records();
    expect(trail.filter((t) => t.type === 'action')).toEqual([]);
    expect(trail.slice(-3)).toEqual([
      { type: 'request', kind: 'deny', actor: USERS.admin, source: 'button', result: 'accepted' },
      { type: 'approval', kind: 'deny', actor: USERS.admin, source: 'button', result: 'denied' },
      { type: 'outcome', kind: 'deny', actor: USERS.admin, source: 'button', result: 'done' },
    ]);

    // A later Approve finds it decided.
    await clickOn(USERS.admin, message, APPROVAL_ACTION_IDS.approve, value);
    expect(r.quarantinePolicies()).toEqual([]);
    expect(lastAnswerTo(USERS.admin)).toContain(`This request was denied by <@${USERS.admin}>`);
  });

  it('an approval after the window finds the request expired and runs nothing', async () => {
    const { message, value } = await requestIsolation();
    r.aheadMinutes = 31;

    await clickOn(USERS.admin, message, APPROVAL_ACTION_IDS.approve, value);

    expect(r.quarantinePolicies()).toEqual([]);
    expect(r.evidence.bundles).toEqual([]);
    expect(lastAnswerTo(USERS.admin)).toContain('This request expired');
    expect(lastAnswerTo(USERS.admin)).toContain('so nothing ran');
    const shown = textOf(r.h.slack.messages.get(`${message.channel}:${message.ts}`)?.blocks ?? []);
    expect(shown).toContain('*Expired*');
    expect(shown).not.toContain('approval_actions');
    const trail = await r.trail();
    expect(trail.filter((t) => t.type === 'action')).toEqual([]);
    expect(trail.find((t) => t.type === 'approval')).toMatchObject({
      actor: USERS.admin,
      result: 'unchanged',
    });
    expect(trail.find((t) => t.type === 'approval')?.detail).toMatch(
      new RegExp(`^expired .* without an approval; requested by ${USERS.oncall}; nothing ran$`),
    );
  });

  it("refuses a viewer's Approve and records the denial", async () => {
    const { message, value } = await requestIsolation();

    await clickOn(USERS.viewer, message, APPROVAL_ACTION_IDS.approve, value);

    expect(r.quarantinePolicies()).toEqual([]);
    expect(lastAnswerTo(USERS.viewer)).toContain('admin');
    expect((await r.records()).at(-1)).toEqual({
      type: 'denial',
      kind: 'approve',
      actor: USERS.viewer,
      source: 'button',
      result: 'denied',
    });
    expect((await r.trail()).at(-1)).toMatchObject({ role: 'admin', cluster: 'prod-cluster' });
    // The request still waits for someone who may approve it.
    expect(textOf(r.h.slack.messages.get(`${message.channel}:${message.ts}`)?.blocks ?? [])).toContain(
      'approval_actions',
    );
  });

  it('runs once under a double click on Approve', async () => {
    const { message, value } = await requestIsolation();

    const clicks = [
      r.click(USERS.admin, message, APPROVAL_ACTION_IDS.approve, value),
      r.click(USERS.admin, message, APPROVAL_ACTION_IDS.approve, value),
    ];
    await Promise.all(clicks.map((clicked) => send(r.h.bot.url, clicked.request)));
    await r.h.settle();

    expect(r.quarantinePolicies()).toHaveLength(1);
    expect(r.evidence.bundles).toHaveLength(1);
    const trail = await r.records();
    expect(trail.filter((t) => t.type === 'action')).toHaveLength(1);
    expect(trail.filter((t) => t.type === 'approval')).toHaveLength(1);
    expect(clicks.flatMap((clicked) => r.answersTo(clicked))).toContain(
      'This button was just clicked; kubeguard runs it once.',
    );
  });

  it("/k8s isolate posts the request in the command's channel and answers it with the outcome once approved", async () => {
    const sent = r.command(USERS.oncall, `isolate shop/${SUSPECT} --cluster prod-cluster`);
    await send(r.h.bot.url, sent.request);
    await r.h.settle();
    const modal = r.modalOf(sent.triggerId);
    expect(textOf(modal.blocks)).toContain('*Needs a second approver.*');

    await send(r.h.bot.url, r.confirm(USERS.oncall, modal));
    await r.h.settle();

    expect(r.quarantinePolicies()).toEqual([]);
    const posted = [...r.h.slack.messages.values()].filter((m) =>
      textOf(m.blocks).includes('approval_actions'),
    ) as unknown as PostedMessage[];
    expect(posted.map((m) => [m.channel, m.threadTs])).toEqual([[ALERT_CHANNEL, undefined]]);
    const [message] = posted as [PostedMessage];

    await clickOn(USERS.admin, message, APPROVAL_ACTION_IDS.approve, approvalValue(message));

    expect(r.quarantinePolicies()).toHaveLength(1);
    expect(textOf(r.h.slack.ephemerals.at(-1)?.blocks ?? [])).toContain(OUTCOME_ACTION_IDS.releasePod);
    expect(lastAnswerTo(USERS.admin)).toContain('Isolate pod');
  });
});
