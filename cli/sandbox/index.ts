import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readBotEnvironment } from '#adapters/config/bot-env.ts';
import { type LocalDynamo, startLocalDynamo } from '#adapters/local/dynalite.ts';
import { startLocalBot, startSocketModeBot } from '#bot/local.ts';
import type { ChatopsLog } from '#core/chatops/ports.ts';
import { ConfigError } from '#core/errors.ts';
import { type SandboxApi, type SandboxFacts, sandboxRoutes } from './api.ts';
import { type SandboxCluster, startSandboxCluster } from './cluster.ts';
import { loadSandboxConfig, type SandboxSetup, sandboxChannels, withCluster } from './config.ts';
import { type SandboxDigests, startSandboxDigests } from './digests.ts';
import { ingestText } from './ingest.ts';
import { composeKubeguard, type Kubeguard } from './kubeguard.ts';
import { sendText } from './slack/http.ts';
import { DEFAULT_BOT_TOKEN, DEFAULT_TEAM_ID, type SandboxSlack, startSandboxSlack } from './slack/index.ts';

/**
 * `npm start`: the whole product on one machine. An embedded DynamoDB (state under `.kubeguard/`,
 * or in memory), the demo cluster (or a real one from a kubeconfig), kubeguard's ingest, delivery,
 * bot and worker (kubeguard.ts), and the sandbox's Slack — the Web API the bot calls and the page a
 * person uses, whose actions reach the bot as signed Slack requests. With a real workspace's
 * credentials the same process talks to that workspace instead of the sandbox's Slack.
 */
export interface SandboxOptions {
  /** The page's (or, with a real workspace, the sandbox API's) port on 127.0.0.1. @default 3000 */
  port?: number;
  /** Keep the table, kubeconfig and evidence in a temporary directory removed at stop. */
  memory?: boolean;
  /** Where state lives between runs. @default `.kubeguard` in the working directory */
  dataDir?: string;
  /** A real cluster's kubeconfig instead of the demo cluster. */
  kubeconfig?: string;
  /** A kubeguard.config.json for the sandbox. @default cli/sandbox/kubeguard.sandbox.json */
  configFile?: string;
  /** SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, KUBEGUARD_BOT_PORT. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Warnings and errors of every part. @default nothing */
  log?: ChatopsLog;
}

export type SandboxMode = 'sandbox' | 'slack-http' | 'slack-socket-mode';

export interface Sandbox {
  mode: SandboxMode;
  /** `http://127.0.0.1:PORT/`: the page (sandbox) or the sandbox API (a real workspace). */
  url: string;
  /** The bot's `/slack/events` URL (absent over Socket Mode). */
  botEventsUrl?: string;
  cluster: SandboxCluster;
  dataDir: string;
  /** The signing secret the bot verifies, and whether it was generated for this run. */
  signingSecret?: { value: string; generated: boolean };
  /** The sandbox's Slack (sandbox mode only). */
  slack?: SandboxSlack;
  kubeguard: Kubeguard;
  /** The in-process digest schedule and "Send digests now". */
  digests: SandboxDigests;
  facts(): SandboxFacts;
  ingest: SandboxApi['ingest'];
  stop(): Promise<void>;
}

export const TABLE_NAME = 'kubeguard';
/** The account the demo's ARNs and images name (the fixtures' example account). */
const DEMO_ACCOUNT = '111122223333';
const QUIET: ChatopsLog = { info: () => {}, warn: () => {}, error: () => {} };

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const env = options.env ?? {};
  const log = options.log ?? QUIET;
  const mode = modeOf(env);
  const dataDir = options.memory
    ? mkdtempSync(join(tmpdir(), 'kubeguard-sandbox-'))
    : resolve(options.dataDir ?? '.kubeguard');
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    if (options.memory) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    let setup = loadSandboxConfig(options.configFile);
    const db: LocalDynamo = await startLocalDynamo(
      options.memory ? {} : { directory: join(dataDir, 'dynamodb') },
    );
    stops.push(() => db.stop());
    await db.ensureTable(TABLE_NAME);
    const cluster = await startSandboxCluster({
      dataDir,
      ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    });
    stops.push(() => cluster.stop());
    if (cluster.demo === undefined)
      setup = withCluster(setup, { name: cluster.name, region: cluster.region });
    const port = options.port ?? 3000;

    const generated = env.SLACK_SIGNING_SECRET?.trim() ? undefined : randomBytes(32).toString('hex');
    const signingSecret =
      mode === 'slack-socket-mode' ? undefined : (generated ?? String(env.SLACK_SIGNING_SECRET).trim());
    const botToken = mode === 'sandbox' ? DEFAULT_BOT_TOKEN : String(env.SLACK_BOT_TOKEN).trim();
    const botPort = mode === 'sandbox' ? await freePort() : botPortOf(env, port);
    let kubeguard: Kubeguard | undefined;
    let digests: SandboxDigests | undefined;
    const api: SandboxApi = {
      facts: () => facts(setup, cluster, slack, url),
      ingest: (text) => {
        if (kubeguard === undefined) throw new Error('the sandbox is still starting');
        return ingestText(text, kubeguard.ingest);
      },
      sendDigests: () => {
        if (digests === undefined) throw new Error('the sandbox is still starting');
        return digests.sendNow();
      },
    };
    const routes = sandboxRoutes(api);
    let slack: SandboxSlack | undefined;
    let url: string;
    if (mode === 'sandbox') {
      slack = await startSandboxSlack({
        port,
        botEventsUrl: `http://127.0.0.1:${botPort}/slack/events`,
        signingSecret,
        channels: sandboxChannels(setup.config),
        users: setup.users,
        teamId: DEFAULT_TEAM_ID,
        botToken,
        extraRoutes: routes,
      });
      stops.push(() => (slack as SandboxSlack).stop());
      url = slack.url;
    } else {
      const server = await startApiServer(port, routes);
      stops.push(() => closeServer(server));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    }

    const environment = readBotEnvironment({
      KUBEGUARD_CONFIG: JSON.stringify(setup.json),
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_APP_TOKEN: mode === 'slack-socket-mode' ? env.SLACK_APP_TOKEN : undefined,
      SLACK_API_URL: slack?.slackApiUrl,
      KUBEGUARD_TABLE_NAME: TABLE_NAME,
      DYNAMODB_ENDPOINT: db.endpoint,
      KUBEGUARD_EVIDENCE_DIR: join(dataDir, 'evidence'),
      AWS_REGION: cluster.region,
    });
    kubeguard = composeKubeguard({
      environment,
      botToken,
      cluster,
      account: DEMO_ACCOUNT,
      log,
      paced: mode !== 'sandbox',
    });
    stops.push(() => (kubeguard as Kubeguard).stop());
    digests = startSandboxDigests({ environment: environment.base, log });
    stops.push(() => (digests as SandboxDigests).stop());
    let botEventsUrl: string | undefined;
    if (mode === 'slack-socket-mode') {
      const bot = await startSocketModeBot({
        deps: kubeguard.deps,
        botToken,
        appToken: String(environment.appToken),
      });
      stops.push(() => bot.stop());
    } else {
      const bot = await startLocalBot({
        deps: kubeguard.deps,
        botToken,
        signingSecret: String(signingSecret),
        port: botPort,
      });
      stops.push(() => bot.stop());
      botEventsUrl = bot.url;
    }
    const running = kubeguard;
    return {
      mode,
      url,
      ...(botEventsUrl === undefined ? {} : { botEventsUrl }),
      cluster,
      dataDir,
      ...(signingSecret === undefined
        ? {}
        : { signingSecret: { value: signingSecret, generated: generated !== undefined } }),
      ...(slack === undefined ? {} : { slack }),
      kubeguard: running,
      digests,
      facts: api.facts,
      ingest: api.ingest,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A real workspace when its credentials are set; otherwise the sandbox's Slack. */
function modeOf(env: Readonly<Record<string, string | undefined>>): SandboxMode {
  if (!env.SLACK_BOT_TOKEN?.trim()) return 'sandbox';
  if (env.SLACK_APP_TOKEN?.trim()) return 'slack-socket-mode';
  if (env.SLACK_SIGNING_SECRET?.trim()) return 'slack-http';
  return 'sandbox';
}

/** Where Slack's requests arrive with a real workspace: KUBEGUARD_BOT_PORT, else the next port. */
function botPortOf(env: Readonly<Record<string, string | undefined>>, port: number): number {
  const raw = env.KUBEGUARD_BOT_PORT?.trim();
  if (raw) {
    const botPort = Number(raw);
    if (!Number.isInteger(botPort) || botPort < 0 || botPort > 65_535)
      throw new ConfigError(
        `KUBEGUARD_BOT_PORT must be a port number (0–65535); received ${JSON.stringify(raw)}`,
      );
    return botPort;
  }
  return port === 0 ? 0 : port + 1;
}

function facts(
  setup: SandboxSetup,
  cluster: SandboxCluster,
  slack: SandboxSlack | undefined,
  url: string,
): SandboxFacts {
  return {
    ok: true,
    kubeServer: cluster.kubeServer,
    clusters: setup.config.clusters.map((c) => c.name),
    channels: [...(slack?.state.channels ?? [])],
    users: setup.users,
    teamId: slack?.state.teamId ?? '',
    url,
  };
}

/** A free loopback port for the bot, so the page's proxy knows where to post before the bot starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return port;
}

async function startApiServer(port: number, routes: ReturnType<typeof sandboxRoutes>): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    routes(request, response, path)
      .then((handled) => {
        if (!handled) sendText(response, 404, 'not_found');
      })
      .catch(() => {
        if (!response.headersSent) sendText(response, 500, 'internal_error');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
