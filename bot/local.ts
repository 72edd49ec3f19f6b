import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel, SocketModeReceiver } from '@slack/bolt';
import { DynamoFindingStore } from '../adapters/aws/findings-store.ts';
import { kubeguardTableFromEnv } from '../adapters/aws/kubeguard-table.ts';
import { type BotEnvironment, botEnvironment } from '../adapters/config/bot-env.ts';
import { InProcessActionQueue } from '../adapters/local/in-process-action-queue.ts';
import { InProcessDeliveryTrigger } from '../adapters/local/in-process-delivery-trigger.ts';
import { botTokenFromEnv } from '../adapters/slack/bot-token-from-env.ts';
import { botSecretsFromEnv, ingressDepsFromEnv } from '../adapters/slack/ingress-from-env.ts';
import { createSlackMessengerFromEnv } from '../adapters/slack/messenger-from-env.ts';
import { workerDepsFromEnv } from '../adapters/slack/worker-from-env.ts';
import type { IngressDeps } from '../core/chatops/ingress.ts';
import { runQueuedRequest } from '../core/chatops/worker.ts';
import { alertDeliveryFor } from '../core/findings/compose.ts';
import { createApp } from './app.ts';
import { createHttpBot } from './composition.ts';
import type { SlackHttpIngress } from './http-ingress.ts';
import { createBotLogger } from './logger.ts';

/**
 * The bot on a developer's machine or in the sandbox: the same Bolt app and verifier as the Lambda
 * function, served on node:http at `POST /slack/events` — or, when SLACK_APP_TOKEN is set, connected
 * to a real workspace over Socket Mode, so nobody has to deploy to try it. Run it with
 * `node bot/local.ts` (the environment of docs/slack-bot.md).
 */
export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack's own requests are a few KB; anything far larger is refused before it is read whole. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface LocalBot {
  /** `http://127.0.0.1:<port>/slack/events` */
  url: string;
  port: number;
  ingress: SlackHttpIngress;
  stop(): Promise<void>;
}

export async function startLocalBot(options: {
  deps: IngressDeps;
  botToken: string;
  signingSecret: string;
  /** @default 0 (any free port) */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
}): Promise<LocalBot> {
  const ingress = createHttpBot(options);
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '').split('?')[0];
      if (request.method !== 'POST' || path !== SLACK_EVENTS_PATH) {
        response.writeHead(404).end();
        return;
      }
      const body = await readBody(request);
      if (body === undefined) {
        response.writeHead(413).end();
        return;
      }
      try {
        const answer = await ingress({ headers: request.headers, body, path });
        response.writeHead(answer.statusCode, flatten(answer.headers)).end(answer.body);
      } catch (error) {
        options.deps.log.error('local slack ingress failed', {
          error: error instanceof Error ? error.name : 'unknown',
        });
        response.writeHead(500).end();
      }
    })();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}${SLACK_EVENTS_PATH}`,
    port,
    ingress,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same app over Socket Mode (no public URL; Slack authenticates the connection with the app token). */
export async function startSocketModeBot(options: {
  deps: IngressDeps;
  botToken: string;
  appToken: string;
  /** Where apps.connections.open is called (a local Slack double). @default https://slack.com/api/ */
  slackApiUrl?: string;
}): Promise<{ stop(): Promise<void> }> {
  const receiver = new SocketModeReceiver({
    appToken: options.appToken,
    // Connection notices stay out of the bot's log; failures still reach it through the app.
    logLevel: LogLevel.ERROR,
    ...(options.slackApiUrl === undefined
      ? {}
      : { installerOptions: { clientOptions: { slackApiUrl: options.slackApiUrl } } }),
  });
  const app = createApp({ deps: options.deps, receiver, botToken: options.botToken });
  await app.start();
  return {
    stop: async () => {
      await app.stop();
    },
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function flatten(headers: Record<string, string> | undefined): Record<string, string> {
  return headers ?? {};
}

/**
 * The local bot from the environment: the kubeguard table (DYNAMODB_ENDPOINT for a local dynalite),
 * an in-process action queue running the worker, and an in-process delivery run that updates alerts.
 */
export async function startLocalBotFromEnv(environment: BotEnvironment = botEnvironment()): Promise<void> {
  const log = createBotLogger('slack-bot-local');
  const appToken = environment.appToken;
  // Over Socket Mode Slack authenticates the connection: there is no signed request to verify.
  const { botToken, signingSecret } =
    appToken === undefined
      ? await botSecretsFromEnv(environment)
      : { botToken: await botTokenFromEnv(environment.base), signingSecret: '' };
  const table = kubeguardTableFromEnv(environment.base);
  const delivery = alertDeliveryFor({
    config: environment.base.config,
    store: new DynamoFindingStore({
      client: table.client,
      tableName: table.tableName,
      nowSeconds: () => Math.floor(Date.now() / 1000),
    }),
    messenger: createSlackMessengerFromEnv(environment.base),
    timers: {
      nowMs: () => Date.now(),
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    },
  });
  const trigger = new InProcessDeliveryTrigger(() => delivery.deliverPending({ owner: 'local-bot' }));
  const worker = workerDepsFromEnv(environment.base, { botToken, log, delivery: trigger });
  const queue = new InProcessActionQueue((request, attempt) => runQueuedRequest(request, worker, attempt));
  const deps = ingressDepsFromEnv(environment, { botToken, log, queue });
  if (appToken !== undefined) {
    await startSocketModeBot({
      deps,
      botToken,
      appToken,
      ...(environment.base.slackApiUrl === undefined ? {} : { slackApiUrl: environment.base.slackApiUrl }),
    });
    log.info('kubeguard bot connected over Socket Mode');
    return;
  }
  const bot = await startLocalBot({ deps, botToken, signingSecret, port: environment.port });
  log.info('kubeguard bot listening', { url: bot.url });
}

if (import.meta.main) await startLocalBotFromEnv();
