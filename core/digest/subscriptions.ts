import { createHash } from 'node:crypto';
import type { Requirement, Role } from '../authz/policy.ts';
import { KubeguardError } from '../errors.ts';
import type { DigestSubscriptionSummary } from '../slack-views/home.ts';

/**
 * Digest subscriptions: who gets which digest, how often, about which clusters, where. A person may
 * hold several (weekly for all clusters by DM, daily for prod in #sec …); the same request twice is
 * the same subscription (its id is derived from what it asks for).
 */
export const DIGEST_FREQUENCIES = ['weekly', 'daily'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];

export type DigestTarget = { kind: 'dm'; user: string } | { kind: 'channel'; channel: string };

export interface DigestSubscription {
  /** 24 hex characters: a hash of owner, frequency, cluster and target. */
  id: string;
  /** The Slack user who subscribed (and may unsubscribe). */
  owner: string;
  frequency: DigestFrequency;
  /** One configured cluster; absent = every cluster. */
  cluster?: string;
  target: DigestTarget;
  /** ISO-8601: periods whose send time is before this are not sent (no digest the moment you subscribe). */
  createdAt: string;
}

export interface SubscriptionRequest {
  frequency: DigestFrequency;
  cluster?: string;
  target: DigestTarget;
}

/** Where subscriptions are kept: the kubeguard table in AWS, memory locally; one contract suite for both. */
export interface DigestSubscriptionStore {
  /** Stores it unless a subscription with its id exists; true when this call created it. */
  put(subscription: DigestSubscription): Promise<boolean>;
  /** Removes the owner's subscription; false when there was none. */
  remove(owner: string, id: string): Promise<boolean>;
  /** The owner's subscriptions, oldest first. */
  listByOwner(owner: string): Promise<DigestSubscription[]>;
  /** Every subscription (the scheduler's fan-out), by owner then id. */
  listAll(): Promise<DigestSubscription[]>;
}

export interface DigestSettings {
  /** The role needed to subscribe a channel (`digest.channelSubscriberRole`). @default 'admin' */
  channelSubscriberRole: Role;
  /** Where channel digests keep time (`digest.channelTimeZone`). @default 'UTC' */
  channelTimeZone: string;
  /** The namespace label naming its owner (`digest.ownerLabel`). @default 'owner' */
  ownerLabel: string;
}

export const DEFAULT_DIGEST_SETTINGS: DigestSettings = Object.freeze({
  channelSubscriberRole: 'admin',
  channelTimeZone: 'UTC',
  ownerLabel: 'owner',
});

const USAGE = '/k8s digest subscribe weekly|daily [CLUSTER|all] [#channel|me]';
const SLACK_USER = /^[UW][A-Z0-9]{2,30}$/;
/** A channel as Slack escapes it in a slash command (`<#C0123|sec>`), or a bare id. */
const CHANNEL_MENTION = /^<#([CG][A-Z0-9]{2,30})(?:\|[^>]*)?>$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,30}$/;

/**
 * `weekly|daily [CLUSTER|all] [#channel|me]` (the words after `subscribe`): the frequency first,
 * then in any order a configured cluster or `all` and a channel or `me` (the default). INVALID_ARGUMENT
 * names the word that is wrong and what would be right.
 */
export function parseSubscriptionRequest(
  words: readonly string[],
  context: { userId: string; clusters: readonly string[] },
): SubscriptionRequest {
  const [frequency, ...rest] = words;
  if (frequency !== 'weekly' && frequency !== 'daily') {
    throw invalid(`say how often: weekly or daily; received ${JSON.stringify(frequency ?? '')}`);
  }
  if (rest.length > 2) throw invalid(`too many words: ${JSON.stringify(rest.slice(2).join(' '))}`);
  let cluster: string | undefined;
  let clusterGiven = false;
  let target: DigestTarget | undefined;
  for (const word of rest) {
    const channel = CHANNEL_MENTION.exec(word)?.[1] ?? (CHANNEL_ID.test(word) ? word : undefined);
    if (target === undefined && (word === 'me' || channel !== undefined)) {
      target = channel === undefined ? { kind: 'dm', user: context.userId } : { kind: 'channel', channel };
      continue;
    }
    if (word.startsWith('#')) {
      throw invalid(
        `pick the channel from Slack's suggestions so the command carries its id; ${JSON.stringify(word)} is only a name`,
      );
    }
    if (!clusterGiven && (word === 'all' || context.clusters.includes(word))) {
      if (word !== 'all') cluster = word;
      clusterGiven = true;
      continue;
    }
    throw invalid(
      `unknown cluster ${JSON.stringify(word)}; configured clusters: ${context.clusters.join(', ')} — or say all`,
    );
  }
  if (!SLACK_USER.test(context.userId))
    throw invalid(`not a Slack user id: ${JSON.stringify(context.userId)}`);
  const request: SubscriptionRequest = {
    frequency,
    target: target ?? { kind: 'dm', user: context.userId },
  };
  if (cluster !== undefined) request.cluster = cluster;
  return request;
}

/**
 * What subscribing needs (core/authz): a channel digest `digest.channelSubscriberRole` on its
 * cluster (every cluster for `all`), a digest by DM viewer — it shows what a viewer may read anyway.
 */
export function subscriptionRequirement(request: SubscriptionRequest, settings: DigestSettings): Requirement {
  const role: Role = request.target.kind === 'channel' ? settings.channelSubscriberRole : 'viewer';
  return request.cluster === undefined ? { role } : { role, cluster: request.cluster };
}

export function subscriptionOf(request: SubscriptionRequest, owner: string, at: string): DigestSubscription {
  const where =
    request.target.kind === 'dm' ? `dm:${request.target.user}` : `channel:${request.target.channel}`;
  const id = createHash('sha256')
    .update([owner, request.frequency, request.cluster ?? '*', where].join('\u0000'))
    .digest('hex')
    .slice(0, 24);
  const subscription: DigestSubscription = {
    id,
    owner,
    frequency: request.frequency,
    target: request.target,
    createdAt: at,
  };
  if (request.cluster !== undefined) subscription.cluster = request.cluster;
  return subscription;
}

export interface SubscribeOutcome {
  subscription: DigestSubscription;
  /** False when the same subscription existed already (nothing changed). */
  created: boolean;
}

/** Stores the subscription the request describes (authorization is the caller's, see subscriptionRequirement). */
export async function subscribe(
  store: DigestSubscriptionStore,
  request: SubscriptionRequest,
  owner: string,
  at: string,
): Promise<SubscribeOutcome> {
  const subscription = subscriptionOf(request, owner, at);
  const created = await store.put(subscription);
  if (created) return { subscription, created };
  const existing = (await store.listByOwner(owner)).find((found) => found.id === subscription.id);
  return { subscription: existing ?? subscription, created: false };
}

/**
 * Removes one of the owner's subscriptions, named by id (a prefix of at least 6 characters, as
 * `list` shows them) or by the same words that created it.
 */
export async function unsubscribe(
  store: DigestSubscriptionStore,
  owner: string,
  which: { id: string } | { request: SubscriptionRequest },
): Promise<DigestSubscription> {
  const mine = await store.listByOwner(owner);
  let found: DigestSubscription | undefined;
  if ('id' in which) {
    if (!/^[0-9a-f]{6,24}$/.test(which.id)) {
      throw invalid(
        `name the subscription by the id /k8s digest list shows (6+ hex characters); received ${JSON.stringify(which.id)}`,
      );
    }
    const matches = mine.filter((subscription) => subscription.id.startsWith(which.id));
    if (matches.length > 1)
      throw invalid(`${which.id} matches ${matches.length} subscriptions; give more of the id`);
    found = matches[0];
  } else {
    const id = subscriptionOf(which.request, owner, '').id;
    found = mine.find((subscription) => subscription.id === id);
  }
  if (found === undefined || !(await store.remove(owner, found.id))) {
    throw new KubeguardError(
      'NOT_FOUND',
      'no such digest subscription of yours — /k8s digest list shows them',
    );
  }
  return found;
}

/** The subscription as the App Home and `/k8s digest list` show it. */
export function subscriptionSummary(
  subscription: DigestSubscription,
  settings: DigestSettings,
  timeZone?: string,
): DigestSubscriptionSummary {
  const zone =
    subscription.target.kind === 'channel' ? settings.channelTimeZone : (timeZone ?? 'your time zone');
  const summary: DigestSubscriptionSummary = {
    name: `${subscription.frequency === 'weekly' ? 'Weekly' : 'Daily'} posture digest (${subscription.id.slice(0, 8)})`,
    schedule: `${subscription.frequency === 'weekly' ? 'Mondays' : 'Every day'} 09:00 ${zone}`,
  };
  if (subscription.cluster !== undefined) summary.clusters = [subscription.cluster];
  // A DM has no channel id until it is opened; the Home lists it without a channel.
  if (subscription.target.kind === 'channel') summary.channel = subscription.target.channel;
  return summary;
}

function invalid(problem: string): KubeguardError {
  return new KubeguardError('INVALID_ARGUMENT', `${problem} — usage: ${USAGE}`);
}
