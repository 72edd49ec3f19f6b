import type { IngressDeps } from '../../core/chatops/ingress.ts';
import type { ActionQueue, ChatopsLog } from '../../core/chatops/ports.ts';
import { ConfigError } from '../../core/errors.ts';
import { DynamoAuditTrailStore } from '../aws/audit-trail-store.ts';
import { kubeguardTableFromEnv } from '../aws/kubeguard-table.ts';
import { DynamoClaimStore } from '../aws/replay-claims.ts';
import { SecretsManagerClient } from '../aws/secrets-manager-lite.ts';
import { fetchSigningSecret } from '../aws/slack-signing-secret.ts';
import { SqsActionQueue } from '../aws/sqs-action-queue.ts';
import { type BotEnvironment, requireSigningSecret } from '../config/bot-env.ts';
import { botTokenFromEnv } from './bot-token-from-env.ts';
import {
  cachedUserGroupDirectory,
  createBotWebClient,
  createSlackViews,
  createUserGroupDirectory,
} from './bot-web-api.ts';

/**
 * The Slack ingress's adapters, built from the environment (bot/composition.ts): claims and the audit
 * trail on the kubeguard table, the action queue, and the Slack Web API calls a listener makes. The
 * worker's are in worker-from-env.ts, so neither bundle carries the other's.
 */

/** The longest a listener waits on one Slack call. */
const INGRESS_SLACK_TIMEOUT_MS = 1500;

/** The bot token and the signing secret, read once per cold start (in parallel when both are secrets). */
export async function botSecretsFromEnv(
  environment: BotEnvironment,
): Promise<{ botToken: string; signingSecret: string }> {
  const signing = requireSigningSecret(environment);
  const client = new SecretsManagerClient({});
  const [botToken, signingSecret] = await Promise.all([
    botTokenFromEnv(environment.base, client),
    'value' in signing ? signing.value : fetchSigningSecret(client, signing.secretArn),
  ]);
  return { botToken, signingSecret };
}

/** The action queue named by KUBEGUARD_ACTION_QUEUE_URL. */
export function actionQueueFromEnv(environment: BotEnvironment): ActionQueue {
  if (environment.actionQueueUrl === undefined) {
    throw new ConfigError(
      'KUBEGUARD_ACTION_QUEUE_URL is not set; the CDK app sets it to the action queue’s URL',
    );
  }
  return new SqsActionQueue({ queueUrl: environment.actionQueueUrl });
}

/** What the ingress listeners need; `queue` defaults to the SQS queue of the environment. */
export function ingressDepsFromEnv(
  environment: BotEnvironment,
  parts: { botToken: string; log: ChatopsLog; queue?: ActionQueue; nowMs?: () => number },
): IngressDeps {
  const { config } = environment.base;
  const table = kubeguardTableFromEnv(environment.base);
  const client = createBotWebClient({
    token: parts.botToken,
    // A listener's Slack calls (a user group, views.open) must leave the ack inside Slack's 3 s.
    timeoutMs: INGRESS_SLACK_TIMEOUT_MS,
    ...(environment.base.slackApiUrl === undefined ? {} : { slackApiUrl: environment.base.slackApiUrl }),
  });
  const nowMs = parts.nowMs ?? Date.now;
  return {
    config,
    claims: new DynamoClaimStore(table),
    trail: new DynamoAuditTrailStore(table),
    queue: parts.queue ?? actionQueueFromEnv(environment),
    directory: cachedUserGroupDirectory(
      createUserGroupDirectory(client),
      config.authorization.userGroupCacheSeconds * 1000,
      nowMs,
    ),
    views: createSlackViews(client),
    log: parts.log,
    nowMs,
  };
}
