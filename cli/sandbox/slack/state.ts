import { randomBytes } from 'node:crypto';
import { compareTs } from './http.ts';

/**
 * What the sandbox's Slack workspace holds: channels, messages with every version they had,
 * threads, ephemeral messages per person, modals per person (a stack, as views.push builds),
 * each person's App Home, uploaded files, and the trigger ids and response URLs it minted.
 * The Web API methods, the response URLs and the page all read and change this one object.
 */
export interface SandboxChannel {
  /** e.g. `C0SANDBOX1` */
  id: string;
  /** without `#` */
  name: string;
}

export interface SandboxUser {
  /** e.g. `U0SANDBOXADM` */
  id: string;
  name: string;
  /** Shown in the user switcher; the bot's authorization configuration decides what it allows. */
  role?: string;
}

/** One version of a message: the first post, then each chat.update or replacement. */
export interface MessageVersion {
  text: string;
  blocks: unknown[];
  /** When this version was written (a Slack ts). */
  editedTs: string;
}

export interface SandboxFile {
  id: string;
  name: string;
  title: string;
  /** MIME type, from the file name. */
  mimetype: string;
  /** Slack's short type (`png`, `json`, `text` …). */
  filetype: string;
  size: number;
  bytes: Buffer;
  altText?: string;
  /** Set once files.completeUploadExternal shared it. */
  channel?: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  /** `{event_type, event_payload}` as posted. */
  metadata?: Record<string, unknown>;
  /** How many times it was changed (chat.update or a response URL's replace_original). */
  updates: number;
  /** Every version, oldest first; the last is the current one. */
  history: MessageVersion[];
  /** Files shared with the message. */
  files: SandboxFile[];
  /** Who posted it: the bot user, or the person whose answer went `in_channel`. */
  user: string;
}

/** An ephemeral message as chat.postEphemeral, a response URL or a command's ack produced it. */
export interface EphemeralMessage {
  /** `chat.postEphemeral`, the response URL's path, or `ack`. */
  via: string;
  user?: string;
  channel?: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  /** What a response URL was asked to do with the original message. */
  replaceOriginal?: boolean;
  responseType?: string;
}

/** A modal opened with views.open (kept for the automation contract and the tests). */
export interface OpenedView {
  triggerId: string;
  view: Record<string, unknown>;
}

/** A modal or Home tab as Slack keeps it: its id, hash, and every version it had. */
export interface ViewRecord {
  id: string;
  user: string;
  type: 'modal' | 'home';
  /** The view as the last views.* call set it, with Slack's fields (id, hash, state …). */
  current: Record<string, unknown>;
  history: Record<string, unknown>[];
  /** The modal under this one (views.push), as Slack's `previous_view_id`. */
  previousViewId: string | null;
  rootViewId: string;
  /** Field errors from the last `response_action: errors` ack, by block id. */
  errors: Record<string, string>;
  open: boolean;
}

export interface TriggerRecord {
  user: string;
  issuedMs: number;
  used: boolean;
}

/** Where a minted response URL's answers go. */
export interface ResponseTarget {
  user: string;
  channel: string;
  /** The message the click was on, for replace_original / delete_original. */
  messageTs?: string;
  /** The click was on an ephemeral message (index into ephemerals). */
  ephemeralTs?: string;
  uses: number;
  issuedMs: number;
}

export interface SlackStateOptions {
  /** When set, other channels answer `channel_not_found`. */
  channels?: readonly SandboxChannel[];
  users?: readonly SandboxUser[];
  teamId?: string;
  /** The bot user that posts. @default U0KUBEGUARD */
  botUserId?: string;
  /**
   * Milliseconds since the epoch for timestamps. When absent, message ts values start at a fixed
   * 1700000000 s and count up, so a test's `ts` values are predictable.
   */
  clock?: () => number;
}

export const BOT_USER_ID = 'U0KUBEGUARD';
export const BOT_ID = 'B0KUBEGUARD';
export const APP_ID = 'A0KUBEGUARD';

export class SlackState {
  readonly channels: readonly SandboxChannel[] | undefined;
  readonly users: readonly SandboxUser[];
  readonly teamId: string;
  readonly botUserId: string;
  /** Posted messages by `channel:ts`, with updates applied. */
  readonly messages = new Map<string, StoredMessage>();
  /** Ephemeral answers, in order. */
  readonly ephemerals: EphemeralMessage[] = [];
  /** Modals opened with views.open, in order. */
  readonly openedViews: OpenedView[] = [];
  /** Every modal and Home tab by view id. */
  readonly views = new Map<string, ViewRecord>();
  /** The Home tab's view id per user. */
  readonly homes = new Map<string, string>();
  /** The modal stack per user, bottom first. */
  readonly modalStacks = new Map<string, string[]>();
  readonly files = new Map<string, SandboxFile>();
  /** Direct-message channels conversations.open opened: channel id → the person. */
  readonly directMessages = new Map<string, string>();
  readonly triggers = new Map<string, TriggerRecord>();
  readonly responseTargets = new Map<string, ResponseTarget>();
  // Kept beside the records, whose shape the tests compare whole.
  private readonly ephemeralTimestamps = new WeakMap<EphemeralMessage, string>();
  /** Counts every change, so the page can poll cheaply. */
  version = 0;
  private readonly clock: (() => number) | undefined;
  private sequence = 0;
  private viewSequence = 0;

  constructor(options: SlackStateOptions = {}) {
    this.channels = options.channels;
    this.users = options.users ?? [];
    this.teamId = options.teamId ?? 'T0SANDBOX';
    this.botUserId = options.botUserId ?? BOT_USER_ID;
    this.clock = options.clock;
  }

  nowMs(): number {
    return this.clock?.() ?? Date.now();
  }

  /** A new, strictly increasing Slack ts (`seconds.micros`). */
  nextTs(): string {
    this.sequence += 1;
    const seconds = this.clock === undefined ? 1_700_000_000 : Math.floor(this.clock() / 1000);
    return `${seconds}.${String(this.sequence).padStart(6, '0')}`;
  }

  knowsChannel(channel: string | undefined): channel is string {
    if (channel === undefined) return false;
    return (
      this.channels === undefined ||
      this.channels.some((c) => c.id === channel) ||
      this.directMessages.has(channel)
    );
  }

  channelName(channel: string): string {
    const person = this.directMessages.get(channel);
    if (person !== undefined) return `@${this.user(person)?.name ?? person}`;
    return this.channels?.find((c) => c.id === channel)?.name ?? channel.toLowerCase();
  }

  /**
   * The bot's direct-message channel with a person (conversations.open): the same id every time,
   * `D` and the user id's rest, as Slack keeps one DM per pair. `opened` false when it existed.
   */
  openDirectMessage(user: string): { channel: string; opened: boolean } {
    const channel = `D${user.slice(1)}`;
    const opened = !this.directMessages.has(channel);
    if (opened) {
      this.directMessages.set(channel, user);
      this.changed();
    }
    return { channel, opened };
  }

  user(id: string): SandboxUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  changed(): void {
    this.version += 1;
  }

  post(input: {
    channel: string;
    text: string;
    blocks: unknown[];
    threadTs?: string;
    metadata?: Record<string, unknown>;
    files?: SandboxFile[];
    user?: string;
  }): StoredMessage {
    const ts = this.nextTs();
    const message: StoredMessage = {
      channel: input.channel,
      ts,
      text: input.text,
      blocks: input.blocks,
      updates: 0,
      history: [{ text: input.text, blocks: input.blocks, editedTs: ts }],
      files: input.files ?? [],
      user: input.user ?? this.botUserId,
      ...(input.threadTs === undefined ? {} : { threadTs: input.threadTs }),
      ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
    };
    this.messages.set(`${input.channel}:${ts}`, message);
    this.changed();
    return message;
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.get(`${channel}:${ts}`);
  }

  /** A new version of a message; fields left undefined keep their value. */
  update(message: StoredMessage, text: string | undefined, blocks: unknown[] | undefined): void {
    message.text = text ?? message.text;
    if (blocks !== undefined) message.blocks = blocks;
    message.updates += 1;
    message.history.push({ text: message.text, blocks: message.blocks, editedTs: this.nextTs() });
    this.changed();
  }

  deleteMessage(channel: string, ts: string): boolean {
    const deleted = this.messages.delete(`${channel}:${ts}`);
    if (deleted) this.changed();
    return deleted;
  }

  /** Records an ephemeral message; its ts (chat.postEphemeral's `message_ts`) is kept aside. */
  addEphemeral(message: EphemeralMessage, ts = this.nextTs()): string {
    this.ephemerals.push(message);
    this.ephemeralTimestamps.set(message, ts);
    this.changed();
    return ts;
  }

  ephemeralTs(message: EphemeralMessage): string {
    return this.ephemeralTimestamps.get(message) ?? '0';
  }

  /** Top-level messages (not thread replies), oldest first. */
  channelMessages(): StoredMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.threadTs === undefined)
      .sort((a, b) => compareTs(a.ts, b.ts));
  }

  /** A trigger id in Slack's shape (`seconds.number.hex`), valid for one views.open/push. */
  mintTrigger(user: string): string {
    const id = `${Math.floor(this.nowMs() / 1000)}.${this.sequence + 1}${randomDigits()}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(id, { user, issuedMs: this.nowMs(), used: false });
    return id;
  }

  mintResponseTarget(target: Omit<ResponseTarget, 'uses' | 'issuedMs'>): string {
    const id = randomBytes(12).toString('hex');
    this.responseTargets.set(id, { ...target, uses: 0, issuedMs: this.nowMs() });
    return id;
  }

  nextViewId(): string {
    this.viewSequence += 1;
    return `V0SBX${String(this.viewSequence).padStart(6, '0')}`;
  }

  /** The modal a person sees: the top of their stack. */
  topModal(user: string): ViewRecord | undefined {
    const stack = this.modalStacks.get(user) ?? [];
    const id = stack[stack.length - 1];
    return id === undefined ? undefined : this.views.get(id);
  }

  /** Closes a person's modals (the page's Close, or `response_action: clear`). */
  closeModals(user: string): void {
    for (const id of this.modalStacks.get(user) ?? []) {
      const record = this.views.get(id);
      if (record !== undefined) record.open = false;
    }
    this.modalStacks.set(user, []);
    this.changed();
  }

  /** Closes the top modal only (a submission that answers nothing closes the top view). */
  popModal(user: string): void {
    const stack = this.modalStacks.get(user) ?? [];
    const id = stack.pop();
    const record = id === undefined ? undefined : this.views.get(id);
    if (record !== undefined) record.open = false;
    this.changed();
  }

  reset(): void {
    this.messages.clear();
    this.ephemerals.length = 0;
    this.openedViews.length = 0;
    this.views.clear();
    this.homes.clear();
    this.modalStacks.clear();
    this.files.clear();
    this.triggers.clear();
    this.responseTargets.clear();
    this.changed();
  }
}

function randomDigits(): string {
  return String(randomBytes(4).readUInt32BE(0)).padStart(10, '0');
}
