import { asKubeguardError } from '../errors.ts';
import type { FindingStore } from '../findings/ports.ts';
import type { DeliveryState, StoredFinding } from '../findings/stored-finding.ts';
import {
  SlackMessageGoneError,
  type SlackMessageMetadata,
  type SlackMessenger,
  type SlackPostedMessage,
} from '../ports.ts';
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

/** Who is delivering, and until when (one delivery function invocation, one bot action …). */
export interface DeliveryRun {
  /** The lease owner: unique per worker, e.g. the Lambda request id. */
  owner: string;
  /** Epoch ms by which the worker stops talking to Slack. @default no limit */
  deadlineMs?: number;
}

/**
 * `skipped`: another worker holds the finding's lease, or there is nothing to deliver (quiet,
 * delivered); `out-of-time`: the run's budget ended first — the finding stays pending, due now.
 */
export type DeliveryOutcome = 'delivered' | 'pending' | 'skipped' | 'out-of-time';

/** Delivery rounds per call; anything still owed after them is left pending for the next run. */
const MAX_ROUNDS = 3;

/** Longest wait before a failed delivery is retried. */
const MAX_REDELIVERY_DELAY_MS = 60 * 60 * 1000;

/**
 * How long a posting lease holds: longer than any function's timeout, so a worker that dies holding
 * it blocks the finding for at most this long; a live worker renews it past half-time.
 */
export const LEASE_MS = 2 * 60 * 1000;

/** A lost post is looked up from this long before its recorded attempt (clock skew with Slack). */
const LOOKUP_MARGIN_MS = 5 * 60 * 1000;

/** The metadata every alert carries, so a post whose answer was lost can be found again. */
export function findingMetadata(fingerprint: string): SlackMessageMetadata {
  return { eventType: 'kubeguard_finding', payload: { fingerprint } };
}

/** Said by the fresh message that replaces a deleted alert. */
export const DELETED_MESSAGE_NOTICE =
  'The earlier alert message for this finding was deleted in Slack; this message replaces it.';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The delivery state without the fields that only live while a worker holds the finding. */
function released(delivery: DeliveryState, keepPostAttempt: boolean): DeliveryState {
  const { lease: _lease, postAttemptedAt, ...rest } = delivery;
  return keepPostAttempt && postAttemptedAt !== undefined ? { ...rest, postAttemptedAt } : rest;
}

/**
 * Applies a successful step to the latest stored finding (pure). `renderedVersion` is the version
 * the message was rendered from (-1 when an earlier post was adopted): when occurrences were
 * recorded meanwhile, the message is still stale and their evidence is still owed to the thread.
 */
function afterStep(
  latest: StoredFinding,
  step: DeliveryStep,
  renderedVersion: number,
  nowMs: number,
  ref: SlackPostedMessage | undefined,
): StoredFinding {
  const unchanged = latest.version === renderedVersion;
  const delivery = { ...latest.delivery, attempts: 0, lastError: undefined };
  switch (step.kind) {
    case 'post': {
      const { postAttemptedAt: _attempt, previousMessageDeleted: _deleted, ...posted } = delivery;
      return {
        ...latest,
        slack: ref,
        delivery: unchanged
          ? {
              ...posted,
              messageStale: false,
              statusStale: false,
              unsentOccurrences: 0,
              unsentEvidence: [],
              lastMessageAt: iso(nowMs),
            }
          : { ...posted, messageStale: true, lastMessageAt: iso(nowMs) },
      };
    }
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

/**
 * The alert message is gone (deleted, or its channel): forget it and owe a fresh post to the routed
 * channel that says so. The fresh message shows every count, so nothing is owed to a thread. The
 * attempt is recorded before the post, as with any first post.
 */
function afterGone(latest: StoredFinding, nowMs: number): StoredFinding {
  const { slack, ...rest } = latest;
  const delivery: DeliveryState = {
    ...latest.delivery,
    messageStale: true,
    statusStale: false,
    unsentOccurrences: 0,
    unsentEvidence: [],
    lastThreadReplyAt: undefined,
    lastMessageAt: undefined,
    postAttemptedAt: iso(nowMs),
    ...(slack === undefined ? {} : { previousMessageDeleted: { ...slack, at: iso(nowMs) } }),
  };
  return { ...rest, delivery };
}

/**
 * Marks what is still owed and gives the lease back: pending until the message is current and no
 * thread summary waits.
 */
function settle(finding: StoredFinding, nowMs: number, postInDoubt: boolean): StoredFinding {
  const suppressedNews = finding.status === 'suppressed';
  const current = released(finding.delivery, postInDoubt && finding.slack === undefined);
  const delivery = suppressedNews ? { ...current, unsentOccurrences: 0, unsentEvidence: [] } : current;
  if (delivery.state !== 'pending') return { ...finding, delivery };
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

function afterFailure(
  finding: StoredFinding,
  failure: DeliveryFailed,
  nowMs: number,
  postInDoubt: boolean,
): StoredFinding {
  const attempts = finding.delivery.attempts + 1;
  const backoffMs = Math.min(MAX_REDELIVERY_DELAY_MS, 60_000 * 2 ** (attempts - 1));
  const waitMs = Math.max(backoffMs, (failure.retryAfterSeconds ?? 0) * 1000);
  return {
    ...finding,
    delivery: {
      ...released(finding.delivery, postInDoubt && finding.slack === undefined),
      state: 'pending',
      attempts,
      lastError: `${failure.error.code}: ${failure.error.message}`.slice(0, 500),
      nextAttemptAt: iso(nowMs + waitMs),
    },
  };
}

/** The run ran out of time before a step: give the lease back, due at once for the next run. */
function afterDeferral(finding: StoredFinding, nowMs: number, postInDoubt: boolean): StoredFinding {
  return {
    ...finding,
    delivery: {
      ...released(finding.delivery, postInDoubt && finding.slack === undefined),
      state: 'pending',
      nextAttemptAt: iso(nowMs),
    },
  };
}

/**
 * Takes the finding's posting lease (a version-checked write), so no other worker talks to Slack
 * about it meanwhile. Before a first post the same write records the attempt: if the answer is
 * lost, the next worker looks the message up instead of posting again. Undefined when another
 * worker holds a live lease or there is nothing to deliver.
 */
async function acquireLease(
  finding: StoredFinding,
  deps: DeliveryDeps,
  run: DeliveryRun,
): Promise<{ finding: StoredFinding; postInDoubt: boolean } | undefined> {
  let current = finding;
  for (let tries = 0; tries < 10; tries += 1) {
    const nowMs = deps.timers.nowMs();
    if (current.delivery.state !== 'pending') return undefined;
    const lease = current.delivery.lease;
    if (lease !== undefined && lease.owner !== run.owner && Date.parse(lease.until) > nowMs) return undefined;
    const postInDoubt = current.slack === undefined && current.delivery.postAttemptedAt !== undefined;
    const next: StoredFinding = {
      ...current,
      version: current.version + 1,
      delivery: {
        ...current.delivery,
        lease: { owner: run.owner, until: iso(nowMs + LEASE_MS) },
        ...(current.slack === undefined
          ? { postAttemptedAt: current.delivery.postAttemptedAt ?? iso(nowMs) }
          : {}),
      },
    };
    if (await deps.store.save(next)) return { finding: next, postInDoubt };
    const latest = await deps.store.get(finding.fingerprint);
    if (latest === undefined) return undefined;
    current = latest;
  }
  return undefined;
}

/** Extends the lease once past half-time; undefined when another worker has taken the finding over. */
async function renewLease(
  finding: StoredFinding,
  deps: DeliveryDeps,
  run: DeliveryRun,
): Promise<StoredFinding | undefined> {
  const until = finding.delivery.lease?.until;
  if (until !== undefined && Date.parse(until) - deps.timers.nowMs() > LEASE_MS / 2) return finding;
  let current = finding;
  for (let tries = 0; tries < 10; tries += 1) {
    if (current.delivery.lease?.owner !== run.owner) return undefined;
    const next: StoredFinding = {
      ...current,
      version: current.version + 1,
      delivery: {
        ...current.delivery,
        lease: { owner: run.owner, until: iso(deps.timers.nowMs() + LEASE_MS) },
      },
    };
    if (await deps.store.save(next)) return next;
    const latest = await deps.store.get(finding.fingerprint);
    if (latest === undefined) return undefined;
    current = latest;
  }
  return undefined;
}

function withDeletionNotice(message: RenderedMessage, finding: StoredFinding): RenderedMessage {
  if (finding.delivery.previousMessageDeleted === undefined) return message;
  return {
    text: `${message.text} (${DELETED_MESSAGE_NOTICE})`,
    blocks: [
      {
        type: 'context',
        block_id: 'alert_replaces_deleted',
        elements: [{ type: 'mrkdwn', text: DELETED_MESSAGE_NOTICE }],
      },
      ...message.blocks,
    ],
  };
}

/** A failure after which Slack may or may not have posted the message (timeout, 5xx, lost connection). */
function answerLost(error: unknown): boolean {
  return asKubeguardError(error).code === 'UPSTREAM';
}

/**
 * The message a lost answer was about, if Slack has it. A lookup that cannot work (a `#name`
 * channel, a missing history scope) finds nothing: posting again risks a duplicate, not posting
 * risks a lost alert, and a duplicate is the lesser harm. Rate limits and outages are retried.
 */
async function lookUpLostPost(finding: StoredFinding, channel: string, deps: DeliveryDeps) {
  const attemptMs = Date.parse(finding.delivery.postAttemptedAt ?? iso(deps.timers.nowMs()));
  try {
    return await deps.messenger.findPostedMessage({
      channel,
      metadata: findingMetadata(finding.fingerprint),
      oldest: iso(attemptMs - LOOKUP_MARGIN_MS),
    });
  } catch (error) {
    const code = asKubeguardError(error).code;
    if (code === 'RATE_LIMITED' || code === 'UPSTREAM') throw error;
    return undefined;
  }
}

async function runStep(
  step: DeliveryStep,
  finding: StoredFinding,
  deps: DeliveryDeps,
  run: DeliveryRun,
  doubt: { post: boolean },
): Promise<{ ref?: SlackPostedMessage; adopted?: boolean }> {
  const channel = finding.slack?.channel ?? finding.delivery.channel;
  const call = async (): Promise<{ ref?: SlackPostedMessage; adopted?: boolean }> => {
    if (step.kind === 'update') {
      const ref = finding.slack as SlackPostedMessage;
      await deps.messenger.updateMessage({ channel: ref.channel, ts: ref.ts, ...deps.render(finding) });
      return {};
    }
    if (step.kind === 'thread-reply') {
      await deps.pacer.wait(channel);
      const text = threadSummaryText(step.occurrences, step.evidence);
      await deps.messenger.postMessage({ channel, text, blocks: [], threadTs: finding.slack?.ts });
      return {};
    }
    if (doubt.post) {
      const found = await lookUpLostPost(finding, channel, deps);
      if (found !== undefined) return { ref: found, adopted: true };
    }
    await deps.pacer.wait(channel);
    try {
      const message = withDeletionNotice(deps.render(finding), finding);
      const ref = await deps.messenger.postMessage({
        channel,
        ...message,
        metadata: findingMetadata(finding.fingerprint),
      });
      return { ref };
    } catch (error) {
      if (answerLost(error)) doubt.post = true;
      throw error;
    }
  };
  return withSlackRetries(call, deps.retry, deps.timers, run.deadlineMs);
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

/** Whether the run still has time for a Slack step to `channel` (its pacing slot included). */
function hasTime(deps: DeliveryDeps, run: DeliveryRun, channel: string): boolean {
  return run.deadlineMs === undefined || deps.pacer.readyAt(channel) < run.deadlineMs;
}

/**
 * Delivers what Slack still lacks for one stored finding under its posting lease, and records each
 * step as it succeeds, so a crash midway never posts the same message twice and never forgets what
 * is owed. A Slack failure leaves the finding pending (with when to retry) instead of throwing; a
 * deleted message is replaced by a fresh post.
 */
export async function deliverFinding(
  finding: StoredFinding,
  deps: DeliveryDeps,
  run: DeliveryRun,
): Promise<DeliveryOutcome> {
  const leased = await acquireLease(finding, deps, run);
  if (leased === undefined) return finding.delivery.state === 'delivered' ? 'delivered' : 'skipped';
  let current = leased.finding;
  const doubt = { post: leased.postInDoubt };
  // Re-plan after each round: occurrences recorded while we talked to Slack make the message stale again.
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const steps = planDelivery(current, deps.timers.nowMs());
    if (steps.length === 0) break;
    for (const step of steps) {
      const channel = current.slack?.channel ?? current.delivery.channel;
      if (!hasTime(deps, run, channel)) {
        const nowMs = deps.timers.nowMs();
        await saveDeliveryState(current, (latest) => afterDeferral(latest, nowMs, doubt.post), deps.store);
        return 'out-of-time';
      }
      const renewed = await renewLease(current, deps, run);
      if (renewed === undefined) return 'skipped';
      current = renewed;
      try {
        const { ref, adopted } = await runStep(step, current, deps, run, doubt);
        const nowMs = deps.timers.nowMs();
        const renderedVersion = adopted === true ? -1 : current.version;
        current = await saveDeliveryState(
          current,
          (latest) => afterStep(latest, step, renderedVersion, nowMs, ref ?? latest.slack),
          deps.store,
        );
        if (step.kind === 'post') doubt.post = false;
      } catch (thrown) {
        if (!(thrown instanceof DeliveryFailed)) throw thrown;
        const nowMs = deps.timers.nowMs();
        if (thrown.error instanceof SlackMessageGoneError && step.kind !== 'post') {
          current = await saveDeliveryState(current, (latest) => afterGone(latest, nowMs), deps.store);
          doubt.post = false;
          break;
        }
        await saveDeliveryState(
          current,
          (latest) => afterFailure(latest, thrown, nowMs, doubt.post),
          deps.store,
        );
        return 'pending';
      }
    }
  }
  const nowMs = deps.timers.nowMs();
  current = await saveDeliveryState(current, (latest) => settle(latest, nowMs, doubt.post), deps.store);
  return current.delivery.state === 'delivered' ? 'delivered' : 'pending';
}
