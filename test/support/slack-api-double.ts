import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 that speaks the Slack Web API methods kubeguard calls
 * (chat.postMessage with message metadata, chat.update, conversations.history), the way slack.com
 * does: HTTP 200 with `{ok:false,error}` for API errors, 429 + Retry-After when rate limited.
 * Messages can be deleted as a person would, and an answer can be lost after the call took effect.
 * Point @slack/web-api at `slackApiUrl`.
 */
export interface SlackApiCall {
  /** Web API method, e.g. `chat.postMessage`. */
  method: string;
  /** The body, parsed from form-urlencoded or JSON; `blocks`/`attachments` JSON strings are parsed too. */
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** The HTTP status the double answered with. */
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
  /**
   * The call takes effect (a post is stored) and only its answer is the failure: what a timeout or a
   * connection lost after Slack processed the request looks like to the caller.
   */
  applied?: boolean;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  /** `{event_type, event_payload}` as posted. */
  metadata?: Record<string, unknown>;
  updates: number;
}

/** An ephemeral message as chat.postEphemeral or a response URL received it. */
export interface EphemeralMessage {
  /** `chat.postEphemeral`, or the response URL's path (`/hooks/commands/T1/1/x`). */
  via: string;
  user?: string;
  channel?: string;
  text: string;
  blocks: unknown[];
  /** What a response URL was asked to do with the original message. */
  replaceOriginal?: boolean;
  responseType?: string;
}

/** A modal opened with views.open. */
export interface OpenedView {
  triggerId: string;
  view: Record<string, unknown>;
}

export interface SlackApiDoubleOptions {
  /** The bot token the double accepts. */
  token: string;
  /** Members of each user group, for usergroups.users.list (others answer `no_such_subteam`). */
  userGroups?: Readonly<Record<string, readonly string[]>>;
  /** When set, any other channel answers `channel_not_found`. */
  channels?: readonly string[];
  /**
   * Milliseconds since the epoch for message timestamps (`ts`), e.g. a test's manual clock.
   * @default a fixed 1700000000 s, so `ts` values are predictable
   */
  clock?: () => number;
}

export class SlackApiDouble {
  readonly token: string;
  readonly calls: SlackApiCall[] = [];
  /** Posted messages by `channel:ts`, with updates applied. */
  readonly messages = new Map<string, StoredMessage>();
  /** Ephemeral answers, by chat.postEphemeral and through response URLs (`/hooks/…`), in order. */
  readonly ephemerals: EphemeralMessage[] = [];
  /** Modals opened with views.open. */
  readonly openedViews: OpenedView[] = [];
  private readonly userGroups: Readonly<Record<string, readonly string[]>>;
  private readonly channels: ReadonlySet<string> | undefined;
  private readonly clock: (() => number) | undefined;
  private readonly server: Server;
  private failures: ScriptedFailure[] = [];
  private sequence = 0;
  private port = 0;

  constructor(options: SlackApiDoubleOptions) {
    this.token = options.token;
    this.channels = options.channels === undefined ? undefined : new Set(options.channels);
    this.clock = options.clock;
    this.userGroups = options.userGroups ?? {};
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
  }

  /** A response URL served by the double, as Slack puts one in a command or click (`/hooks/…`). */
  responseUrl(path = 'commands/T111/111/xxxxx'): string {
    return `http://127.0.0.1:${this.port}/hooks/${path}`;
  }

  /** Base URL to pass as @slack/web-api `slackApiUrl` (ends in `/api/`). */
  get url(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
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
    if (!this.messages.delete(`${channel}:${ts}`)) throw new Error(`no message ${channel}:${ts} to delete`);
  }

  /** Top-level messages (not thread replies) currently in the channels, oldest first. */
  channelMessages(): StoredMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.threadTs === undefined)
      .sort((a, b) => compareTs(a.ts, b.ts));
  }

  /** Bodies of successful calls to one method. */
  successful(method: string): Record<string, unknown>[] {
    return this.calls
      .filter((c) => c.method === method && c.status === 200 && c.error === undefined)
      .map((c) => c.body);
  }

  reset(): void {
    this.calls.length = 0;
    this.messages.clear();
    this.ephemerals.length = 0;
    this.openedViews.length = 0;
    this.failures = [];
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const raw = await readBody(request);
    const body = parseBody(raw, request.headers['content-type']);
    if (method.startsWith('/hooks/')) {
      this.respondUrl(method, body, request, response);
      return;
    }
    const call: SlackApiCall = { method, body, headers: { ...request.headers }, status: 200 };
    this.calls.push(call);
    const index = this.failures.findIndex((f) => f.method === undefined || f.method === method);
    const scripted = index === -1 ? undefined : this.failures.splice(index, 1)[0];
    if (scripted !== undefined && scripted.applied !== true) {
      this.fail(call, response, scripted);
      return;
    }
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      this.answerError(call, response, 'invalid_auth');
      return;
    }
    // An answer lost after the call took effect: apply it, then answer with the failure instead.
    const answer = scripted === undefined ? response : discardingResponse();
    if (method === 'chat.postMessage') this.postMessage(call, answer);
    else if (method === 'chat.update') this.update(call, answer);
    else if (method === 'conversations.history') this.history(call, answer);
    else if (method === 'chat.postEphemeral') this.postEphemeral(call, answer);
    else if (method === 'views.open') this.openView(call, answer);
    else if (method === 'usergroups.users.list') this.userGroupMembers(call, answer);
    else {
      call.status = 404;
      send(response, 404, { ok: false, error: 'unknown_method' });
      return;
    }
    if (scripted !== undefined) {
      call.error = undefined;
      this.fail(call, response, scripted);
    }
  }

  private fail(call: SlackApiCall, response: ServerResponse, failure: ScriptedFailure): void {
    call.status = failure.status;
    if (failure.status === 429) {
      call.error = 'ratelimited';
      send(
        response,
        429,
        { ok: false, error: 'ratelimited' },
        { 'Retry-After': String(failure.retryAfter ?? 1) },
      );
      return;
    }
    if (failure.status === 200) {
      this.answerError(call, response, failure.error ?? 'internal_error');
      return;
    }
    response.writeHead(failure.status, { 'Content-Type': 'text/plain' });
    response.end('upstream failure (scripted)');
  }

  private answerError(call: SlackApiCall, response: ServerResponse, error: string): void {
    call.error = error;
    send(response, 200, { ok: false, error });
  }

  private postMessage(call: SlackApiCall, response: ServerResponse): void {
    const channel = stringField(call.body, 'channel');
    if (channel === undefined || (this.channels !== undefined && !this.channels.has(channel))) {
      this.answerError(call, response, 'channel_not_found');
      return;
    }
    const text = stringField(call.body, 'text') ?? '';
    const blocks = Array.isArray(call.body.blocks) ? call.body.blocks : [];
    if (text === '' && blocks.length === 0) {
      this.answerError(call, response, 'no_text');
      return;
    }
    this.sequence += 1;
    const seconds = this.clock === undefined ? 1_700_000_000 : Math.floor(this.clock() / 1000);
    const ts = `${seconds}.${String(this.sequence).padStart(6, '0')}`;
    const threadTs = stringField(call.body, 'thread_ts');
    const metadata = call.body.metadata;
    this.messages.set(`${channel}:${ts}`, {
      channel,
      ts,
      text,
      blocks,
      updates: 0,
      ...(threadTs === undefined ? {} : { threadTs }),
      ...(isRecord(metadata) ? { metadata } : {}),
    });
    send(response, 200, { ok: true, channel, ts, message: { type: 'message', text, blocks, ts } });
  }

  private update(call: SlackApiCall, response: ServerResponse): void {
    const channel = stringField(call.body, 'channel') ?? '';
    const ts = stringField(call.body, 'ts') ?? '';
    const stored = this.messages.get(`${channel}:${ts}`);
    if (stored === undefined) {
      this.answerError(call, response, 'message_not_found');
      return;
    }
    stored.text = stringField(call.body, 'text') ?? stored.text;
    if (Array.isArray(call.body.blocks)) stored.blocks = call.body.blocks;
    stored.updates += 1;
    send(response, 200, { ok: true, channel, ts, text: stored.text });
  }

  /**
   * A response URL (`POST /hooks/…` with JSON), as Slack serves them: no token, `ok` as plain text,
   * 404 `expired_url` once a URL was used five times (Slack's documented limit).
   */
  private respondUrl(
    path: string,
    body: Record<string, unknown>,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    const call: SlackApiCall = { method: path, body, headers: { ...request.headers }, status: 200 };
    this.calls.push(call);
    const used = this.ephemerals.filter((e) => e.via === path).length;
    if (used >= 5) {
      call.status = 404;
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('expired_url');
      return;
    }
    this.ephemerals.push({
      via: path,
      text: stringField(body, 'text') ?? '',
      blocks: Array.isArray(body.blocks) ? body.blocks : [],
      ...(typeof body.replace_original === 'boolean' ? { replaceOriginal: body.replace_original } : {}),
      ...(typeof body.response_type === 'string' ? { responseType: body.response_type } : {}),
    });
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end('ok');
  }

  private postEphemeral(call: SlackApiCall, response: ServerResponse): void {
    const channel = stringField(call.body, 'channel');
    const user = stringField(call.body, 'user');
    if (channel === undefined || (this.channels !== undefined && !this.channels.has(channel))) {
      this.answerError(call, response, 'channel_not_found');
      return;
    }
    if (user === undefined) {
      this.answerError(call, response, 'user_not_found');
      return;
    }
    this.ephemerals.push({
      via: 'chat.postEphemeral',
      user,
      channel,
      text: stringField(call.body, 'text') ?? '',
      blocks: Array.isArray(call.body.blocks) ? call.body.blocks : [],
    });
    send(response, 200, { ok: true, message_ts: `${1_700_000_000 + this.ephemerals.length}.000100` });
  }

  private openView(call: SlackApiCall, response: ServerResponse): void {
    const triggerId = stringField(call.body, 'trigger_id');
    const view =
      typeof call.body.view === 'string' ? (JSON.parse(call.body.view) as unknown) : call.body.view;
    if (triggerId === undefined) {
      this.answerError(call, response, 'invalid_trigger_id');
      return;
    }
    if (!isRecord(view)) {
      this.answerError(call, response, 'invalid_arguments');
      return;
    }
    this.openedViews.push({ triggerId, view });
    send(response, 200, {
      ok: true,
      view: { id: `V${String(this.openedViews.length).padStart(8, '0')}`, ...view },
    });
  }

  private userGroupMembers(call: SlackApiCall, response: ServerResponse): void {
    const group = stringField(call.body, 'usergroup') ?? '';
    const members = this.userGroups[group];
    if (members === undefined) {
      this.answerError(call, response, 'no_such_subteam');
      return;
    }
    send(response, 200, { ok: true, users: [...members] });
  }

  /**
   * conversations.history: top-level messages of a channel id, newest first, after `oldest`
   * (exclusive), `limit` per page with a `next_cursor`; metadata only with `include_all_metadata`.
   */
  private history(call: SlackApiCall, response: ServerResponse): void {
    const channel = stringField(call.body, 'channel') ?? '';
    if (!/^[CGD][A-Z0-9]+$/.test(channel) || (this.channels !== undefined && !this.channels.has(channel))) {
      this.answerError(call, response, 'channel_not_found');
      return;
    }
    const oldest = stringField(call.body, 'oldest') ?? '0';
    const limit = Math.min(999, Number(stringField(call.body, 'limit') ?? '100'));
    const offset = Number(stringField(call.body, 'cursor') ?? '0');
    const withMetadata = ['true', '1'].includes(String(call.body.include_all_metadata));
    const all = [...this.messages.values()]
      .filter((m) => m.channel === channel && m.threadTs === undefined && compareTs(m.ts, oldest) > 0)
      .sort((a, b) => compareTs(b.ts, a.ts));
    const page = all.slice(offset, offset + limit);
    const hasMore = offset + limit < all.length;
    send(response, 200, {
      ok: true,
      messages: page.map((m) => ({
        type: 'message',
        ts: m.ts,
        text: m.text,
        ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
      })),
      has_more: hasMore,
      response_metadata: { next_cursor: hasMore ? String(offset + limit) : '' },
    });
  }
}

/** Orders Slack timestamps (`seconds.micros`) numerically. */
function compareTs(a: string, b: string): number {
  return Number(a) - Number(b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A response stand-in for a call whose real answer is replaced by a scripted failure. */
function discardingResponse(): ServerResponse {
  return { writeHead: () => undefined, end: () => undefined } as unknown as ServerResponse;
}

/** Starts a double on a random loopback port. */
export async function startSlackApiDouble(options: SlackApiDoubleOptions): Promise<SlackApiDouble> {
  return new SlackApiDouble(options).start();
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** @slack/web-api sends form-urlencoded bodies with nested values as JSON strings; Bolt may send JSON. */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  const body: Record<string, unknown> = contentType?.startsWith('application/json')
    ? (JSON.parse(raw) as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
  for (const key of ['blocks', 'attachments', 'metadata']) {
    const value = body[key];
    if (typeof value === 'string' && value !== '') body[key] = JSON.parse(value);
  }
  return body;
}

function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function send(
  response: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(payload));
}
