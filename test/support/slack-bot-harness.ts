import { DynamoAuditHistoryStore } from '../../adapters/aws/audit-history-store.ts';
import { DynamoAuditTrailStore } from '../../adapters/aws/audit-trail-store.ts';
import { DynamoDigestSubscriptions, DynamoPostureFacts } from '../../adapters/aws/digest-stores.ts';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { DynamoPlanStore } from '../../adapters/aws/plan-store.ts';
import { DynamoClaimStore } from '../../adapters/aws/replay-claims.ts';
import { createResvgRasterizer } from '../../adapters/chart/png.ts';
import { InProcessActionQueue } from '../../adapters/local/in-process-action-queue.ts';
import { InProcessDeliveryTrigger } from '../../adapters/local/in-process-delivery-trigger.ts';
import {
  cachedUserGroupDirectory,
  createBotWebClient,
  createSlackHomeTabs,
  createSlackReplies,
  createSlackViews,
  createSlackViewUpdates,
  createUserGroupDirectory,
} from '../../adapters/slack/bot-web-api.ts';
import { createDigestSlack } from '../../adapters/slack/digest-slack.ts';
import { createWebApiMessenger } from '../../adapters/slack/web-api-messenger.ts';
import { type LocalBot, startLocalBot } from '../../bot/local.ts';
import type { AuditRecord } from '../../core/audit-trail/record.ts';
import type { AuditWorkerPorts } from '../../core/chatops/audit-ports.ts';
import type { EvidenceWorkerPorts } from '../../core/chatops/evidence-ports.ts';
import { digestSubscriptionsFor } from '../../core/chatops/handlers/digest.ts';
import type { IngressDeps } from '../../core/chatops/ingress.ts';
import type { ChatopsLog } from '../../core/chatops/ports.ts';
import type { RemediationRuntime } from '../../core/chatops/remediation-runtime.ts';
import { runQueuedRequest, type WorkerDeps } from '../../core/chatops/worker.ts';
import { type KubeguardConfig, parseConfig } from '../../core/config/schema.ts';
import { digestSourcesOver } from '../../core/digest/sources.ts';
import { alertDeliveryFor, findingRecorderFor } from '../../core/findings/compose.ts';
import type { StoredFinding } from '../../core/findings/stored-finding.ts';
import type { Detection } from '../../core/model/detection.ts';
import { guardDutyDetection } from './detections.ts';
import { type Dynalite, startDynalite } from './dynalite.ts';
import { type SlackApiDouble, startSlackApiDouble } from './slack-api-double.ts';
import { FIXTURE_SIGNING_SECRET } from './slack-requests.ts';

/**
 * The whole Slack bot on loopback, for integration tests and `npm run bench`: the local HTTP entry
 * (bot/local.ts) with the real Bolt app and verifier, stores on dynalite, the Slack Web API double,
 * an in-process action queue running the worker, and an in-process delivery run that updates alerts.
 */
export const BOT_TOKEN = 'xoxb-bot-integration';
export const ALERT_CHANNEL = 'C0ALERTS';
export const USERS = {
  admin: 'U0ADMIN',
  /** A responder through the on-call user group (prod-cluster only). */
  oncall: 'U0ONCALL',
  viewer: 'U0VIEWER',
  stranger: 'U0STRANGER',
} as const;
export const ONCALL_GROUP = 'S0ONCALL';

export const BOT_CONFIG: KubeguardConfig = parseConfig({
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1' },
    { name: 'staging', region: 'eu-west-1' },
  ],
  slack: { defaultChannel: ALERT_CHANNEL },
  authorization: {
    grants: [
      { role: 'admin', users: [USERS.admin] },
      { role: 'responder', userGroups: [ONCALL_GROUP], clusters: ['prod-cluster'] },
      { role: 'viewer', users: [USERS.viewer, USERS.oncall] },
    ],
    contact: '#platform-security',
  },
});

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  attributes?: Record<string, unknown>;
}

export interface BotHarness {
  bot: LocalBot;
  slack: SlackApiDouble;
  store: DynamoFindingStore;
  trail: DynamoAuditTrailStore;
  /** The posture history the Home tab reads (seed it with `put`). */
  history: DynamoAuditHistoryStore;
  queue: InProcessActionQueue;
  /** What the listeners run with: another entry (Socket Mode) can serve the same app. */
  deps: IngressDeps;
  logs: LogLine[];
  /** Records a GuardDuty finding and delivers its alert; the alert's ids and its buttons' value. */
  alert(
    fixture?: string,
    overrides?: Partial<Detection>,
  ): Promise<{ finding: StoredFinding; channel: string; ts: string; value: string }>;
  /** Waits until the worker and alert delivery have nothing left to do. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

let tables = 0;

export interface BotHarnessOptions {
  /** A running dynalite to use (a fresh table is made in it); @default a dynalite of its own */
  db?: Dynalite;
  /**
   * Whether the worker runs what is queued. Off, requests are only collected (`collected`): the bench
   * measures the acknowledgement alone. @default true
   */
  runWorker?: boolean;
  /**
   * How `/k8s audit` collects and where reports go; the harness adds history and claims on its
   * table and views.update on the double. @default no audits (the worker says so)
   */
  audit?: Pick<AuditWorkerPorts, 'runner' | 'exports' | 'reports' | 'policies'>;
  /** Cluster access for remediations (the Kubernetes API double); absent = the worker does not remediate. */
  remediation?: RemediationRuntime;
  /** What `/k8s evidence` builds with, given the harness's stores. @default no packs (the worker says so) */
  evidence?: (stores: {
    history: DynamoAuditHistoryStore;
    findings: DynamoFindingStore;
    trail: DynamoAuditTrailStore;
  }) => EvidenceWorkerPorts;
  /** The worker's clock (ISO-8601). @default the system clock */
  workerClock?: () => string;
  /** The configuration of the ingress, the worker and delivery. @default BOT_CONFIG */
  config?: KubeguardConfig;
}

export async function startBotHarness(options: BotHarnessOptions = {}): Promise<BotHarness> {
  const db = options.db ?? (await startDynalite());
  const config = options.config ?? BOT_CONFIG;
  tables += 1;
  const tableName = `bot-${tables}`;
  await db.createTable(findingsTableDefinition(tableName));
  const slack = await startSlackApiDouble({
    token: BOT_TOKEN,
    channels: [ALERT_CHANNEL],
    userGroups: { [ONCALL_GROUP]: [USERS.oncall] },
  });
  const logs: LogLine[] = [];
  const log = recordingLog(logs);
  const store = new DynamoFindingStore({
    client: db.documentClient,
    tableName,
    nowSeconds: () => Math.floor(Date.now() / 1000),
  });
  const trail = new DynamoAuditTrailStore({ client: db.documentClient, tableName });
  const history = new DynamoAuditHistoryStore({ client: db.documentClient, tableName });
  const messenger = createWebApiMessenger({ token: BOT_TOKEN, slackApiUrl: slack.url });
  const delivery = alertDeliveryFor({
    config,
    store,
    messenger,
    // Real time: pacing between posts to one channel is the only wait, and tests post little.
    timers: { nowMs: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  });
  const trigger = new InProcessDeliveryTrigger(() => delivery.deliverPending({ owner: 'bot-harness' }));
  const client = createBotWebClient({ token: BOT_TOKEN, slackApiUrl: slack.url });
  const subscriptions = new DynamoDigestSubscriptions({ client: db.documentClient, tableName });
  const worker: WorkerDeps = {
    config,
    findings: store,
    trail,
    replies: createSlackReplies({ client, extraResponseOrigins: [new URL(slack.url).origin] }),
    delivery: trigger,
    messenger,
    clock: options.workerClock ?? (() => new Date().toISOString()),
    log,
    home: {
      history,
      digests: digestSubscriptionsFor(subscriptions, config.digest),
      tabs: createSlackHomeTabs(client),
    },
    digest: {
      subscriptions,
      sources: digestSourcesOver({
        history,
        findings: store,
        trail,
        facts: new DynamoPostureFacts({ client: db.documentClient, tableName }),
      }),
      slack: createDigestSlack({ token: BOT_TOKEN, slackApiUrl: slack.url }),
      chart: createResvgRasterizer(),
    },
    ...(options.audit === undefined
      ? {}
      : {
          audit: {
            ...options.audit,
            history,
            claims: new DynamoClaimStore({ client: db.documentClient, tableName }),
            views: createSlackViewUpdates(client),
          },
        }),
    ...(options.evidence === undefined
      ? {}
      : { evidence: options.evidence({ history, findings: store, trail }) }),
    ...(options.remediation === undefined
      ? {}
      : {
          remediation: {
            runtime: options.remediation,
            plans: new DynamoPlanStore({ client: db.documentClient, tableName }),
            views: createSlackViewUpdates(client),
          },
        }),
  };
  const queue = new InProcessActionQueue((request, attempt) =>
    options.runWorker === false
      ? Promise.resolve('done' as const)
      : runQueuedRequest(request, worker, attempt),
  );
  const deps: IngressDeps = {
    config,
    claims: new DynamoClaimStore({ client: db.documentClient, tableName }),
    queue,
    trail,
    directory: cachedUserGroupDirectory(createUserGroupDirectory(client), 60_000),
    views: createSlackViews(client),
    log,
    nowMs: () => Date.now(),
  };
  const bot = await startLocalBot({ deps, botToken: BOT_TOKEN, signingSecret: FIXTURE_SIGNING_SECRET });
  const recorder = findingRecorderFor({ config, store, clock: () => new Date().toISOString() });

  const settle = async () => {
    do {
      await queue.idle();
      await trigger.idle();
    } while (queue.pending() > 0);
  };

  return {
    bot,
    slack,
    store,
    trail,
    history,
    queue,
    deps,
    logs,
    async alert(fixture = 'guardduty-eks-exec-in-kube-system-pod.json', overrides = {}) {
      const detection = guardDutyDetection(fixture, {
        eventId: `event-${Math.random().toString(16).slice(2)}`,
        ...overrides,
      });
      const report = await recorder.record([detection]);
      await delivery.deliverPending({ owner: 'bot-harness' });
      const fingerprint = report.fingerprints[0] ?? '';
      const finding = (await store.get(fingerprint)) as StoredFinding;
      if (finding.slack === undefined) throw new Error(`finding ${fingerprint} was not posted`);
      const posted = slack.messages.get(`${finding.slack.channel}:${finding.slack.ts}`);
      const blocks = (posted?.blocks ?? []) as { block_id?: string; elements?: { value?: string }[] }[];
      const actions = blocks.find((b) => b.block_id === 'alert_actions');
      return {
        finding,
        channel: finding.slack.channel,
        ts: finding.slack.ts,
        value: actions?.elements?.[0]?.value ?? '',
      };
    },
    settle,
    async stop() {
      await settle();
      await bot.stop();
      await slack.stop();
      if (options.db === undefined) await db.stop();
    },
  };
}

function recordingLog(lines: LogLine[]): ChatopsLog {
  const record = (level: LogLine['level']) => (message: string, attributes?: Record<string, unknown>) => {
    lines.push({ level, message, ...(attributes === undefined ? {} : { attributes }) });
  };
  return { info: record('info'), warn: record('warn'), error: record('error') };
}

/** Every audit-trail record from a day before to a day after now: what a test's requests wrote. */
export async function recentTrail(harness: Pick<BotHarness, 'trail'>): Promise<AuditRecord[]> {
  const now = Date.now();
  const page = await harness.trail.byTime({
    from: new Date(now - 86_400_000).toISOString(),
    to: new Date(now + 86_400_000).toISOString(),
    limit: 1000,
  });
  return page.records;
}

/** The fields a test asserts of a trail record: type, kind, actor, and result and cluster when set. */
export function trailFacts(
  record: AuditRecord,
): Pick<AuditRecord, 'type' | 'kind' | 'actor' | 'result' | 'cluster'> {
  const { type, kind, actor, result, cluster } = record;
  return {
    type,
    kind,
    actor,
    ...(result === undefined ? {} : { result }),
    ...(cluster === undefined ? {} : { cluster }),
  };
}
