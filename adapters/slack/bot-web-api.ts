import { type KnownBlock, LogLevel, type View, WebClient } from '@slack/web-api';
import type {
  ReplyTarget,
  SlackHomeTabs,
  SlackReplies,
  SlackViews,
  SlackViewUpdates,
  UserGroupDirectory,
  ViewTarget,
} from '../../core/chatops/ports.ts';
import type { SlackReply } from '../../core/chatops/replies.ts';
import { KubeguardError } from '../../core/errors.ts';
import type { HomeView, ModalView } from '../../core/slack-views/blocks.ts';
import { slackCall, toKubeguardError } from './web-api-messenger.ts';

/**
 * The Slack Web API calls of the bot: opening a form (`views.open`), answering the person
 * (response URL, else `chat.postEphemeral`) and reading user groups (`usergroups.users.list`,
 * cached). Every failure is a KubeguardError (web-api-messenger.ts's mapping); the SDK's own
 * retries are off, so the ingress never waits on a retry and the worker's queue decides.
 */
export interface BotWebApiOptions {
  /** Bot token (xoxb-…). Never logged, never put into an error. */
  token: string;
  /** @default 'https://slack.com/api/' */
  slackApiUrl?: string;
  /** Per-request timeout: short for the ingress, which must ack within 3 s. @default 2500 */
  timeoutMs?: number;
}

export function createBotWebClient(options: BotWebApiOptions): WebClient {
  return new WebClient(options.token, {
    ...(options.slackApiUrl === undefined ? {} : { slackApiUrl: options.slackApiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 2500,
    logLevel: LogLevel.ERROR,
  });
}

export function createSlackViews(client: WebClient): SlackViews {
  return {
    async open(triggerId: string, view: ModalView): Promise<void> {
      try {
        await slackCall('views.open', () =>
          client.views.open({ trigger_id: triggerId, view: view as unknown as View }),
        );
      } catch (error) {
        throw toKubeguardError(error, 'views.open', '-');
      }
    },
  };
}

/**
 * Replacing an open modal (`views.update`), by Slack's view id or the external id kubeguard gave it
 * when it opened the modal: the worker fills a modal the listener opened (a plan, an audit page).
 */
export function createSlackViewUpdates(client: WebClient): SlackViewUpdates {
  return {
    async update(target: ViewTarget, view: ModalView): Promise<void> {
      try {
        await slackCall('views.update', () =>
          client.views.update({
            ...('id' in target ? { view_id: target.id } : { external_id: target.externalId }),
            view: view as unknown as View,
          }),
        );
      } catch (error) {
        throw toKubeguardError(error, 'views.update', 'id' in target ? target.id : target.externalId);
      }
    },
  };
}

/** Publishing a person's App Home tab (`views.publish`; the worker calls it, never the listener). */
export function createSlackHomeTabs(client: WebClient): SlackHomeTabs {
  return {
    async publish(userId: string, view: HomeView): Promise<void> {
      try {
        await slackCall('views.publish', () =>
          client.views.publish({ user_id: userId, view: view as unknown as View }),
        );
      } catch (error) {
        throw toKubeguardError(error, 'views.publish', userId);
      }
    },
  };
}

/** Where response URLs may point: Slack's, and the local Slack double when SLACK_API_URL names one. */
const SLACK_RESPONSE_ORIGIN = 'https://hooks.slack.com';

export interface SlackRepliesOptions {
  client: WebClient;
  /** Origins besides https://hooks.slack.com that response URLs may use (a local double). */
  extraResponseOrigins?: readonly string[];
  /** For tests. @default fetch */
  fetch?: typeof fetch;
  /** @default 5000 */
  timeoutMs?: number;
}

/**
 * Answers through the request's response URL (works in any channel and in DMs, without the bot being
 * a member), falling back to `chat.postEphemeral` in the channel when there is none or it expired.
 * A response URL is only ever used on Slack's host: the URL comes from a signed payload, but a
 * request is never sent anywhere else.
 */
export function createSlackReplies(options: SlackRepliesOptions): SlackReplies {
  const origins = new Set([SLACK_RESPONSE_ORIGIN, ...(options.extraResponseOrigins ?? [])]);
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    async reply(target: ReplyTarget, reply: SlackReply): Promise<void> {
      if (target.responseUrl !== undefined && origins.has(originOf(target.responseUrl))) {
        if (await postToResponseUrl(doFetch, target.responseUrl, reply, timeoutMs)) return;
      }
      if (target.channelId === undefined) {
        throw new KubeguardError(
          'UPSTREAM',
          'no usable response URL (absent, expired or not Slack’s) and no channel to answer in',
        );
      }
      try {
        const channel = target.channelId;
        await slackCall('chat.postEphemeral', () =>
          options.client.chat.postEphemeral({
            channel,
            user: target.userId,
            text: reply.text,
            ...(reply.blocks === undefined ? {} : { blocks: reply.blocks as unknown as KnownBlock[] }),
          }),
        );
      } catch (error) {
        throw toKubeguardError(error, 'chat.postEphemeral', target.channelId);
      }
    },
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** True when Slack took the answer; false when the URL expired or was used up (fall back). */
async function postToResponseUrl(
  doFetch: typeof fetch,
  url: string,
  reply: SlackReply,
  timeoutMs: number,
): Promise<boolean> {
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        response_type: 'ephemeral',
        replace_original: false,
        text: reply.text,
        ...(reply.blocks === undefined ? {} : { blocks: reply.blocks }),
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new KubeguardError('UPSTREAM', `Slack response URL did not answer: ${(error as Error).name}`, {
      cause: error,
    });
  }
  await response.text();
  if (response.ok) return true;
  if (response.status === 404 || response.status === 410) return false;
  throw new KubeguardError('UPSTREAM', `Slack response URL answered HTTP ${response.status}`, {
    details: { status: response.status },
  });
}

export function createUserGroupDirectory(client: WebClient): UserGroupDirectory {
  return {
    async members(userGroupId: string): Promise<readonly string[]> {
      try {
        const result = await slackCall('usergroups.users.list', () =>
          client.usergroups.users.list({ usergroup: userGroupId }),
        );
        return result.users ?? [];
      } catch (error) {
        throw toKubeguardError(error, 'usergroups.users.list', userGroupId);
      }
    },
  };
}

/**
 * Membership reused for `ttlMs` (`authorization.userGroupCacheSeconds`): one Slack call per group per
 * warm instance and minute, not per click. A failure is not cached; concurrent lookups share one call.
 */
export function cachedUserGroupDirectory(
  inner: UserGroupDirectory,
  ttlMs: number,
  nowMs: () => number = Date.now,
): UserGroupDirectory {
  const cache = new Map<string, { until: number; members: Promise<readonly string[]> }>();
  return {
    members(userGroupId: string): Promise<readonly string[]> {
      const hit = cache.get(userGroupId);
      if (hit !== undefined && hit.until > nowMs()) return hit.members;
      const members = inner.members(userGroupId);
      cache.set(userGroupId, { until: nowMs() + ttlMs, members });
      members.catch(() => cache.delete(userGroupId));
      return members;
    },
  };
}
