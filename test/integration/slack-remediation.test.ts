import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKubeClient } from '../../adapters/kubernetes/client.ts';
import type { AuditRecord } from '../../core/audit-trail/record.ts';
import type { RemediationRuntime } from '../../core/chatops/remediation-runtime.ts';
import type { KubeObject } from '../../core/remediation/kube-objects.ts';
import { QUARANTINE_LABEL, RELEASED_ANNOTATION } from '../../core/remediation/quarantine.ts';
import { requiredRbacRules } from '../../core/remediation/registry.ts';
import { ALERT_ACTION_IDS, CONFIRM_CALLBACK_IDS, OUTCOME_ACTION_IDS } from '../../core/slack-views/ids.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { describedSecret, FakeSecretRotator } from '../support/fake-secret-rotator.ts';
import { InMemoryRotationClaims } from '../support/in-memory-rotation-claims.ts';
import { KubeApiDouble } from '../support/kube-api-double.ts';
import { InMemoryEvidenceStore, SUSPECT, shopCluster } from '../support/remediation-cluster.ts';
import { ALERT_CHANNEL, type BotHarness, startBotHarness, USERS } from '../support/slack-bot-harness.ts';
import {
  blockActionBody,
  send,
  signed,
  slashCommandBody,
  viewSubmissionBody,
} from '../support/slack-requests.ts';

/**
 * Remediation from Slack end to end over loopback: a signed click or `/k8s isolate` opens the
 * planning modal, the worker runs the preflight against the Kubernetes API double and replaces the
 * modal with the dry-run plan, the confirmation (with a reason) runs exactly the stored plan, the
 * alert shows the verified outcome with a Release button, and the audit trail holds every step.
 */

let db: Dynalite;
let h: BotHarness;
let api: KubeApiDouble;
let evidence: InMemoryEvidenceStore;
let rotator: FakeSecretRotator;
let sequence = 0;
/** Minutes the worker's clock is ahead of the system clock (an expired plan). */
let aheadMinutes = 0;

const SECRET_ID = 'MyTestSecret';
const REASON = 'crypto miner seen on the pod at 03:12';

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});
beforeEach(async () => {
  aheadMinutes = 0;
  api = await new KubeApiDouble({ objects: shopCluster() as never }).start();
  api.allowOnly(
    requiredRbacRules().flatMap((rule) => rule.verbs.map((verb) => ({ verb, resource: rule.resource }))),
  );
  const config = new KubeConfig();
  config.loadFromOptions(api.kubeConfigOptions());
  const kube = createKubeClient({ kubeConfig: config });
  evidence = new InMemoryEvidenceStore();
  rotator = new FakeSecretRotator(
    describedSecret('describe-secret-rotating', {
      versionStages: { 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222': ['AWSCURRENT'] },
    }),
  );
  const runtime: RemediationRuntime = {
    forCluster: async () => ({ kube, evidence, secrets: rotator, enforcement: 'enabled' }),
    rotationClaims: new InMemoryRotationClaims(),
    timers: { nowMs: () => Date.now(), sleep: async () => {} },
  };
  h = await startBotHarness({
    db,
    remediation: runtime,
    workerClock: () => new Date(Date.now() + aheadMinutes * 60_000).toISOString(),
  });
});
afterEach(async () => {
  await h.stop();
  await api.stop();
});

interface Alert {
  channel: string;
  ts: string;
  value: string;
  finding: { fingerprint: string };
}

/** The alert of a GuardDuty finding about the suspect pod of the shop cluster. */
function shopAlert(): Promise<Alert> {
  return h.alert('guardduty-eks-exec-in-kube-system-pod.json', { namespace: 'shop', pod: SUSPECT });
}

function click(user: string, alert: { channel: string; ts: string }, actionId: string, value: string) {
  sequence += 1;
  const triggerId = `${sequence}.333.remediation`;
  return {
    triggerId,
    request: signed(
      blockActionBody({
        actionId,
        value,
        userId: user,
        channel: alert.channel,
        messageTs: alert.ts,
        triggerId,
        actionTs: `1733230000.${String(sequence).padStart(6, '0')}`,
        responseUrl: h.slack.responseUrl(`actions/T111/${sequence}/z`),
      }),
    ),
  };
}

function command(user: string, text: string) {
  sequence += 1;
  const triggerId = `${sequence}.444.remediation`;
  return {
    triggerId,
    request: signed(
      slashCommandBody({
        user_id: user,
        team_id: 'T111',
        channel_id: ALERT_CHANNEL,
        text,
        trigger_id: triggerId,
        response_url: h.slack.responseUrl(`commands/T111/${sequence}/r`),
      }),
    ),
  };
}

/** The modal opened with `triggerId`, as Slack holds it now (after the worker's views.update). */
function modalOf(triggerId: string) {
  const found = [...h.slack.state.views.values()].find((v) => v.current.external_id === `plan:${triggerId}`);
  if (found === undefined) throw new Error(`no modal was opened for ${triggerId}`);
  return found.current as {
    id: string;
    hash: string;
    callback_id: string;
    private_metadata: string;
    blocks: { block_id?: string; text?: { text: string } }[];
  };
}

/** A modal as Slack holds it now, by its view id. */
function viewById(id: string): { blocks: unknown[] } {
  const found = h.slack.state.views.get(id);
  if (found === undefined) throw new Error(`no view ${id}`);
  return found.current as { blocks: unknown[] };
}

function textOf(blocks: readonly unknown[]): string {
  return JSON.stringify(blocks);
}

function confirm(user: string, modal: ReturnType<typeof modalOf>, reason = REASON) {
  return signed(
    viewSubmissionBody({
      callbackId: modal.callback_id,
      privateMetadata: modal.private_metadata,
      values: { confirm_reason: { reason } },
      userId: user,
      viewId: modal.id,
      hash: modal.hash,
    }),
  );
}

async function records(): Promise<Pick<AuditRecord, 'type' | 'kind' | 'actor' | 'result' | 'source'>[]> {
  const now = Date.now();
  const page = await h.trail.byTime({
    from: new Date(now - 86_400_000).toISOString(),
    to: new Date(now + 86_400_000).toISOString(),
    limit: 1000,
  });
  return page.records.map(({ type, kind, actor, result, source }) => ({
    type,
    kind,
    actor,
    source,
    ...(result === undefined ? {} : { result }),
  }));
}

function quarantinePolicies(): KubeObject[] {
  return (api.objects('networkpolicies', 'shop') as unknown as KubeObject[]).filter((policy) =>
    policy.metadata.name.startsWith('kubeguard-quarantine-'),
  );
}

async function isolateFromAlert(alert: Alert, user: string = USERS.oncall) {
  const clicked = click(user, alert, ALERT_ACTION_IDS.isolatePod, alert.value);
  const ack = await send(h.bot.url, clicked.request);
  await h.settle();
  return { ack, modal: modalOf(clicked.triggerId) };
}

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
    aheadMinutes = 16;

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
    expect(textOf(h.slack.messages.get(`${alert.channel}:${alert.ts}`)?.blocks ?? [])).toContain(
      '*Release pod*',
    );
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
