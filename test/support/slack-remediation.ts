import { KubeConfig } from '@kubernetes/client-node';
import { createKubeClient } from '../../adapters/kubernetes/client.ts';
import type { AuditRecord } from '../../core/audit-trail/record.ts';
import type { RemediationRuntime } from '../../core/chatops/remediation-runtime.ts';
import type { KubeguardConfig } from '../../core/config/schema.ts';
import type { KubeObject } from '../../core/remediation/kube-objects.ts';
import { requiredRbacRules } from '../../core/remediation/registry.ts';
import { ALERT_ACTION_IDS } from '../../core/slack-views/ids.ts';
import type { Dynalite } from './dynalite.ts';
import { describedSecret, FakeSecretRotator } from './fake-secret-rotator.ts';
import { InMemoryRotationClaims } from './in-memory-rotation-claims.ts';
import { KubeApiDouble } from './kube-api-double.ts';
import { InMemoryEvidenceStore, SUSPECT, shopCluster } from './remediation-cluster.ts';
import { ALERT_CHANNEL, type BotHarness, startBotHarness, USERS } from './slack-bot-harness.ts';
import { blockActionBody, send, signed, slashCommandBody, viewSubmissionBody } from './slack-requests.ts';

/**
 * The bot with remediation over loopback, for the integration tests of isolate / release / rotate
 * and two-person approval: the bot harness (slack-bot-harness.ts) with the shop cluster on the
 * Kubernetes API double (allowed only kubeguard's RBAC), an in-memory evidence store, a fake Secrets
 * Manager, a worker clock that can be moved ahead, and the signed requests a person sends.
 */

export const SECRET_ID = 'MyTestSecret';
export const REASON = 'crypto miner seen on the pod at 03:12';

export interface Alert {
  channel: string;
  ts: string;
  value: string;
  finding: { fingerprint: string };
}

/** A modal as Slack holds it now (after the worker's views.update). */
export interface ShownModal {
  id: string;
  hash: string;
  callback_id: string;
  private_metadata: string;
  blocks: { block_id?: string; text?: { text: string } }[];
}

export type TrailEntry = Pick<AuditRecord, 'type' | 'kind' | 'actor' | 'result' | 'source'>;

export interface RemediationBotOptions {
  db: Dynalite;
  /** @default BOT_CONFIG of the bot harness */
  config?: KubeguardConfig;
}

let sequence = 0;

export class RemediationBot {
  /** Minutes the worker's clock is ahead of the system clock (an expired plan or approval). */
  aheadMinutes = 0;

  readonly h: BotHarness;
  readonly api: KubeApiDouble;
  readonly evidence: InMemoryEvidenceStore;
  readonly rotator: FakeSecretRotator;

  private constructor(
    h: BotHarness,
    api: KubeApiDouble,
    evidence: InMemoryEvidenceStore,
    rotator: FakeSecretRotator,
  ) {
    this.h = h;
    this.api = api;
    this.evidence = evidence;
    this.rotator = rotator;
  }

  static async start(options: RemediationBotOptions): Promise<RemediationBot> {
    const api = await new KubeApiDouble({ objects: shopCluster() as never }).start();
    api.allowOnly(
      requiredRbacRules().flatMap((rule) => rule.verbs.map((verb) => ({ verb, resource: rule.resource }))),
    );
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions(api.kubeConfigOptions());
    const kube = createKubeClient({ kubeConfig });
    const evidence = new InMemoryEvidenceStore();
    const rotator = new FakeSecretRotator(
      describedSecret('describe-secret-rotating', {
        versionStages: { 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222': ['AWSCURRENT'] },
      }),
    );
    const runtime: RemediationRuntime = {
      forCluster: async () => ({ kube, evidence, secrets: rotator, enforcement: 'enabled' }),
      rotationClaims: new InMemoryRotationClaims(),
      timers: { nowMs: () => Date.now(), sleep: async () => {} },
    };
    let bot: RemediationBot | undefined;
    const h = await startBotHarness({
      db: options.db,
      remediation: runtime,
      workerClock: () => new Date(Date.now() + (bot?.aheadMinutes ?? 0) * 60_000).toISOString(),
      ...(options.config === undefined ? {} : { config: options.config }),
    });
    bot = new RemediationBot(h, api, evidence, rotator);
    return bot;
  }

  async stop(): Promise<void> {
    await this.h.stop();
    await this.api.stop();
  }

  /** The alert of a GuardDuty finding about the suspect pod of the shop cluster. */
  shopAlert(): Promise<Alert> {
    return this.h.alert('guardduty-eks-exec-in-kube-system-pod.json', { namespace: 'shop', pod: SUSPECT });
  }

  /** A signed click on a button of the message at `where`. */
  click(user: string, where: { channel: string; ts: string }, actionId: string, value: string) {
    sequence += 1;
    const triggerId = `${sequence}.333.remediation`;
    const responsePath = `actions/T111/${sequence}/z`;
    return {
      triggerId,
      /** Where the click's response URL answers are recorded (`ephemerals[].via` ends with it). */
      responsePath,
      request: signed(
        blockActionBody({
          actionId,
          value,
          userId: user,
          channel: where.channel,
          messageTs: where.ts,
          triggerId,
          actionTs: `1733230000.${String(sequence).padStart(6, '0')}`,
          responseUrl: this.h.slack.responseUrl(responsePath),
        }),
      ),
    };
  }

  command(user: string, text: string) {
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
          response_url: this.h.slack.responseUrl(`commands/T111/${sequence}/r`),
        }),
      ),
    };
  }

  /** The modal opened with `triggerId`, as Slack holds it now. */
  modalOf(triggerId: string): ShownModal {
    const found = [...this.h.slack.state.views.values()].find(
      (v) => v.current.external_id === `plan:${triggerId}`,
    );
    if (found === undefined) throw new Error(`no modal was opened for ${triggerId}`);
    return found.current as unknown as ShownModal;
  }

  /** A modal as Slack holds it now, by its view id. */
  viewById(id: string): { blocks: unknown[] } {
    const found = this.h.slack.state.views.get(id);
    if (found === undefined) throw new Error(`no view ${id}`);
    return found.current as { blocks: unknown[] };
  }

  /** The signed submission of a confirmation modal with `reason`. */
  confirm(user: string, modal: ShownModal, reason = REASON) {
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

  /** The audit trail, oldest first. */
  async trail(): Promise<AuditRecord[]> {
    const now = Date.now();
    const page = await this.h.trail.byTime({
      from: new Date(now - 86_400_000).toISOString(),
      to: new Date(now + 86_400_000).toISOString(),
      limit: 1000,
    });
    return page.records;
  }

  /** The trail's type, kind, actor, source and result of each record, oldest first. */
  async records(): Promise<TrailEntry[]> {
    return (await this.trail()).map(({ type, kind, actor, result, source }) => ({
      type,
      kind,
      actor,
      source,
      ...(result === undefined ? {} : { result }),
    }));
  }

  /** The answers sent to a click's response URL, in order. */
  answersTo(click: { responsePath: string }): string[] {
    return this.h.slack.ephemerals.filter((e) => e.via.endsWith(click.responsePath)).map((e) => e.text);
  }

  /** The quarantine NetworkPolicies kubeguard made in the shop namespace. */
  quarantinePolicies(): KubeObject[] {
    return (this.api.objects('networkpolicies', 'shop') as unknown as KubeObject[]).filter((policy) =>
      policy.metadata.name.startsWith('kubeguard-quarantine-'),
    );
  }

  /** Clicks Isolate pod on the alert and waits for the plan in the modal. */
  async isolateFromAlert(alert: Alert, user: string = USERS.oncall) {
    const clicked = this.click(user, alert, ALERT_ACTION_IDS.isolatePod, alert.value);
    const ack = await send(this.h.bot.url, clicked.request);
    await this.h.settle();
    return { ack, modal: this.modalOf(clicked.triggerId) };
  }
}

export function textOf(blocks: readonly unknown[]): string {
  return JSON.stringify(blocks);
}
