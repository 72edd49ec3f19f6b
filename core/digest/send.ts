import type { Suppression } from '../detection/config.ts';
import { asKubeguardError, KubeguardError } from '../errors.ts';
import type { Clock, SlackMessageMetadata, SlackMessenger } from '../ports.ts';
import { buildDigestMessage } from '../slack-views/digest.ts';
import { renderTrendChart, type TrendChart } from './chart.ts';
import type { DigestContent } from './content.ts';
import { gatherDigest } from './gather.ts';
import type { DigestSendLedger, SendKey, SendState } from './ledger.ts';
import type { DigestSources } from './ports.ts';
import { type DueDigest, dueDigests } from './schedule.ts';
import type { DigestSettings, DigestSubscription, DigestSubscriptionStore } from './subscriptions.ts';

/**
 * The scheduled fan-out: every run (EventBridge Scheduler, every 15 minutes) finds the subscriptions
 * whose period is due and sends each digest exactly once (ledger.ts, decision D46): claim → (look up a
 * post whose answer was lost) → post → share the chart → mark sent. A failure releases the claim and
 * the next run retries; a crash leaves a lease that runs out.
 */
export interface ChartRasterizer {
  png(chart: TrendChart): Promise<Uint8Array>;
}

/** The Slack Web API calls a digest needs (adapters/slack/digest-slack.ts). */
export interface DigestSlack extends Pick<SlackMessenger, 'postMessage' | 'findPostedMessage'> {
  /** users.info `tz`; undefined when Slack does not say. */
  timeZoneOf(user: string): Promise<string | undefined>;
  /** conversations.open: the DM channel id with the person. */
  openDirectMessage(user: string): Promise<string>;
  /** files.getUploadURLExternal → upload → files.completeUploadExternal, shared in `channel`. */
  uploadFile(file: {
    channel: string;
    filename: string;
    title: string;
    altText: string;
    bytes: Uint8Array;
  }): Promise<void>;
}

export interface DigestRunDeps {
  subscriptions: Pick<DigestSubscriptionStore, 'listAll'>;
  ledger: DigestSendLedger;
  sources: DigestSources;
  slack: DigestSlack;
  chart: ChartRasterizer;
  /** Configured cluster names: `all` means these. */
  clusters: readonly string[];
  suppressions: readonly Suppression[];
  settings: DigestSettings;
  /** This invocation's id: the lease owner. */
  owner: string;
  clock: Clock;
  /** Milliseconds this run may still use; no digest is started below STOP_MARGIN_MS. */
  remainingMs?: () => number;
  /** @default 300 */
  leaseSeconds?: number;
}

export interface DigestRunReport {
  due: number;
  /** `<subscription id>:<period>` sent by this run. */
  sent: string[];
  alreadySent: number;
  /** Claimed by another run right now. */
  busy: number;
  /** Left for the next run: the time budget ran out, or the person's time zone could not be read. */
  deferred: number;
  failed: { subscription: string; period: string; code: string; message: string }[];
}

export const DIGEST_METADATA_EVENT = 'kubeguard_digest';
/** Time a digest needs at most: reads, a post, an upload (each Slack call ≤ 10 s) and the writes. */
export const STOP_MARGIN_MS = 40_000;
/** A lost answer is looked up from a little before the first attempt (clock skew). */
const LOOKUP_SLACK_MS = 5 * 60_000;

export async function runDueDigests(deps: DigestRunDeps): Promise<DigestRunReport> {
  const at = deps.clock();
  const subscriptions = await deps.subscriptions.listAll();
  const zones = new Map<string, string | undefined>();
  const unknownZone = new Set<string>();
  for (const subscription of subscriptions) {
    const { target } = subscription;
    if (target.kind !== 'dm' || zones.has(target.user) || unknownZone.has(target.user)) continue;
    try {
      // No `tz` in the profile: UTC. A failed lookup: the person's digests wait for the next run,
      // since guessing UTC could send one at the wrong hour.
      zones.set(target.user, await deps.slack.timeZoneOf(target.user));
    } catch {
      unknownZone.add(target.user);
    }
  }
  const known = subscriptions.filter(
    (subscription) => subscription.target.kind !== 'dm' || !unknownZone.has(subscription.target.user),
  );
  const due = dueDigests(known, at, {
    channelTimeZone: deps.settings.channelTimeZone,
    zoneOf: (user) => zones.get(user),
  });
  const report: DigestRunReport = {
    due: due.length,
    sent: [],
    alreadySent: 0,
    busy: 0,
    deferred: subscriptions.length - known.length,
    failed: [],
  };
  const contents = new Map<string, Promise<DigestContent>>();
  for (const item of due) {
    if (deps.remainingMs !== undefined && deps.remainingMs() < STOP_MARGIN_MS) {
      report.deferred += 1;
      continue;
    }
    const key: SendKey = { subscriptionId: item.subscription.id, period: item.period.key };
    if (await deps.ledger.isSent(key)) {
      report.alreadySent += 1;
      continue;
    }
    const now = deps.clock();
    const leaseUntil = new Date(Date.parse(now) + (deps.leaseSeconds ?? 300) * 1000).toISOString();
    const claim = await deps.ledger.claim(key, deps.owner, now, leaseUntil);
    if (!claim.claimed) {
      if (claim.why === 'sent') report.alreadySent += 1;
      else report.busy += 1;
      continue;
    }
    try {
      await sendOne(deps, item, key, claim.state, contents);
      report.sent.push(`${key.subscriptionId}:${key.period}`);
    } catch (error) {
      const coded = asKubeguardError(error);
      report.failed.push({
        subscription: key.subscriptionId,
        period: key.period,
        code: coded.code,
        message: coded.message,
      });
      await deps.ledger.release(key, deps.owner, deps.clock()).catch(() => undefined);
    }
  }
  return report;
}

async function sendOne(
  deps: DigestRunDeps,
  item: DueDigest,
  key: SendKey,
  state: SendState,
  contents: Map<string, Promise<DigestContent>>,
): Promise<void> {
  const { subscription, period } = item;
  const channel =
    subscription.target.kind === 'channel'
      ? subscription.target.channel
      : await deps.slack.openDirectMessage(subscription.target.user);
  const scope = coveredClusters(subscription, deps.clusters);
  const cacheKey = `${scope.join(',')}|${period.from}|${period.to}`;
  let content = contents.get(cacheKey);
  if (content === undefined) {
    content = gatherDigest(deps.sources, period, { clusters: scope, suppressions: deps.suppressions });
    contents.set(cacheKey, content);
  }
  const digest = await content;
  const metadata: SlackMessageMetadata = {
    eventType: DIGEST_METADATA_EVENT,
    payload: { subscription: subscription.id, period: period.key },
  };
  let posted = state.posted;
  if (posted === undefined && state.postAttemptedAt !== undefined) {
    posted = await findLostPost(deps, channel, metadata, state.postAttemptedAt);
    if (posted !== undefined) await mustRecord(deps, key, { posted });
  }
  if (posted === undefined) {
    if (state.postAttemptedAt === undefined) await mustRecord(deps, key, { postAttemptedAt: deps.clock() });
    const message = buildDigestMessage(digest, { chart: true });
    posted = await deps.slack.postMessage({ channel, ...message, metadata });
    await mustRecord(deps, key, { posted });
  }
  if (state.chartShared !== true) {
    const chart = renderTrendChart(digest.clusters);
    await deps.slack.uploadFile({
      channel: posted.channel,
      filename: `kubeguard-posture-${period.key}.png`,
      title: `Posture score, 12 weeks to ${period.to.slice(0, 10)}`,
      altText: chart.altText,
      bytes: await deps.chart.png(chart),
    });
    await mustRecord(deps, key, { chartShared: true });
  }
  if (!(await deps.ledger.sent(key, deps.owner, deps.clock()))) throw leaseLost(key);
}

/** The post whose answer was lost, found by its metadata; undefined when absent or unreadable (then post). */
async function findLostPost(
  deps: DigestRunDeps,
  channel: string,
  metadata: SlackMessageMetadata,
  attemptedAt: string,
) {
  const oldest = new Date(Date.parse(attemptedAt) - LOOKUP_SLACK_MS).toISOString();
  try {
    return await deps.slack.findPostedMessage({ channel, metadata, oldest });
  } catch (error) {
    // A channel kubeguard cannot read back: a duplicate digest is better than a lost one (as D16).
    if (error instanceof KubeguardError && (error.code === 'UNSUPPORTED' || error.code === 'FORBIDDEN')) {
      return undefined;
    }
    throw error;
  }
}

async function mustRecord(
  deps: DigestRunDeps,
  key: SendKey,
  change: Parameters<DigestSendLedger['record']>[2],
): Promise<void> {
  if (!(await deps.ledger.record(key, deps.owner, change))) throw leaseLost(key);
}

function leaseLost(key: SendKey): KubeguardError {
  return new KubeguardError(
    'CONFLICT',
    `digest ${key.subscriptionId} ${key.period}: another run took over the claim (this one ran past its lease); it carries on from what was recorded`,
  );
}

/** `all` is every configured cluster; a cluster no longer configured yields an empty digest naming it. */
export function coveredClusters(subscription: DigestSubscription, configured: readonly string[]): string[] {
  return subscription.cluster === undefined ? [...configured] : [subscription.cluster];
}
