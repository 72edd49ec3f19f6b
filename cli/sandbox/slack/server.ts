import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FileUploads } from './files-api.ts';
import { BodyTooLargeError, isRecord, parseApiBody, readBody, sendJson, sendText } from './http.ts';
import { type PageAction, type ProxyOptions, runPageAction } from './interactions.ts';
import { messagesJson, sendVersion, serveFile, servePageFile, viewsJson } from './page-api.ts';
import { answerHookUrl, answerResponseUrl } from './response-urls.ts';
import { type SandboxChannel, SlackState, type StoredMessage } from './state.ts';
import { VIEW_METHODS } from './views-api.ts';
import { type ApiContext, MESSAGE_METHODS, type MethodHandler } from './web-api.ts';

/**
 * The sandbox's Slack on 127.0.0.1: the Web API methods the bot calls under `/api/<method>` (Bearer
 * token, form or JSON bodies, slack.com's answers), response URLs, file uploads, the page and its
 * JSON, and — when given the bot's URL and signing secret — the signing proxy `POST /api/sandbox/act`.
 * Tests script failures on it (`failNext`) and read every call (`calls`).
 */
export interface SlackApiCall {
  /** Web API method, e.g. `chat.postMessage`, or a response URL's path. */
  method: string;
  /** The body, parsed from form-urlencoded or JSON; `blocks`/`view`/… JSON strings are parsed too. */
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** The HTTP status answered. */
  status: number;
  /** Slack `error` when the answer was `ok:false`. */
  error?: string;
}

export interface ScriptedFailure {
  /** 429 (rate limited, with Retry-After), 5xx, or 200 with a Slack `error`. */
  status: number;
  /** Seconds for the Retry-After header of a 429. @default 1 */
  retryAfter?: number;
  /** Slack error code for a 200 answer, e.g. `channel_not_found`. */
  error?: string;
  /** How many of the next calls fail. @default 1 */
  count?: number;
  /** Only calls to this method fail (others pass untouched). @default every method */
  method?: string;
  /** The call takes effect and only its answer is the failure (a timeout after Slack processed it). */
  applied?: boolean;
}

export interface SlackApiServerOptions {
  /** The bot token the Web API accepts. */
  token: string;
  /** Members of each user group, for usergroups.users.list (others answer `no_such_subteam`). */
  userGroups?: Readonly<Record<string, readonly string[]>>;
  /** When set, any other channel answers `channel_not_found`. Plain ids get their id as name. */
  channels?: readonly (string | SandboxChannel)[];
  /** Milliseconds since the epoch; when absent, ts values count up from a fixed 1700000000 s. */
  clock?: () => number;
  /** The state to serve (one is made from the options above when absent). */
  state?: SlackState;
  /** views.open/push accept only trigger ids this server minted. @default false */
  strictTriggers?: boolean;
  /** How long a minted trigger id lasts. @default 3000 (Slack's three seconds) */
  triggerTtlMs?: number;
  /** The signing proxy, when the page should reach a bot. */
  proxy?: Omit<ProxyOptions, 'state' | 'origin'>;
  /** @default 0 (any free port) */
  port?: number;
  /** More routes on the same server (the sandbox's own API); true when handled. */
  extraRoutes?: (request: IncomingMessage, response: ServerResponse, path: string) => Promise<boolean>;
}

export class SlackApiServer {
  readonly token: string;
  readonly state: SlackState;
  readonly calls: SlackApiCall[] = [];
  readonly uploads = new FileUploads();
  private readonly options: SlackApiServerOptions;
  private readonly methods: Readonly<Record<string, MethodHandler>>;
  private readonly server: Server;
  private failures: ScriptedFailure[] = [];
  private port = 0;

  constructor(options: SlackApiServerOptions) {
    this.options = options;
    this.token = options.token;
    this.state =
      options.state ??
      new SlackState({
        ...(options.channels === undefined
          ? {}
          : {
              channels: options.channels.map((c) =>
                typeof c === 'string' ? { id: c, name: c.toLowerCase() } : c,
              ),
            }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      });
    this.methods = { ...MESSAGE_METHODS, ...VIEW_METHODS, ...this.uploads.methods };
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (error instanceof BodyTooLargeError) sendText(response, 413, error.message);
        else if (error instanceof SyntaxError) sendJson(response, 200, { ok: false, error: 'invalid_json' });
        else if (!response.headersSent) sendText(response, 500, 'internal_error');
      });
    });
  }

  /** `http://127.0.0.1:PORT` */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Base URL to pass as @slack/web-api `slackApiUrl` (ends in `/api/`). */
  get url(): string {
    return `${this.origin}/api/`;
  }

  /** A response URL of the test double's kind (`/hooks/…`), recorded but tied to no message. */
  responseUrl(path = 'commands/T111/111/xxxxx'): string {
    return `${this.origin}/hooks/${path}`;
  }

  get messages(): Map<string, StoredMessage> {
    return this.state.messages;
  }

  get ephemerals() {
    return this.state.ephemerals;
  }

  get openedViews() {
    return this.state.openedViews;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `count` calls fail as scripted (failures queue up in the order they were scripted). */
  failNext(failure: ScriptedFailure): void {
    const count = failure.count ?? 1;
    for (let i = 0; i < count; i += 1) this.failures.push(failure);
  }

  /** Deletes a posted message, as a person in the channel would. */
  deleteMessage(channel: string, ts: string): void {
    if (!this.state.deleteMessage(channel, ts)) throw new Error(`no message ${channel}:${ts} to delete`);
  }

  /** Top-level messages (not thread replies) currently in the channels, oldest first. */
  channelMessages(): StoredMessage[] {
    return this.state.channelMessages();
  }

  /** Bodies of successful calls to one method. */
  successful(method: string): Record<string, unknown>[] {
    return this.calls
      .filter((c) => c.method === method && c.status === 200 && c.error === undefined)
      .map((c) => c.body);
  }

  reset(): void {
    this.calls.length = 0;
    this.failures = [];
    this.state.reset();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'GET') {
      await this.get(request, response, path);
      return;
    }
    if (path.startsWith('/api/sandbox/')) {
      await this.sandboxPost(request, response, path);
      return;
    }
    if (this.options.extraRoutes !== undefined && (await this.options.extraRoutes(request, response, path)))
      return;
    const raw = (await readBody(request)).toString('utf8');
    const body = parseApiBody(raw, request.headers['content-type']);
    if (path.startsWith('/hooks/')) {
      const answer = answerHookUrl(this.state, path, body);
      this.calls.push({ method: path, body, headers: { ...request.headers }, status: answer.status });
      sendText(response, answer.status, answer.text);
      return;
    }
    this.api(path.replace(/^\/api\//, ''), body, request, response);
  }

  private async get(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    if (path === '/api/sandbox/messages') sendJson(response, 200, messagesJson(this.state));
    else if (path === '/api/sandbox/views') sendJson(response, 200, viewsJson(this.state));
    else if (path === '/api/sandbox/version') sendVersion(this.state, response);
    else if (path === '/api/sandbox/slack') sendJson(response, 200, this.facts());
    else if (path.startsWith('/api/sandbox/files/')) serveFile(this.state, response, path.slice(19));
    else if (
      this.options.extraRoutes !== undefined &&
      (await this.options.extraRoutes(request, response, path))
    )
      return;
    else if (!path.startsWith('/api/') && (await servePageFile(response, path.slice(1)))) return;
    else sendText(response, 404, 'not_found');
  }

  /** What the page needs to start: channels, users, team, and whether it can reach a bot. */
  facts(): Record<string, unknown> {
    return {
      ok: true,
      teamId: this.state.teamId,
      botUserId: this.state.botUserId,
      channels: this.state.channels ?? [],
      users: this.state.users,
      connected: this.options.proxy !== undefined,
    };
  }

  private async sandboxPost(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    if (path.startsWith('/api/sandbox/upload/')) {
      const bytes = await uploadedBytes(request);
      const received = this.uploads.receive(path.slice(20), bytes);
      sendText(response, received ? 200 : 404, received ? `OK - ${bytes.length}` : 'file_not_found');
      return;
    }
    if (path.startsWith('/api/sandbox/response/')) {
      const raw = (await readBody(request)).toString('utf8');
      const body = parseApiBody(raw, 'application/json');
      const answer = answerResponseUrl(this.state, path.slice(22), body);
      this.calls.push({ method: path, body, headers: { ...request.headers }, status: answer.status });
      sendText(response, answer.status, answer.text);
      return;
    }
    if (path === '/api/sandbox/act') {
      await this.act(request, response);
      return;
    }
    if (this.options.extraRoutes !== undefined && (await this.options.extraRoutes(request, response, path)))
      return;
    sendText(response, 404, 'not_found');
  }

  /** The signing proxy. JSON only: a cross-site form cannot post JSON without a CORS preflight. */
  private async act(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.options.proxy === undefined) {
      sendJson(response, 503, { ok: false, error: 'no bot to send to: start the sandbox with a bot URL' });
      return;
    }
    if (!request.headers['content-type']?.startsWith('application/json')) {
      sendJson(response, 415, { ok: false, error: 'send the action as application/json' });
      return;
    }
    const action = JSON.parse((await readBody(request, 1024 * 1024)).toString('utf8')) as unknown;
    if (!isRecord(action) || typeof action.user !== 'string' || typeof action.kind !== 'string') {
      sendJson(response, 400, { ok: false, error: 'an action needs "kind" and "user"' });
      return;
    }
    const result = await runPageAction(
      { ...this.options.proxy, state: this.state, origin: this.origin },
      action as unknown as PageAction,
    );
    sendJson(response, result.status, result.body);
  }

  private api(
    method: string,
    body: Record<string, unknown>,
    request: IncomingMessage,
    response: ServerResponse,
  ) {
    const call: SlackApiCall = { method, body, headers: { ...request.headers }, status: 200 };
    this.calls.push(call);
    const index = this.failures.findIndex((f) => f.method === undefined || f.method === method);
    const scripted = index === -1 ? undefined : this.failures.splice(index, 1)[0];
    if (scripted !== undefined && scripted.applied !== true) {
      this.fail(call, response, scripted);
      return;
    }
    const bearer = request.headers.authorization;
    const token = bearer?.startsWith('Bearer ') ? bearer.slice(7) : body.token;
    if (token !== this.token) {
      call.error = 'invalid_auth';
      sendJson(response, 200, { ok: false, error: 'invalid_auth' });
      return;
    }
    const handler = this.methods[method];
    if (handler === undefined) {
      call.status = 404;
      sendJson(response, 404, { ok: false, error: 'unknown_method' });
      return;
    }
    const answer = handler(this.context(body));
    if (scripted !== undefined) {
      // Applied, then the answer lost: what a timeout after Slack processed the call looks like.
      this.fail(call, response, scripted);
      return;
    }
    call.status = answer.status ?? 200;
    if (answer.body.ok === false) call.error = String(answer.body.error);
    sendJson(response, call.status, answer.body);
  }

  private context(body: Record<string, unknown>): ApiContext {
    return {
      state: this.state,
      body,
      origin: this.origin,
      userGroups: this.options.userGroups ?? {},
      strictTriggers: this.options.strictTriggers ?? false,
      triggerTtlMs: this.options.triggerTtlMs ?? 3000,
    };
  }

  private fail(call: SlackApiCall, response: ServerResponse, failure: ScriptedFailure): void {
    call.status = failure.status;
    if (failure.status === 429) {
      call.error = 'ratelimited';
      sendJson(
        response,
        429,
        { ok: false, error: 'ratelimited' },
        { 'Retry-After': String(failure.retryAfter ?? 1) },
      );
      return;
    }
    if (failure.status === 200) {
      call.error = failure.error ?? 'internal_error';
      sendJson(response, 200, { ok: false, error: call.error });
      return;
    }
    sendText(response, failure.status, 'upstream failure (scripted)');
  }
}

/** An upload's bytes: the first file of a multipart form (what @slack/web-api sends), else the raw body. */
async function uploadedBytes(request: IncomingMessage): Promise<Buffer> {
  const raw = await readBody(request);
  const contentType = request.headers['content-type'] ?? '';
  if (!contentType.startsWith('multipart/form-data')) return raw;
  const form = await new Response(raw, { headers: { 'Content-Type': contentType } }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  const first = form.values().next().value;
  return Buffer.from(typeof first === 'string' ? first : '');
}
