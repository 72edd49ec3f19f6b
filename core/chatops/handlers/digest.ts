import { authorize } from '../../authz/policy.ts';
import { previewDigest } from '../../digest/preview.ts';
import {
  type DigestSettings,
  type DigestSubscription,
  type DigestSubscriptionStore,
  type SubscriptionRequest,
  subscribe,
  subscriptionRequirement,
  subscriptionSummary,
  unsubscribe,
} from '../../digest/subscriptions.ts';
import { KubeguardError } from '../../errors.ts';
import { codeSpan } from '../../slack-views/mrkdwn.ts';
import type { DigestSubscriptions, DigestWorkerDeps } from '../ports.ts';
import { type SlackReply, textReply } from '../replies.ts';
import type { QueuedRequestOf } from '../requests.ts';
import {
  AccessDeniedError,
  type HandlerOutcome,
  recordFor,
  requireRole,
  type WorkerDeps,
  type WorkerHandler,
} from '../worker-context.ts';
import { homeHandler } from './home.ts';

const PURPOSE = 'manage digest subscriptions';

/**
 * `/k8s digest …` and the App Home's digest toggles, run by the action worker: the role is checked
 * again (the configuration may have changed since the ingress), the change is recorded as an
 * `action` before it is made, then the digest engine (core/digest/subscriptions.ts) makes it. A
 * preview is sent to the person by direct message — a chart can only be shared in a conversation,
 * never in an ephemeral message (decision in docs/decisions.md). A toggle from the Home publishes the
 * tab again instead of answering.
 */
export const digestHandler: WorkerHandler<'digest'> = async (request, deps) => {
  const digest = deps.digest;
  if (digest === undefined) {
    throw new KubeguardError(
      'INVALID_CONFIG',
      'digests are not set up in this deployment: the action worker was composed without the subscription store (WorkerDeps.digest)',
    );
  }
  const outcome = await run(request, deps, digest);
  if (request.args.home !== true) return outcome;
  // From the App Home: the tab shows the change; nobody waits for a message.
  await homeHandler({ ...request, kind: 'home', args: {} }, deps);
  const { reply: _shownOnTheHome, ...shown } = outcome;
  return shown;
};

async function run(
  request: QueuedRequestOf<'digest'>,
  deps: WorkerDeps,
  digest: DigestWorkerDeps,
): Promise<HandlerOutcome> {
  const { args } = request;
  const owner = request.actor.userId;
  const settings = deps.config.digest;
  switch (args.op) {
    case 'subscribe': {
      const wanted = requestOf(request, deps);
      const need = subscriptionRequirement(wanted, settings);
      requireRole(request, deps, need.role, need.cluster, PURPOSE);
      const target = targetText(wanted);
      await recordFor(deps, request, 'action', { detail: `subscribe ${target}`, target });
      const { subscription, created } = await subscribe(digest.subscriptions, wanted, owner, deps.clock());
      const summary = subscriptionSummary(subscription, settings);
      return {
        result: 'done',
        detail: `${created ? 'subscribed' : 'already subscribed'}: ${subscription.id}`,
        target,
        reply: textReply(
          created
            ? `:calendar: Subscribed: ${describe(subscription)}, ${summary.schedule} (id ${codeSpan(subscription.id.slice(0, 8))}). The first digest comes at the next one.`
            : `:calendar: You were already subscribed: ${describe(subscription)}, ${summary.schedule} (id ${codeSpan(subscription.id.slice(0, 8))}).`,
        ),
      };
    }
    case 'unsubscribe': {
      requireAnyViewer(request, deps);
      const which = args.id !== undefined ? { id: args.id } : { request: requestOf(request, deps) };
      const target =
        args.id !== undefined ? `digest subscription ${args.id}` : targetText(requestOf(request, deps));
      await recordFor(deps, request, 'action', { detail: `unsubscribe ${target}`, target });
      const removed = await unsubscribe(digest.subscriptions, owner, which);
      return {
        result: 'done',
        detail: `unsubscribed: ${removed.id}`,
        target: `digest subscription ${removed.id}`,
        reply: textReply(
          `:calendar: Unsubscribed: ${describe(removed)} (id ${codeSpan(removed.id.slice(0, 8))}).`,
        ),
      };
    }
    case 'list': {
      requireAnyViewer(request, deps);
      const mine = await digest.subscriptions.listByOwner(owner);
      return { result: 'done', detail: `${mine.length} subscriptions`, reply: listReply(mine, settings) };
    }
    case 'preview': {
      const cluster = configuredCluster(args.cluster, deps);
      requireRole(request, deps, 'viewer', cluster, 'preview digests');
      const frequency = args.frequency ?? 'weekly';
      const preview = await previewDigest(
        digest.sources,
        { frequency, ...(cluster === undefined ? {} : { cluster }) },
        {
          at: deps.clock(),
          clusters: deps.config.clusters.map((c) => c.name),
          suppressions: deps.config.detection.suppressions,
        },
      );
      const channel = await digest.slack.openDirectMessage(owner);
      const posted = await digest.slack.postMessage({ channel, ...preview.message });
      const { period } = preview.content;
      await digest.slack.uploadFile({
        channel: posted.channel,
        filename: `kubeguard-posture-preview-${period.to.slice(0, 10)}.png`,
        title: `Posture score, 12 weeks to ${period.to.slice(0, 10)} (preview)`,
        altText: preview.chart.altText,
        bytes: await digest.chart.png(preview.chart),
      });
      const scope = cluster ?? 'every cluster';
      return {
        result: 'done',
        detail: `preview of the ${frequency} digest of ${scope} sent by direct message`,
        target: `${frequency} digest of ${scope}`,
        ...(cluster === undefined ? {} : { cluster }),
        reply: textReply(
          `:calendar: Sent you the ${frequency} digest of ${cluster === undefined ? 'every cluster' : codeSpan(cluster)} as it would be sent now, by direct message with its chart.`,
        ),
      };
    }
  }
}

/** The subscription a request names; the person who asked is "me", a cluster must still be configured. */
function requestOf(request: QueuedRequestOf<'digest'>, deps: WorkerDeps): SubscriptionRequest {
  const { args } = request;
  const cluster = configuredCluster(args.cluster, deps);
  return {
    frequency: args.frequency ?? 'weekly',
    target: args.target ?? { kind: 'dm', user: request.actor.userId },
    ...(cluster === undefined ? {} : { cluster }),
  };
}

function configuredCluster(cluster: string | undefined, deps: WorkerDeps): string | undefined {
  if (cluster === undefined) return undefined;
  const configured = deps.config.clusters.map((c) => c.name);
  if (!configured.includes(cluster)) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `cluster ${JSON.stringify(cluster)} is no longer configured; configured clusters: ${configured.join(', ')}`,
    );
  }
  return cluster;
}

/** Viewer on at least one cluster: one's own subscriptions are one's own business. */
function requireAnyViewer(request: QueuedRequestOf<'digest'>, deps: WorkerDeps): void {
  const decision = authorize(
    deps.config.authorization,
    { userId: request.actor.userId, groups: new Set(request.actor.groups) },
    { role: 'viewer', anyCluster: true },
  );
  if (!decision.allowed) throw new AccessDeniedError(decision, PURPOSE);
}

function targetText(request: SubscriptionRequest): string {
  const where =
    request.target.kind === 'dm' ? `dm ${request.target.user}` : `channel ${request.target.channel}`;
  return `${request.frequency} digest of ${request.cluster ?? 'every cluster'} to ${where}`;
}

/** `the weekly digest of every cluster by direct message` (ids and names validated or code-spanned). */
function describe(subscription: DigestSubscription): string {
  const clusters = subscription.cluster === undefined ? 'every cluster' : codeSpan(subscription.cluster);
  const where =
    subscription.target.kind === 'dm' ? 'by direct message' : `in <#${subscription.target.channel}>`;
  return `the ${subscription.frequency} digest of ${clusters} ${where}`;
}

function listReply(mine: readonly DigestSubscription[], settings: DigestSettings): SlackReply {
  if (mine.length === 0) {
    return textReply(
      ':calendar: You have no digest subscriptions. `/k8s digest subscribe weekly all me` sends you the weekly digest of every cluster.',
    );
  }
  const lines = mine.map((subscription) => {
    const summary = subscriptionSummary(subscription, settings);
    return `• ${codeSpan(subscription.id.slice(0, 8))} ${describe(subscription)} · ${summary.schedule}`;
  });
  return textReply(
    [
      `:calendar: Your digest subscriptions (${mine.length}):`,
      ...lines,
      'Cancel one with `/k8s digest unsubscribe ID`.',
    ].join('\n'),
  );
}

/**
 * The App Home's view of the person's digest subscriptions: every subscription they made (their DMs
 * and the channels they subscribed), with its id so the tab can offer to cancel it.
 */
export function digestSubscriptionsFor(
  store: Pick<DigestSubscriptionStore, 'listByOwner'>,
  settings: DigestSettings,
): DigestSubscriptions {
  return {
    toggles: true,
    async subscriptionsOf(userId) {
      const mine = await store.listByOwner(userId);
      return mine.map((subscription) => ({
        ...subscriptionSummary(subscription, settings),
        id: subscription.id,
      }));
    },
  };
}
