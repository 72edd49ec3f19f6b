import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/remediation/kube-objects.ts';
import { QUARANTINE_LABEL, RELEASED_ANNOTATION } from '../../core/remediation/quarantine.ts';
import { ALERT_ACTION_IDS, CONFIRM_CALLBACK_IDS, OUTCOME_ACTION_IDS } from '../../core/slack-views/ids.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import type { FakeSecretRotator } from '../support/fake-secret-rotator.ts';
import type { KubeApiDouble } from '../support/kube-api-double.ts';
import { type InMemoryEvidenceStore, SUSPECT } from '../support/remediation-cluster.ts';
import type { BotHarness } from '../support/slack-bot-harness.ts';
import { USERS } from '../support/slack-bot-harness.ts';
import { REASON, RemediationBot, SECRET_ID, textOf } from '../support/slack-remediation.ts';
import { send } from '../support/slack-requests.ts';

/**
 * Remediation from Slack end to end over loopback: a signed click or `/k8s isolate` opens the
 * planning modal, the worker runs the preflight against the Kubernetes API double and replaces the
 * modal with the dry-run plan, the confirmation (with a reason) runs exactly the stored plan, the
 * alert shows the verified outcome with a Release button, and the audit trail holds every step.
 */

let db: Dynalite;
let r: RemediationBot;
let h: BotHarness;
let api: KubeApiDouble;
let evidence: InMemoryEvidenceStore;
let rotator: FakeSecretRotator;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});
beforeEach(async () => {
  r = await RemediationBot.start({ db });
  ({ h, api, evidence, rotator } = r);
});
afterEach(async () => {
  await r.stop();
});

const shopAlert = () => r.shopAlert();
const click = (...args: Parameters<RemediationBot['click']>) => r.click(...args);
const command = (...args: Parameters<RemediationBot['command']>) => r.command(...args);
const modalOf = (triggerId: string) => r.modalOf(triggerId);
const viewById = (id: string) => r.viewById(id);
const confirm = (...args: Parameters<RemediationBot['confirm']>) => r.confirm(...args);
const records = () => r.records();
const quarantinePolicies = () => r.quarantinePolicies();
const isolateFromAlert = (...args: Parameters<RemediationBot['isolateFromAlert']>) =>
  r.isolateFromAlert(...args);

describe('Isolate pod from an alert', () => {
  it('opens the planning modal, shows the plan, and after a confirmation with a reason isolates the pod, updates the alert and records every step', async () => {
    const alert = await shopAlert();

    const { ack, modal } = await isolateFromAlert(alert);

    expect(ack.status).toBe(200);
    const opened = h.slack.openedViews.at(-1)?.view as { callback_id: string; blocks: unknown[] };
    expect(opened.callback_id).toBe('remediation_planning');
    expect(textOf(opened.blocks)).toContain('Preparing the dry-run plan to isolate a pod');
    expect(modal.callback_id).toBe(CONFIRM_CALLBACK_IDS['isolate-pod']);
    const plan = textOf(modal.blocks);
    expect(plan).toContain(`\`shop/${SUSPECT}\``);
    expect(plan).toContain('*Create* NetworkPolicy');
    expect(plan).toContain('forensic bundle');
    expect(quarantinePolicies()).toEqual([]);
    const reference = JSON.parse(modal.private_metadata) as { r: string; a: string; fp: string; c: string };
    expect(reference).toMatchObject({ a: 'isolate-pod', fp: alert.finding.fingerprint, c: 'prod-cluster' });

    const submitted = await send(h.bot.url, confirm(USERS.oncall, modal));
    expect(submitted.body).toMatchObject({
      response_action: 'update',
      view: { callback_id: 'remediation_planning' },
    });
    await h.settle();

    const [policy] = quarantinePolicies();
    const quarantineId = reference.r.slice(2);
    expect(policy?.metadata.name).toBe(`kubeguard-quarantine-${quarantineId}`);
    expect(api.object('pods', 'shop', SUSPECT)?.metadata).toMatchObject({
      labels: { [QUARANTINE_LABEL]: quarantineId },
    });
    expect(evidence.bundles).toHaveLength(1);
    const message = h.slack.messages.get(`${alert.channel}:${alert.ts}`);
    const shown = textOf(message?.blocks ?? []);
    expect(shown).toContain('outcome_result');
    expect(shown).toContain(`Run by <@${USERS.oncall}>`);
    expect(shown).toContain(OUTCOME_ACTION_IDS.releasePod);
    expect(shown).toContain(`"q\\":\\"${quarantineId}\\"`);
    const finding = await h.store.get(alert.finding.fingerprint);
    expect(finding?.remediation?.outcome.status).toBe('done');
    const thread = [...h.slack.messages.values()].filter((m) => m.threadTs === alert.ts);
    expect(thread.map((m) => m.text).join('\n')).toContain(`<@${USERS.oncall}> ran *Isolate pod*`);
    expect(textOf(viewById(modal.id).blocks)).toContain('outcome_result');
    expect(await records()).toEqual([
      { type: 'request', kind: 'isolate', actor: USERS.oncall, source: 'button', result: 'accepted' },
      { type: 'outcome', kind: 'plan', actor: USERS.oncall, source: 'button', result: 'done' },
      { type: 'request', kind: 'execute', actor: USERS.oncall, source: 'modal', result: 'accepted' },
      { type: 'action', kind: 'execute', actor: USERS.oncall, source: 'modal' },
      { type: 'outcome', kind: 'execute', actor: USERS.oncall, source: 'modal', result: 'done' },
    ]);
  });

  it('keeps the outcome on the alert when delivery renders it again', async () => {
    const alert = await shopAlert();
    const { modal } = await isolateFromAlert(alert);
    await send(h.bot.url, confirm(USERS.oncall, modal));
    await h.settle();

    const ack = click(USERS.oncall, alert, ALERT_ACTION_IDS.acknowledge, alert.value);
    await send(h.bot.url, ack.request);
    await h.settle();

    const shown = textOf(h.slack.messages.get(`${alert.channel}:${alert.ts}`)?.blocks ?? []);
    expect(shown).toContain('Acknowledged');
    expect(shown).toContain('outcome_result');
    expect(shown).toContain(OUTCOME_ACTION_IDS.releasePod);
    // A quarantined pod is offered Release, not a second Isolate.
    expect(shown).not.toContain(`"action_id":"${ALERT_ACTION_IDS.isolatePod}"`);
  });

  it('refuses a viewer, records the denial, and opens no modal', async () => {
    const alert = await shopAlert();

    const clicked = click(USERS.viewer, alert, ALERT_ACTION_IDS.isolatePod, alert.value);
    await send(h.bot.url, clicked.request);
    await h.settle();

    expect(h.slack.openedViews).toEqual([]);
    expect(h.slack.ephemerals.at(-1)?.text).toContain('responder');
    expect(await records()).toEqual([
      { type: 'denial', kind: 'isolate', actor: USERS.viewer, source: 'button', result: 'denied' },
    ]);
  });

  it('runs a confirmation once under a Slack retry and a double submission', async () => {
    const alert = await shopAlert();
    const { modal } = await isolateFromAlert(alert);
    const submission = confirm(USERS.oncall, modal);

    await Promise.all([
      send(h.bot.url, submission),
      send(h.bot.url, { ...submission, headers: { ...submission.headers, 'X-Slack-Retry-Num': '1' } }),
    ]);
    await send(h.bot.url, confirm(USERS.oncall, modal, `${REASON} (again)`));
    await h.settle();

    expect(quarantinePolicies()).toHaveLength(1);
    expect(evidence.bundles).toHaveLength(1);
    const trail = await records();
    expect(trail.filter((r) => r.type === 'action')).toHaveLength(1);
    expect(
      trail
        .filter((r) => r.kind === 'execute' && r.type === 'outcome')
        .map((r) => r.result)
        .sort(),
    ).toEqual(['done', 'unchanged']);
  });

  it('refuses a plan that expired and says to plan again', async () => {
    const alert = await shopAlert();
    const { modal } = await isolateFromAlert(alert);
    r.aheadMinutes = 16;

    await send(h.bot.url, confirm(USERS.oncall, modal));
    await h.settle();

    expect(quarantinePolicies()).toEqual([]);
    const shown = textOf(viewById(modal.id).blocks);
    expect(shown).toContain('did not run');
    expect(shown).toContain('the plan expired');
    expect((await records()).filter((r) => r.type === 'action')).toEqual([]);
  });

  it('lets only the person who planned confirm the plan', async () => {
    const alert = await shopAlert();
    const { modal } = await isolateFromAlert(alert, USERS.admin);

    await send(h.bot.url, confirm(USERS.oncall, modal));
    await h.settle();

    expect(quarantinePolicies()).toEqual([]);
    expect(textOf(viewById(modal.id).blocks)).toContain('only the person who made plan');
  });
});

describe('Release pod', () => {
  it('the Release button of the outcome plans and runs the release', async () => {
    const alert = await shopAlert();
    const { modal } = await isolateFromAlert(alert);
    await send(h.bot.url, confirm(USERS.oncall, modal));
    await h.settle();
    const message = h.slack.messages.get(`${alert.channel}:${alert.ts}`);
    const blocks = (message?.blocks ?? []) as { block_id?: string; elements?: { value: string }[] }[];
    const actions = blocks.find((b) => b.block_id === 'outcome_actions');

    const clicked = click(
      USERS.oncall,
      alert,
      OUTCOME_ACTION_IDS.releasePod,
      actions?.elements?.[0]?.value ?? '',
    );
    await send(h.bot.url, clicked.request);
    await h.settle();
    const release = modalOf(clicked.triggerId);
    expect(release.callback_id).toBe(CONFIRM_CALLBACK_IDS['release-pod']);
    await send(h.bot.url, confirm(USERS.oncall, release, 'false positive: the load test'));
    await h.settle();

    expect(quarantinePolicies()).toEqual([]);
    const pod = api.object('pods', 'shop', SUSPECT) as unknown as KubeObject;
    expect(pod.metadata.labels).toMatchObject({ app: 'web', 'pod-template-hash': '5cdcc99dbf' });
    expect(pod.metadata.labels?.[QUARANTINE_LABEL]).toBeUndefined();
    expect(pod.metadata.annotations?.[RELEASED_ANNOTATION]).toBeDefined();
    const released = textOf(h.slack.messages.get(`${alert.channel}:${alert.ts}`)?.blocks ?? []);
    expect(released).toContain('*Release pod*');
    // Released: the alert offers Isolate pod again.
    expect(released).toContain(`"action_id":"${ALERT_ACTION_IDS.isolatePod}"`);
  });
});

describe('/k8s isolate and /k8s rotate', () => {
  it('/k8s isolate NS/POD plans in a modal and answers the channel with the outcome', async () => {
    const sent = command(USERS.oncall, `isolate shop/${SUSPECT} --cluster prod-cluster`);

    const ack = await send(h.bot.url, sent.request);
    await h.settle();

    expect((ack.body as { text: string }).text).toContain('Preparing the plan');
    const modal = modalOf(sent.triggerId);
    expect(modal.callback_id).toBe(CONFIRM_CALLBACK_IDS['isolate-pod']);
    await send(h.bot.url, confirm(USERS.oncall, modal));
    await h.settle();

    expect(quarantinePolicies()).toHaveLength(1);
    const answer = h.slack.ephemerals.at(-1);
    expect(textOf(answer?.blocks ?? [])).toContain(OUTCOME_ACTION_IDS.releasePod);
  });

  it('/k8s isolate explains a bad pod name without queueing anything', async () => {
    const ack = await send(
      h.bot.url,
      command(USERS.oncall, 'isolate shop/Web_1 --cluster prod-cluster').request,
    );

    expect((ack.body as { text: string }).text).toContain('is not a pod name');
    expect(h.slack.openedViews).toEqual([]);
  });

  it('/k8s rotate SECRET_ID rotates through Secrets Manager after the confirmation', async () => {
    const sent = command(USERS.oncall, `rotate ${SECRET_ID} --cluster prod-cluster`);
    await send(h.bot.url, sent.request);
    await h.settle();
    const modal = modalOf(sent.triggerId);
    expect(modal.callback_id).toBe(CONFIRM_CALLBACK_IDS['rotate-secret']);
    expect(rotator.calls).toEqual([`describe ${SECRET_ID}`]);

    await send(h.bot.url, confirm(USERS.oncall, modal, 'the key leaked in a CI log'));
    await h.settle();

    const reference = JSON.parse(modal.private_metadata) as { r: string };
    expect(rotator.calls).toContain(
      `startRotation ${rotator.secret.arn} kubeguard-rotation-${reference.r.slice(2)}`,
    );
    expect(textOf(viewById(modal.id).blocks)).toContain('*New version:*');
  });
});
