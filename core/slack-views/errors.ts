import { asKubeguardError, type ErrorCode } from '../errors.ts';
import { mrkdwn, type SlackMessage } from './blocks.ts';
import { listed, personText, userGroupMention } from './format.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * The one place a failure becomes words in Slack: each typed error code (core/errors.ts) maps to
 * what happened and what to do next. The error's message follows when it helps — one line,
 * escaped, with anything that looks like a credential replaced and nothing after a stack frame;
 * an INTERNAL error (anything kubeguard did not type) shows no message at all, only the request
 * id under which the logs hold the details. `details` and `cause` never reach Slack.
 */

interface ErrorWords {
  heading: string;
  /** Whether the error's own message (which names the value and the fix) is shown. */
  showMessage: boolean;
  next?: string;
}

const ERROR_WORDS: Readonly<Record<ErrorCode, ErrorWords>> = {
  INVALID_ARGUMENT: {
    heading: 'That request is not valid',
    showMessage: true,
    next: 'Check the value and try again; `/k8s help` lists the commands and their arguments.',
  },
  NOT_FOUND: {
    heading: 'Not found',
    showMessage: true,
    next: 'It may have been deleted or replaced since the alert was posted.',
  },
  FORBIDDEN: {
    heading: 'kubeguard itself was refused',
    showMessage: true,
    next: "kubeguard's own Kubernetes role or IAM policy lacks a permission: an admin can compare them with deploy/kubernetes/rbac.yaml and the deployed stack.",
  },
  CONFLICT: {
    heading: 'Someone else changed it at the same time',
    showMessage: true,
    next: 'Look at its current state, then try again.',
  },
  PRECONDITION_FAILED: {
    heading: 'The cluster is not in the state this needs',
    showMessage: true,
    next: 'Plan the action again against what exists now.',
  },
  UPSTREAM: {
    heading: 'A service kubeguard depends on failed',
    showMessage: true,
    next: 'Try again in a minute; if it keeps failing, an admin can check that service.',
  },
  RATE_LIMITED: {
    heading: 'Too many requests right now',
    showMessage: false,
    next: 'Try again in a minute.',
  },
  UNSUPPORTED: { heading: 'Not supported', showMessage: true },
  LIMIT_EXCEEDED: { heading: 'Too large to handle', showMessage: true },
  INVALID_CONFIG: {
    heading: "kubeguard's configuration is not valid",
    showMessage: true,
    next: "An admin must fix kubeguard's configuration.",
  },
  INVALID_EVENT: { heading: 'An event could not be read', showMessage: true },
  INTERNAL: {
    heading: 'Something went wrong inside kubeguard',
    showMessage: false,
    next: "An admin can find the details in kubeguard's logs.",
  },
};

export interface ErrorTextOptions {
  /** The request id the logs and the audit trail carry, so an admin can find the details. */
  requestId?: string;
}

const MESSAGE_CAP = 600;

/**
 * The error as mrkdwn: heading, the message when it helps, what to do, the request reference.
 * Takes anything thrown, or an outcome's recorded `{code, message}` (core/remediation OutcomeError).
 */
export function describeError(error: unknown, options: ErrorTextOptions = {}): string {
  const { code, message } = errorParts(error);
  const words = ERROR_WORDS[code];
  const lines = [`*${words.heading}.*`];
  const shown = words.showMessage ? safeErrorMessage(message) : '';
  if (shown !== '') lines[0] += ` ${untrustedText(shown, MESSAGE_CAP)}`;
  const tail = [
    words.next,
    options.requestId === undefined ? undefined : `Reference: ${codeSpan(options.requestId, 140)}`,
  ].filter((part) => part !== undefined);
  if (tail.length > 0) lines.push(tail.join(' '));
  return lines.join('\n');
}

function errorParts(error: unknown): { code: ErrorCode; message: string } {
  if (!(error instanceof Error) && typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && Object.hasOwn(ERROR_WORDS, code) && typeof message === 'string') {
      return { code: code as ErrorCode, message };
    }
  }
  const normalized = asKubeguardError(error);
  return {
    code: Object.hasOwn(ERROR_WORDS, normalized.code) ? normalized.code : 'INTERNAL',
    message: normalized.message,
  };
}

/** An ephemeral reply for a failed command, click or submission. */
export function errorReply(error: unknown, options: ErrorTextOptions = {}): SlackMessage {
  const text = describeError(error, options);
  return { text: fallback(text), blocks: [{ type: 'section', block_id: 'error', text: mrkdwn(text) }] };
}

/**
 * The message's first paragraph before any stack frame, with credentials replaced: a Slack
 * token, an AWS access key id, a bearer token, a JWT, a private key, a URL's user:password, and
 * the value after `password=`, `secret:` and the like.
 */
export function safeErrorMessage(message: string): string {
  const beforeStack = message.split(/\r?\n\s*at\s/, 1)[0] ?? '';
  return beforeStack
    .replace(
      /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
      '[private key]',
    )
    .replace(/\bxox[a-z]-[A-Za-z0-9-]+/g, '[Slack token]')
    .replace(/\bxapp-[A-Za-z0-9-]+/g, '[Slack token]')
    .replace(/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, '[AWS access key]')
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [token]')
    .replace(/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, '[token]')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, '$1[credentials]@')
    .replace(
      /\b(password|passwd|secret[_-]?access[_-]?key|secret|token|api[_-]?key|client[_-]?secret)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;]+)/gi,
      '$1$2[redacted]',
    )
    .trim();
}

// ---- authorization denials ----

export interface DenialInput {
  /** What was asked, in kubeguard's words: `isolate a pod`, `acknowledge a finding`. */
  what: string;
  /** The role needed (`viewer`, `responder`, `admin`). */
  needed: string;
  /** The cluster it was needed on; absent for a request about no single cluster. */
  cluster?: string;
  /** Needed on any one cluster (a request whose cluster was not known yet), not on every one. */
  anyCluster?: boolean;
  /** The highest role the person holds there, if any. */
  held?: string;
  /** Clusters where the person does hold the needed role. */
  heldOn: readonly string[];
  /** Whom a denial names: the configured admins (core/authz adminsOf). */
  admins: { users: readonly string[]; userGroups: readonly string[] };
  /** The configured contact (a channel, a team, a person), shown after the admins. */
  contact?: string;
}

const MAX_NAMED = 5;

/**
 * "You need the responder role to isolate a pod on cluster `prod` — ask an admin (@ana, @sec-leads)."
 * then what the person does hold, so they know whether to ask or to pick another cluster.
 */
export function denialMessage(denial: DenialInput): SlackMessage {
  const where =
    denial.cluster !== undefined
      ? ` on cluster ${codeSpan(denial.cluster, 120)}`
      : denial.anyCluster === true
        ? ' on at least one cluster'
        : ' on every cluster';
  const lines = [
    `You need the *${untrustedText(denial.needed, 20)}* role to ${untrustedText(denial.what, 120)}${where} — ${askText(denial)}.`,
  ];
  const has: string[] = [];
  if (denial.held !== undefined) {
    has.push(
      `You have the ${untrustedText(denial.held, 20)} role ${denial.cluster === undefined ? 'on some clusters' : 'there'}.`,
    );
  }
  if (denial.heldOn.length > 0) {
    const clusters = denial.heldOn.slice(0, MAX_NAMED).map((c) => codeSpan(c, 120));
    const more = denial.heldOn.length > MAX_NAMED ? ` and ${denial.heldOn.length - MAX_NAMED} more` : '';
    has.push(
      `You do hold it on ${denial.heldOn.length === 1 ? 'cluster' : 'clusters'} ${listed(clusters)}${more}.`,
    );
  }
  if (has.length > 0) lines.push(has.join(' '));
  const text = lines.join('\n');
  return { text: fallback(text), blocks: [{ type: 'section', block_id: 'denial', text: mrkdwn(text) }] };
}

const CONTACT_MENTION = /^<(?:#C[A-Z0-9]{2,30}|@[UW][A-Z0-9]{2,30}|!subteam\^S[A-Z0-9]{2,30})>$/;

function askText(denial: DenialInput): string {
  const people = [
    ...denial.admins.users.map(personText),
    ...denial.admins.userGroups.flatMap((id) => userGroupMention(id) ?? []),
  ];
  const shown = people.slice(0, MAX_NAMED);
  const more = people.length > MAX_NAMED ? ` and ${people.length - MAX_NAMED} more` : '';
  const contact =
    denial.contact === undefined || denial.contact.trim() === ''
      ? undefined
      : CONTACT_MENTION.test(denial.contact)
        ? denial.contact
        : untrustedText(denial.contact, 200);
  if (shown.length === 0) return contact === undefined ? 'ask a kubeguard admin' : `ask ${contact}`;
  const admins = `ask an admin (${shown.join(', ')}${more})`;
  return contact === undefined ? admins : `${admins} or ${contact}`;
}

/**
 * The notification text: the mrkdwn without its markup (mentions stay, they are what notifies).
 * Everything in it was escaped for the blocks already.
 */
function fallback(text: string): string {
  return text.replace(/[*`]/g, '').replace(/\n/g, ' ');
}
