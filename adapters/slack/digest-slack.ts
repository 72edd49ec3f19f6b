import type { DigestSlack } from '../../core/digest/send.ts';
import { KubeguardError } from '../../core/errors.ts';
import { createBotWebClient } from './bot-web-api.ts';
import { createWebApiMessenger, slackCall, toKubeguardError } from './web-api-messenger.ts';

/**
 * The Slack calls of the digest function: posting and finding a lost post through the alert
 * messenger (web-api-messenger.ts), and users.info (`tz`), conversations.open (the DM) and
 * files.uploadV2 (files.getUploadURLExternal → upload → files.completeUploadExternal) on the bot's
 * Web API client (bot-web-api.ts). SDK retries are off; failures are KubeguardErrors (one mapping).
 * Scopes: chat:write, users:read, im:write, files:write (and channels:history for the lookup).
 */
export interface DigestSlackOptions {
  token: string;
  /** @default 'https://slack.com/api/' */
  slackApiUrl?: string;
  /** @default 10000 */
  timeoutMs?: number;
}

export function createDigestSlack(options: DigestSlackOptions): DigestSlack {
  const messenger = createWebApiMessenger(options);
  const client = createBotWebClient({ ...options, timeoutMs: options.timeoutMs ?? 10_000 });
  return {
    postMessage: (message) => messenger.postMessage(message),
    findPostedMessage: (query) => messenger.findPostedMessage(query),

    async timeZoneOf(user: string): Promise<string | undefined> {
      try {
        const answer = await slackCall('users.info', () => client.users.info({ user }));
        const tz = answer.user?.tz;
        return typeof tz === 'string' && tz !== '' ? tz : undefined;
      } catch (error) {
        throw toKubeguardError(error, 'users.info', user);
      }
    },

    async openDirectMessage(user: string): Promise<string> {
      let channel: string | undefined;
      try {
        channel = (await slackCall('conversations.open', () => client.conversations.open({ users: user })))
          .channel?.id;
      } catch (error) {
        throw toKubeguardError(error, 'conversations.open', user);
      }
      if (channel === undefined) {
        throw new KubeguardError(
          'UPSTREAM',
          `Slack conversations.open for ${user} answered ok without a channel`,
        );
      }
      return channel;
    },

    async uploadFile(file): Promise<void> {
      try {
        await slackCall('files.uploadV2', () =>
          client.files.uploadV2({
            channel_id: file.channel,
            file: Buffer.from(file.bytes),
            filename: file.filename,
            title: file.title,
            alt_text: file.altText,
          }),
        );
      } catch (error) {
        throw toKubeguardError(error, 'files.uploadV2', file.channel);
      }
    },
  };
}
