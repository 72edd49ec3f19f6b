import type { DigestSources } from '../digest/ports.ts';
import type { ChartRasterizer, DigestSlack } from '../digest/send.ts';
import type { DigestSubscriptionStore } from '../digest/subscriptions.ts';
import type { HomeView, ModalView } from '../slack-views/blocks.ts';
import type { DigestSubscriptionSummary } from '../slack-views/home.ts';
import type { SlackReply } from './replies.ts';
import type { QueuedRequest } from './requests.ts';

/**
 * The ports of the Slack bot: what the ingress (the Bolt listeners) and the action worker need from
 * the outside world. adapters/ implements them; adapters/local has in-process versions for local runs
 * and tests, and each stateful one shares a contract suite with its DynamoDB or SQS adapter.
 */

/**
 * Claims that exist once: the replay guard (an accepted request's signature) and the idempotency
 * keys of requests (a retry or a double click claims the same key). A claim is one conditional write
 * that succeeds when nobody holds the key or the last claim expired; it lapses by itself.
 */
export interface ClaimStore {
  /** True when this call claimed `key` until `nowMs + ttlSeconds`; false when a live claim holds it. */
  claim(key: string, nowMs: number, ttlSeconds: number): Promise<boolean>;
  /** Gives a key up early (its request could not be queued, so trying again must be possible). */
  release(key: string): Promise<void>;
}

/**
 * Where accepted requests wait for the action worker: SQS in AWS, an in-process queue locally.
 * `enqueue` resolves once the request is durably queued.
 */
export interface ActionQueue {
  enqueue(request: QueuedRequest): Promise<void>;
}

/** Members of Slack user groups (`usergroups.users.list`), for roles granted to groups. */
export interface UserGroupDirectory {
  /** The user ids in a user group; fails with a KubeguardError when Slack cannot say. */
  members(userGroupId: string): Promise<readonly string[]>;
}

/** Opening a modal in answer to a click (`views.open`; the trigger id lives about 3 seconds). */
export interface SlackViews {
  open(triggerId: string, view: ModalView): Promise<void>;
}

/** Which open modal `views.update` replaces: Slack's view id, or the external id kubeguard gave it. */
export type ViewTarget = { id: string } | { externalId: string };

/** Replacing an open modal's content (`views.update`): the worker fills a modal the ingress opened. */
export interface SlackViewUpdates {
  update(target: ViewTarget, view: ModalView): Promise<void>;
}

/** Where a reply goes: the request's response URL when it has one, else ephemerally in the channel. */
export interface ReplyTarget {
  userId: string;
  channelId?: string;
  responseUrl?: string;
}

/** Answers to the person who asked (ephemeral: only they see it). */
export interface SlackReplies {
  reply(target: ReplyTarget, reply: SlackReply): Promise<void>;
}

/** Structured log lines (powertools in Lambda, a recorder in tests); never a token or a signature. */
export interface ChatopsLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** Publishing a person's App Home tab (`views.publish`). */
export interface SlackHomeTabs {
  publish(userId: string, view: HomeView): Promise<void>;
}

/**
 * The digest subscriptions a person has, for their Home tab (core/chatops/handlers/digest.ts
 * digestSubscriptionsFor over the subscription store; NO_DIGEST_SUBSCRIPTIONS when digests are not set up).
 */
export interface DigestSubscriptions {
  subscriptionsOf(userId: string): Promise<readonly DigestSubscriptionSummary[]>;
  /** The tab offers to subscribe and unsubscribe (buttons handled as the `digest` request). */
  toggles?: boolean;
}

/** What the worker's digest handler needs: the digest function's own stores, Slack calls and chart. */
export interface DigestWorkerDeps {
  subscriptions: DigestSubscriptionStore;
  /** What a preview reads (the digest function's sources). */
  sources: DigestSources;
  slack: Pick<DigestSlack, 'postMessage' | 'openDirectMessage' | 'uploadFile'>;
  chart: ChartRasterizer;
}
