import * as z from 'zod/mini';
import { AUDIT_SOURCES } from '../audit-trail/record.ts';
import { InvalidEventError } from '../errors.ts';
import { SEVERITIES } from '../model/severity.ts';

/**
 * What the ingress hands the action worker through the queue: one request, validated when it is
 * read back (the queue is a process boundary). `kind` picks the worker's handler
 * (core/chatops/worker.ts `WORKER_HANDLERS`); a new command or button adds a kind here, its
 * arguments' schema, and a handler there.
 */

/** Lower-case hex: a whole fingerprint (32) or a prefix of at least 8 typed by a person. */
const findingRef = z.string().check(z.regex(/^[0-9a-f]{8,32}$/, 'must be 8 to 32 hex digits'));
const shortText = (max: number) => z.string().check(z.maxLength(max));

const kinds = {
  ack: z.object({ finding: findingRef, reason: z.optional(shortText(500)) }),
  suppress: z.object({
    finding: findingRef,
    minutes: z.int().check(z.gte(1), z.lte(60 * 24 * 30)),
    reason: z.optional(shortText(500)),
  }),
  findings: z.object({
    scope: z.enum(['open', 'all']),
    cluster: z.optional(shortText(100)),
    severity: z.optional(z.enum(SEVERITIES)),
  }),
  status: z.object({}),
  /** A reply that needs no work, only a Slack call (a denial explained to a click). */
  reply: z.object({ text: shortText(3000) }),
  /** Publish the person's App Home tab (core/chatops/handlers/home.ts); who it is for is the actor. */
  home: z.object({}),
} as const;

export type ActionKind = keyof typeof kinds;
export const ACTION_KINDS = Object.keys(kinds) as ActionKind[];
export type ActionArgs<K extends ActionKind> = z.output<(typeof kinds)[K]>;

const common = {
  /** Format version of the message. */
  v: z.literal(1),
  /** Stable per request: a retried or redelivered request keeps it (core/chatops/idempotency.ts). */
  requestId: z.string().check(z.regex(/^r-[0-9a-f]{16}$/)),
  source: z.enum(AUDIT_SOURCES),
  /** ISO-8601, when the ingress accepted it. */
  receivedAt: z.iso.datetime({ offset: true }),
  actor: z.object({
    userId: z.string().check(z.regex(/^[UW][A-Z0-9]{2,30}$/)),
    teamId: z.optional(z.string().check(z.regex(/^[TE][A-Z0-9]{2,30}$/))),
    /** The configured user groups the person belonged to when the ingress checked. */
    groups: z.array(z.string().check(z.regex(/^S[A-Z0-9]{2,30}$/))),
  }),
  /** Where the answer goes (core/chatops/ports.ts ReplyTarget). */
  reply: z.object({
    channelId: z.optional(z.string().check(z.regex(/^[CGD][A-Z0-9]{2,30}$/))),
    responseUrl: z.optional(z.string().check(z.maxLength(500), z.regex(/^https?:\/\//))),
  }),
};

const requestSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('ack'), args: kinds.ack }),
  z.object({ ...common, kind: z.literal('suppress'), args: kinds.suppress }),
  z.object({ ...common, kind: z.literal('findings'), args: kinds.findings }),
  z.object({ ...common, kind: z.literal('status'), args: kinds.status }),
  z.object({ ...common, kind: z.literal('reply'), args: kinds.reply }),
  z.object({ ...common, kind: z.literal('home'), args: kinds.home }),
]);

export type QueuedRequest = z.output<typeof requestSchema>;
export type QueuedRequestOf<K extends ActionKind> = Extract<QueuedRequest, { kind: K }>;
/** What a command, button or form asks the worker to do, before the ingress adds who and where. */
export type ActionBody = { [K in ActionKind]: { kind: K; args: ActionArgs<K> } }[ActionKind];

/** Parses a queue message body; InvalidEventError naming the field when it is not a request. */
export function decodeQueuedRequest(body: string): QueuedRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    throw new InvalidEventError(`queued request is not JSON (${body.length} bytes)`, { cause: error });
  }
  const result = requestSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where =
      issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    throw new InvalidEventError(`queued request is invalid at ${where}: ${issue?.message ?? 'unknown'}`, {
      details: { field: where },
    });
  }
  return result.data;
}

/** The body a queue carries for a request (validated first, so nothing invalid is queued). */
export function encodeQueuedRequest(request: QueuedRequest): string {
  const body = JSON.stringify(request);
  decodeQueuedRequest(body);
  return body;
}
