import { asKubeguardError } from '../errors.ts';
import type { FindingStore } from '../findings/ports.ts';
import type { StoredFinding } from '../findings/stored-finding.ts';
import type { SlackMessenger } from '../ports.ts';
import type { Block } from '../slack-views/blocks.ts';
import { type DeliveryStep, nextUpdateDueMs, planDelivery, THREAD_REPLY_INTERVAL_MS } from './plan.ts';
import {
  type ChannelPacer,
  DeliveryFailed,
  type RetryPolicy,
  type Timers,
  withSlackRetries,
} from './retry.ts';
import { threadSummaryText } from './thread-summary.ts';

export interface RenderedMessage {
  text: string;
  blocks: readonly Block[];
}

export interface DeliveryDeps {
  store: FindingStore;
  messenger: SlackMessenger;
  /** Renders the alert for the finding's current state (the Block Kit alert view). */
  render: (finding: StoredFinding) => RenderedMessage;
  pacer: ChannelPacer;
  timers: Timers;
  retry: RetryPolicy;
}

export type DeliveryOutcome = 'delivered' | 'pending';

/** Delivery rounds per call; anything still owed after them is left pending for the sweeper. */
const MAX_ROUNDS = 3;

/** Longest wait before the sweeper retries a failed delivery. */
const MAX_REDELIVERY_DELAY_MS = 60 * 60 * 1000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Applies a successful step to the latest stored finding (pure). `renderedVersion` is the version
 * the message was rendered from: when occurrences were recorded meanwhile, the message is still
 * stale and their evidence is still owed to the thread.
 */
function afterStep(
  latest: StoredFinding,
  step: DeliveryStep,
  renderedVersion: number,
  nowMs: number,
  ref: { channel: string; ts: string } | undefined,
): StoredFinding {
  const unchanged = latest.version === renderedVersion;
  const delivery = { ...latest.delivery, attempts: 0, lastError: undefined };
  switch (step.kind) {
    case 'post':
      return {
        ...latest,
        slack: ref,
        delivery: unchanged
          ? {
              ...delivery,
              messageStale: false,
              statusStale: false,
              unsentOccurrences: 0,
              unsentEvidence: [],
              lastMessageAt: iso(nowMs),
            }
          : { ...delivery, messageStale: true, lastMessageAt: iso(nowMs) },
      };
    case 'update':
      return {
        ...latest,
        delivery: {
          ...delivery,
          messageStale: !unchanged,
          statusStale: unchanged ? false : delivery.statusStale,
          lastMessageAt: iso(nowMs),
        },
      };
    case 'thread-reply':
      return {
        ...latest,
        delivery: {
          ...delivery,
          unsentOccurrences: Math.max(0, delivery.unsentOccurrences - step.occurrences),
          unsentEvidence: delivery.unsentEvidence.filter((line) => !step.evidence.includes(line)),
          lastThreadReplyAt: iso(nowMs),
        },
      };
  }
}

/** Marks what is still owed: pending until the message is current and no thread summary waits. */
function settle(finding: StoredFinding, nowMs: number): StoredFinding {
  const suppressedNews = finding.status === 'suppressed';
  const delivery = suppressedNews
    ? { ...finding.delivery, unsentOccurrences: 0, unsentEvidence: [] }
    : finding.delivery;
  const owesReply = delivery.unsentOccurrences > 0 || delivery.unsentEvidence.length > 0;
  if (finding.slack !== undefined && !delivery.messageStale && !owesReply) {
    return { ...finding, delivery: { ...delivery, state: 'delivered', nextAttemptAt: undefined } };
  }
  // Due when the earliest owed step may run: the post now, the update on its interval, the reply on its minute.
  const due: number[] = [];
  if (finding.slack === undefined) due.push(nowMs);
  if (delivery.messageStale) due.push(nextUpdateDueMs(finding, nowMs));
  if (owesReply) {
    const lastReply = delivery.lastThreadReplyAt;
    due.push(lastReply === undefined ? nowMs : Date.parse(lastReply) + THREAD_REPLY_INTERVAL_MS);
  }
  const nextAttemptAt = iso(Math.min(...due));
  return { ...finding, delivery: { ...delivery, state: 'pending', nextAttemptAt } };
}

function afterFailure(finding: StoredFinding, failure: DeliveryFailed, nowMs: number): StoredFinding {
  const attempts = finding.delivery.attempts + 1;
  const backoffMs = Math.min(MAX_REDELIVERY_DELAY_MS, 60_000 * 2 ** (attempts - 1));
  const waitMs = Math.max(backoffMs, (failure.retryAfterSeconds ?? 0) * 1000);
  return {
    ...finding,
    delivery: {
      ...finding.delivery,
      state: 'pending',
      attempts,
      lastError: `${failure.error.code}: ${failure.error.message}`.slice(0, 500),
      nextAttemptAt: iso(nowMs + waitMs),
    },
  };
}

async function runStep(step: DeliveryStep, finding: StoredFinding, deps: DeliveryDeps) {
  const channel = finding.slack?.channel ?? finding.delivery.channel;
  const call = async () => {
    if (step.kind === 'update') {
      const ref = finding.slack as { channel: string; ts: string };
      const message = deps.render(finding);
      await deps.messenger.updateMessage({ channel: ref.channel, ts: ref.ts, ...message });
      return undefined;
    }
    await deps.pacer.wait(channel);
    if (step.kind === 'post') return deps.messenger.postMessage({ channel, ...deps.render(finding) });
    const text = threadSummaryText(step.occurrences, step.evidence);
    await deps.messenger.postMessage({ channel, text, blocks: [], threadTs: finding.slack?.ts });
    return undefined;
  };
  return withSlackRetries(call, deps.retry, deps.timers);
}

/**
 * Saves a delivery result. The Slack side effect has happened, so a version conflict must not lose
 * it: re-read the finding (someone recorded more occurrences meanwhile) and apply the same change.
 */
async function saveDeliveryState(
  finding: StoredFinding,
  change: (current: StoredFinding) => StoredFinding,
  store: FindingStore,
): Promise<StoredFinding> {
  let candidate = { ...change(finding), version: finding.version + 1 };
  for (let tries = 0; tries < 10; tries += 1) {
    if (await store.save(candidate)) return candidate;
    const latest = await store.get(finding.fingerprint);
    if (latest === undefined) break;
    candidate = { ...change(latest), version: latest.version + 1 };
  }
  throw asKubeguardError(new Error(`could not save delivery state of finding ${finding.fingerprint}`));
}

/**
 * Delivers what Slack still lacks for one stored finding and records each step as it succeeds,
 * so a crash midway never posts the same message twice and never forgets what is owed.
 * A Slack failure leaves the finding pending (with when to retry) instead of throwing.
 */
export async function deliverFinding(finding: StoredFinding, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  let current = finding;
  // Re-plan after each round: occurrences recorded while we talked to Slack make the message stale again.
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const steps = planDelivery(current, deps.timers.nowMs());
    if (steps.length === 0) break;
    for (const step of steps) {
      try {
        const ref = await runStep(step, current, deps);
        const nowMs = deps.timers.nowMs();
        const renderedVersion = current.version;
        current = await saveDeliveryState(
          current,
          (latest) => afterStep(latest, step, renderedVersion, nowMs, ref ?? latest.slack),
          deps.store,
        );
      } catch (thrown) {
        if (!(thrown instanceof DeliveryFailed)) throw thrown;
        const nowMs = deps.timers.nowMs();
        await saveDeliveryState(current, (latest) => afterFailure(latest, thrown, nowMs), deps.store);
        return 'pending';
      }
    }
  }
  const nowMs = deps.timers.nowMs();
  current = await saveDeliveryState(current, (latest) => settle(latest, nowMs), deps.store);
  return current.delivery.state === 'delivered' ? 'delivered' : 'pending';
}
