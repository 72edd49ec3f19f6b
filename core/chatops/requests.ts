import { AUDIT_SOURCES } from '../audit-trail/record.ts';
import { InvalidEventError } from '../errors.ts';
import { FRAMEWORKS } from '../evidence-pack/model.ts';
import { SEVERITIES } from '../model/severity.ts';
import * as z from '../zod.ts';

/**
 * What the ingress hands the action worker through the queue: one request, validated when it is
 * read back (the queue is a process boundary). `kind` picks the worker's handler
 * (core/chatops/worker.ts `WORKER_HANDLERS`); a new command or button adds a kind here, its
 * arguments' schema, and a handler there.
 */

/** Lower-case hex: a whole fingerprint (32) or a prefix of at least 8 typed by a person. */
const findingRef = z.string().check(z.regex(/^[0-9a-f]{8,32}$/, 'must be 8 to 32 hex digits'));
const fingerprint = z.string().check(z.regex(/^[0-9a-f]{32}$/, 'must be a whole fingerprint'));
const requestId = z.string().check(z.regex(/^r-[0-9a-f]{16}$/));

/** The remediations the bot plans and runs (core/remediation/action.ts ActionId). */
export const REMEDIATION_ACTIONS = ['isolate-pod', 'release-pod', 'rotate-secret'] as const;
export type RemediationActionId = (typeof REMEDIATION_ACTIONS)[number];
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
  /** A posture audit on demand (core/chatops/handlers/audit.ts); `thread` = the alert it was asked from. */
  audit: z.object({
    cluster: shortText(100),
    /** The alert's finding (Run audit): the audit keeps to its namespace when it has one. */
    finding: z.optional(findingRef),
    namespace: z.optional(shortText(63)),
    thread: z.optional(z.object({ channel: shortText(30), ts: shortText(30) })),
  }),
  /** A page of a stored audit report in a modal: the loading modal's external id, or a shown modal's id. */
  'audit-details': z.object({
    ref: shortText(300),
    page: z.int().check(z.gte(1), z.lte(1000)),
    view: z.union([z.object({ externalId: shortText(255) }), z.object({ id: shortText(255) })]),
  }),
  /**
   * Admission policies from a stored audit report (core/chatops/handlers/policies.ts): the report's
   * reference, the engine and mode chosen in the form, and the summary's thread the reply goes to.
   */
  policies: z.object({
    ref: shortText(300),
    engine: z.enum(['vap', 'kyverno']),
    mode: z.enum(['warn', 'deny']),
    thread: z.optional(z.object({ channel: shortText(30), ts: shortText(30) })),
  }),
  /**
   * Prepare a remediation's dry-run plan (core/chatops/handlers/remediation-plan.ts) and show it in
   * the planning modal the ingress opened (its external id is `view`). The target is a finding
   * (the pod or secret it names) or what a command or the Release button names.
   */
  plan: z.object({
    action: z.enum(REMEDIATION_ACTIONS),
    view: shortText(255),
    cluster: z.optional(shortText(100)),
    finding: z.optional(fingerprint),
    namespace: z.optional(shortText(63)),
    pod: z.optional(shortText(253)),
    quarantineId: z.optional(shortText(40)),
    /** A Secrets Manager secret name or ARN. */
    secret: z.optional(shortText(2048)),
  }),
  /** Run the plan stored under request `plan`, confirmed with `reason` (remediation-execute.ts). */
  execute: z.object({
    action: z.enum(REMEDIATION_ACTIONS),
    plan: requestId,
    reason: shortText(2000),
    /** The confirmation modal's view id: it stays open and shows the result. */
    view: z.optional(shortText(255)),
  }),
  /**
   * Approve or deny the plan stored under request `plan`, which waits for a second person
   * (core/chatops/handlers/remediation-approval.ts); an approval runs exactly that plan.
   */
  approve: z.object({ plan: requestId }),
  deny: z.object({ plan: requestId }),
  /**
   * A digest subscription change or a preview (core/chatops/handlers/digest.ts). `home`: asked from
   * the App Home, which is published again once the change is made.
   */
  digest: z.object({
    op: z.enum(['subscribe', 'unsubscribe', 'list', 'preview']),
    frequency: z.optional(z.enum(['weekly', 'daily'])),
    cluster: z.optional(shortText(100)),
    target: z.optional(
      z.union([
        z.object({ kind: z.literal('dm'), user: z.string().check(z.regex(/^[UW][A-Z0-9]{2,30}$/)) }),
        z.object({ kind: z.literal('channel'), channel: z.string().check(z.regex(/^[CG][A-Z0-9]{2,30}$/)) }),
      ]),
    ),
    /** A subscription id or a prefix of it (6+ hex), as `list` shows it. */
    id: z.optional(z.string().check(z.regex(/^[0-9a-f]{6,24}$/))),
    home: z.optional(z.boolean()),
  }),
  /**
   * A compliance evidence pack (core/chatops/handlers/evidence.ts): one cluster or every cluster
   * (absent), days `from`..`to` both included (YYYY-MM-DD, UTC; absent = the previous calendar
   * month, resolved by the worker's clock), the frameworks whose summaries it holds.
   */
  evidence: z.object({
    cluster: z.optional(shortText(100)),
    from: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/))),
    to: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/))),
    frameworks: z.array(z.enum(FRAMEWORKS)).check(z.minLength(1), z.maxLength(FRAMEWORKS.length)),
  }),
} as const;

export type ActionKind = keyof typeof kinds;
export const ACTION_KINDS = Object.keys(kinds) as ActionKind[];
export type ActionArgs<K extends ActionKind> = z.output<(typeof kinds)[K]>;

const common = {
  /** Format version of the message. */
  v: z.literal(1),
  /** Stable per request: a retried or redelivered request keeps it (core/chatops/idempotency.ts). */
  requestId,
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
  z.object({ ...common, kind: z.literal('audit'), args: kinds.audit }),
  z.object({ ...common, kind: z.literal('audit-details'), args: kinds['audit-details'] }),
  z.object({ ...common, kind: z.literal('policies'), args: kinds.policies }),
  z.object({ ...common, kind: z.literal('plan'), args: kinds.plan }),
  z.object({ ...common, kind: z.literal('execute'), args: kinds.execute }),
  z.object({ ...common, kind: z.literal('approve'), args: kinds.approve }),
  z.object({ ...common, kind: z.literal('deny'), args: kinds.deny }),
  z.object({ ...common, kind: z.literal('digest'), args: kinds.digest }),
  z.object({ ...common, kind: z.literal('evidence'), args: kinds.evidence }),
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
