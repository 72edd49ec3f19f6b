import { createHash } from 'node:crypto';
import type { AuditTrailStore } from '../audit-trail/ports.ts';
import {
  type AuditRecord,
  type AuditRecordType,
  type AuditSource,
  auditRecordId,
  boundedRecord,
} from '../audit-trail/record.ts';
import { authorize, type Decision, type Requirement, userGroupsToCheck } from '../authz/policy.ts';
import type { KubeguardConfig } from '../config/schema.ts';
import { asKubeguardError, KubeguardError } from '../errors.ts';
import type { ModalView } from '../slack-views/blocks.ts';
import { BUTTONS, type ButtonPlan, type ButtonSpec } from './buttons.ts';
import type { CommandPlan, CommandSpec, RequestScope } from './commands/command.ts';
import { COMMANDS, findCommand, planCommand } from './commands/registry.ts';
import { FORMS, type FormPlan, type FormSpec, type FormValues } from './forms.ts';
import {
  buttonKey,
  clickKey,
  commandKey,
  DOUBLE_CLICK_SECONDS,
  eventKey,
  REQUEST_KEY_SECONDS,
  requestIdOf,
  viewSubmissionKey,
} from './idempotency.ts';
import type { ActionQueue, ChatopsLog, ClaimStore, SlackViews, UserGroupDirectory } from './ports.ts';
import { denialReply, errorReply, type SlackReply, textReply } from './replies.ts';
import type { ActionBody, QueuedRequest } from './requests.ts';

/**
 * The Slack ingress: what every Bolt listener runs, after the signature was verified and before it
 * acknowledges (docs/slack-bot.md; decisions D34–D36). For a command, a click or a form submission it claims the
 * request's idempotency key, authorizes the person for what the request needs, records the request
 * (or the denial) in the audit trail, and queues the work for the action worker — then the listener
 * acks. Nothing slow happens here: at most a few single-item writes, one queue message, a cached
 * user-group lookup, and `views.open` for a button that opens a form (its trigger lives 3 seconds).
 * Answers that need no work (help, a denial, a bad argument) go back in the ack of a command; for a
 * click they are queued as a `reply` so the listener never waits on Slack.
 */
export interface IngressDeps {
  config: KubeguardConfig;
  claims: ClaimStore;
  queue: ActionQueue;
  trail: AuditTrailStore;
  directory: UserGroupDirectory;
  views: SlackViews;
  log: ChatopsLog;
  nowMs: () => number;
  /** @default COMMANDS */
  commands?: readonly CommandSpec[];
  /** @default BUTTONS */
  buttons?: readonly ButtonSpec[];
  /** @default FORMS */
  forms?: readonly FormSpec[];
}

/** Who sent a request and where an answer can go. */
export interface RequestOrigin {
  userId: string;
  teamId?: string;
  channelId?: string;
  responseUrl?: string;
}

export interface CommandRequest extends RequestOrigin {
  /** Everything after `/k8s`. */
  text: string;
  triggerId: string;
}

export interface ButtonRequest extends RequestOrigin {
  actionId: string;
  value?: string;
  actionTs: string;
  triggerId?: string;
  /** The message the button is on; `threadTs` when that message is a reply in a thread. */
  message?: { channel: string; ts: string; threadTs?: string };
  /** The modal the button is in. */
  view?: { id: string };
}

export interface FormRequest extends RequestOrigin {
  callbackId: string;
  viewId: string;
  viewHash: string;
  privateMetadata: string;
  values: FormValues;
}

/** The acknowledgement of a form submission: field errors, or nothing (the form closes). */
export type FormAck =
  | { response_action: 'errors'; errors: Record<string, string> }
  /** The form stays open as another view (a remediation's progress, filled by the worker). */
  | { response_action: 'update'; view: ModalView }
  | undefined;

/** A request on its way through the ingress: its id and what the audit trail says about it. */
interface Admission {
  requestId: string;
  source: AuditSource;
  kind: string;
  origin: RequestOrigin;
  at: string;
  scope: RequestScope;
  target?: string;
  finding?: string;
  /** The configured user groups the person belongs to (resolved while authorizing). */
  groups?: string[];
}

const UNKNOWN_KIND = 'unknown';

/** A `/k8s` command: the ack's text (ephemeral). */
export async function handleCommand(request: CommandRequest, deps: IngressDeps): Promise<SlackReply> {
  const key = commandKey(request.teamId, request.triggerId);
  const admission = admissionOf(requestIdOf(key), 'command', UNKNOWN_KIND, request, deps);
  if (!(await claim(deps, key, REQUEST_KEY_SECONDS))) {
    deps.log.info('duplicate slack request', { requestId: admission.requestId, source: 'command' });
    return textReply('This command is already being handled.');
  }
  let spec: CommandSpec | undefined;
  let plan: CommandPlan | undefined;
  let failure: KubeguardError | undefined;
  try {
    const found = findCommand(request.text, deps.commands ?? COMMANDS);
    spec = found.spec;
    admission.kind = spec.name;
    plan = planCommand(spec, found.words, {
      config: deps.config,
      commands: deps.commands ?? COMMANDS,
      triggerId: request.triggerId,
      userId: request.userId,
    });
    admission.scope = plan.scope;
    if (plan.type === 'enqueue') Object.assign(admission, targetOf(plan));
  } catch (error) {
    failure = asKubeguardError(error);
  }
  // Arguments are explained only to someone who may use the command at all.
  const requirement: Requirement =
    plan === undefined
      ? { role: spec?.role ?? 'viewer', anyCluster: true }
      : { role: (plan.type === 'enqueue' ? plan.role : undefined) ?? spec?.role ?? 'viewer', ...plan.scope };
  const denied = await deny(admission, requirement, spec?.purpose ?? 'use kubeguard in Slack', deps);
  if (denied !== undefined) return denied;
  if (failure !== undefined || plan === undefined) {
    const error = failure ?? new KubeguardError('INTERNAL', 'no plan');
    await record(deps, admission, 'request', { result: 'invalid', detail: error.message });
    return errorReply(error, admission.requestId);
  }
  if (plan.type === 'answer') {
    await record(deps, admission, 'request', { result: 'answered' });
    return plan.reply;
  }
  if (plan.openFirst !== undefined) {
    // The remediation planning modal: the trigger id lives about 3 seconds, so it opens now.
    try {
      await deps.views.open(request.triggerId, plan.openFirst);
    } catch (error) {
      const failure = asKubeguardError(error);
      deps.log.warn('slack modal not opened', { requestId: admission.requestId, code: failure.code });
      await record(deps, admission, 'request', { result: 'failed', detail: 'the modal could not be opened' });
      await deps.claims.release(key).catch(() => undefined);
      return errorReply(failure, admission.requestId);
    }
  }
  const queued = await submit(admission, plan.body, [key], deps);
  return queued ?? textReply(`${plan.working} (request \`${admission.requestId}\`)`);
}

/** A button click; the ack is always empty (answers arrive from the worker). */
export async function handleButton(request: ButtonRequest, deps: IngressDeps): Promise<void> {
  const spec = (deps.buttons ?? BUTTONS).find((button) => button.actionId === request.actionId);
  if (spec === undefined) {
    deps.log.warn('slack click on a button the bot does not handle', {
      actionId: request.actionId.slice(0, 255),
    });
    return;
  }
  const key = clickKey(request.teamId, request.userId, request.actionTs, request.actionId);
  const admission = admissionOf(requestIdOf(key), 'button', spec.kind, request, deps);
  if (!(await claim(deps, key, REQUEST_KEY_SECONDS))) {
    deps.log.info('duplicate slack request', { requestId: admission.requestId, source: 'button' });
    return;
  }
  let plan: ButtonPlan | undefined;
  let failure: KubeguardError | undefined;
  try {
    plan = spec.plan(
      {
        actionId: request.actionId,
        ...(request.value === undefined ? {} : { value: request.value }),
        ...(request.message === undefined ? {} : { message: request.message }),
        ...(request.view === undefined ? {} : { view: request.view }),
        ...(request.triggerId === undefined ? {} : { triggerId: request.triggerId }),
        userId: request.userId,
      },
      deps.config,
    );
    admission.scope = plan.scope;
    Object.assign(admission, targetOf(plan));
  } catch (error) {
    failure = asKubeguardError(error);
  }
  const requirement: Requirement = {
    // A plan names the role when the configuration decides it (an approver's).
    role: (plan?.type === 'open-form' ? undefined : plan?.role) ?? spec.role,
    ...(plan === undefined ? { anyCluster: true } : plan.scope),
  };
  // Refused for who asks, whatever their role (the requester approving their own request).
  if (plan?.type === 'refuse') {
    await record(deps, admission, 'denial', {
      result: 'denied',
      role: requirement.role,
      detail: plan.detail,
    });
    await replyLater(admission, textReply(plan.text), deps);
    return;
  }
  const denied = await deny(admission, requirement, spec.purpose, deps);
  if (denied !== undefined) {
    await replyLater(admission, denied, deps);
    return;
  }
  if (failure !== undefined || plan === undefined) {
    const error = failure ?? new KubeguardError('INTERNAL', 'no plan');
    await record(deps, admission, 'request', { result: 'invalid', detail: error.message });
    await replyLater(admission, errorReply(error, admission.requestId), deps);
    return;
  }
  if (plan.type === 'open-form') {
    await openForm(admission, request.triggerId, plan, deps);
    return;
  }
  if (
    plan.openFirst !== undefined &&
    !(await openFirst(admission, request.triggerId, plan.openFirst, deps))
  ) {
    await deps.claims.release(key).catch(() => undefined);
    return;
  }
  if (plan.once === false) {
    const queued = await submit(admission, plan.body, [key], deps);
    if (queued !== undefined) await replyLater(admission, queued, deps);
    return;
  }
  // A double click, or two people clicking at once: the button runs once.
  const button = buttonKey(request.teamId, request.message, request.actionId, request.value);
  if (!(await claim(deps, button, DOUBLE_CLICK_SECONDS))) {
    deps.log.info('slack button already clicked', {
      requestId: admission.requestId,
      actionId: spec.actionId,
    });
    await replyLater(admission, textReply('This button was just clicked; kubeguard runs it once.'), deps);
    return;
  }
  const queued = await submit(admission, plan.body, [key, button], deps);
  if (queued !== undefined) deps.log.error('slack click not queued', { requestId: admission.requestId });
}

/** A form submission: field errors keep the form open; otherwise it closes and the worker answers. */
export async function handleFormSubmission(request: FormRequest, deps: IngressDeps): Promise<FormAck> {
  const spec = (deps.forms ?? FORMS).find((form) => form.callbackId === request.callbackId);
  if (spec === undefined) {
    deps.log.warn('slack form the bot does not handle', { callbackId: request.callbackId.slice(0, 255) });
    return undefined;
  }
  // The submitted values are part of the key: a form corrected after an error is a new request,
  // the same values submitted twice are one.
  const key = viewSubmissionKey(
    request.teamId,
    request.viewId,
    `${request.viewHash}:${valuesHash(request.values)}`,
  );
  const admission = admissionOf(requestIdOf(key), 'modal', spec.kind, request, deps);
  if (!(await claim(deps, key, REQUEST_KEY_SECONDS))) {
    deps.log.info('duplicate slack request', { requestId: admission.requestId, source: 'modal' });
    return undefined;
  }
  let plan: FormPlan | undefined;
  let failure: KubeguardError | undefined;
  try {
    plan = spec.plan(request, deps.config);
    admission.scope = plan.scope;
    if (plan.type === 'enqueue') Object.assign(admission, targetOf(plan));
  } catch (error) {
    failure = asKubeguardError(error);
  }
  const requirement: Requirement = {
    role: spec.role,
    ...(plan === undefined ? { anyCluster: true } : plan.scope),
  };
  const denied = await deny(admission, requirement, spec.purpose, deps);
  if (denied !== undefined) return fieldError(spec, denied.text);
  if (failure !== undefined || plan === undefined) {
    const error = failure ?? new KubeguardError('INTERNAL', 'no plan');
    await record(deps, admission, 'request', { result: 'invalid', detail: error.message });
    return fieldError(spec, errorReply(error, admission.requestId).text);
  }
  if (plan.type === 'errors') {
    await record(deps, admission, 'request', {
      result: 'invalid',
      detail: Object.values(plan.errors).join(' '),
    });
    return { response_action: 'errors', errors: plan.errors };
  }
  const origin =
    plan.channelId === undefined ? admission.origin : { ...admission.origin, channelId: plan.channelId };
  const queued = await submit({ ...admission, origin }, plan.body, [key], deps);
  if (queued !== undefined) return fieldError(spec, queued.text);
  return plan.showNext === undefined ? undefined : { response_action: 'update', view: plan.showNext };
}

/** The App Home tab opened (`app_home_opened`, tab `home`): who, and the event's id. */
export interface HomeOpenedRequest {
  userId: string;
  teamId?: string;
  /** `event_id` of the Events API wrapper; Slack's retries repeat it. */
  eventId: string;
}

/**
 * The Home tab opened: claimed by the event's id, recorded and queued for the worker, which reads
 * the figures and publishes the tab (core/chatops/handlers/home.ts; decision in docs/decisions.md).
 * Whom the tab may show what is decided there, per cluster; the groups that could grant a viewer
 * role anywhere are resolved here, as for any request.
 */
export async function handleHomeOpened(request: HomeOpenedRequest, deps: IngressDeps): Promise<void> {
  const key = eventKey(request.teamId, request.eventId);
  const admission = admissionOf(requestIdOf(key), 'event', 'home', request, deps);
  if (!(await claim(deps, key, REQUEST_KEY_SECONDS))) {
    deps.log.info('duplicate slack request', { requestId: admission.requestId, source: 'event' });
    return;
  }
  admission.groups = await groupsOf(request.userId, { role: 'viewer', anyCluster: true }, deps);
  const failed = await submit(admission, { kind: 'home', args: {} }, [key], deps);
  if (failed !== undefined) deps.log.error('slack home tab not queued', { requestId: admission.requestId });
}

// ---- steps ----

function admissionOf(
  requestId: string,
  source: AuditSource,
  kind: string,
  origin: RequestOrigin,
  deps: IngressDeps,
): Admission {
  return {
    requestId,
    source,
    kind,
    origin: {
      userId: origin.userId,
      ...(origin.teamId === undefined ? {} : { teamId: origin.teamId }),
      ...(origin.channelId === undefined ? {} : { channelId: origin.channelId }),
      ...(origin.responseUrl === undefined ? {} : { responseUrl: origin.responseUrl }),
    },
    at: new Date(deps.nowMs()).toISOString(),
    scope: {},
  };
}

const FINGERPRINT = /^[0-9a-f]{32}$/;

/** The trail indexes records by whole fingerprints; a typed prefix stays in the target only. */
function targetOf(plan: { target?: string; finding?: string }): Pick<Admission, 'target' | 'finding'> {
  return {
    ...(plan.target === undefined ? {} : { target: plan.target }),
    ...(plan.finding === undefined || !FINGERPRINT.test(plan.finding) ? {} : { finding: plan.finding }),
  };
}

async function claim(deps: IngressDeps, key: string, ttlSeconds: number): Promise<boolean> {
  return deps.claims.claim(key, deps.nowMs(), ttlSeconds);
}

/** The groups the person belongs to, of those that could grant the requirement (cached lookups). */
async function groupsOf(userId: string, requirement: Requirement, deps: IngressDeps): Promise<string[]> {
  const groups: string[] = [];
  for (const group of userGroupsToCheck(deps.config.authorization, userId, requirement)) {
    try {
      if ((await deps.directory.members(group)).includes(userId)) groups.push(group);
    } catch (error) {
      // Not knowing counts as not a member: a denial, never an accidental grant.
      deps.log.warn('slack user group membership unknown', {
        userGroup: group,
        code: asKubeguardError(error).code,
      });
    }
  }
  return groups;
}

/** Authorizes the person; a denial is recorded and its explanation returned. */
async function deny(
  admission: Admission,
  requirement: Requirement,
  purpose: string,
  deps: IngressDeps,
): Promise<SlackReply | undefined> {
  const groups = await groupsOf(admission.origin.userId, requirement, deps);
  admission.groups = groups;
  const decision: Decision = authorize(
    deps.config.authorization,
    { userId: admission.origin.userId, groups: new Set(groups) },
    requirement,
  );
  if (decision.allowed) return undefined;
  await record(deps, admission, 'denial', {
    result: 'denied',
    role: decision.needed,
    detail: `needs the ${decision.needed} role${decision.cluster === undefined ? '' : ` on ${decision.cluster}`} to ${purpose}`,
  });
  return denialReply(decision, purpose, deps.config.authorization);
}

/** Records the request, then queues it; on failure gives the claims back and says so. */
async function submit(
  admission: Admission,
  body: ActionBody,
  claimedKeys: readonly string[],
  deps: IngressDeps,
): Promise<SlackReply | undefined> {
  try {
    await record(deps, admission, 'request', { result: 'accepted' });
    await deps.queue.enqueue(queuedRequest(admission, body));
    return undefined;
  } catch (error) {
    const failure = asKubeguardError(error);
    deps.log.error('slack request not queued', { requestId: admission.requestId, code: failure.code });
    // Nothing runs, so asking again must be possible at once.
    await Promise.allSettled(claimedKeys.map((key) => deps.claims.release(key)));
    return errorReply(failure, admission.requestId);
  }
}

function queuedRequest(admission: Admission, body: ActionBody): QueuedRequest {
  const { origin } = admission;
  return {
    v: 1,
    requestId: admission.requestId,
    source: admission.source,
    receivedAt: admission.at,
    actor: {
      userId: origin.userId,
      ...(origin.teamId === undefined ? {} : { teamId: origin.teamId }),
      groups: admission.groups ?? [],
    },
    reply: {
      ...(origin.channelId === undefined ? {} : { channelId: origin.channelId }),
      ...(origin.responseUrl === undefined ? {} : { responseUrl: origin.responseUrl }),
    },
    ...body,
  } as QueuedRequest;
}

/** A click's answer, sent by the worker (the listener never waits on Slack). */
async function replyLater(admission: Admission, reply: SlackReply, deps: IngressDeps): Promise<void> {
  try {
    await deps.queue.enqueue(
      queuedRequest(admission, { kind: 'reply', args: { text: reply.text.slice(0, 3000) } }),
    );
  } catch (error) {
    deps.log.error('slack reply not queued', {
      requestId: admission.requestId,
      code: asKubeguardError(error).code,
    });
  }
}

/** Opens the modal a click's plan shows while the worker runs; false (answered) when it could not. */
async function openFirst(
  admission: Admission,
  triggerId: string | undefined,
  view: ModalView,
  deps: IngressDeps,
): Promise<boolean> {
  try {
    if (triggerId === undefined)
      throw new KubeguardError('INVALID_ARGUMENT', 'the click carried no trigger_id to open a modal with');
    await deps.views.open(triggerId, view);
    return true;
  } catch (error) {
    const failure = asKubeguardError(error);
    deps.log.warn('slack modal not opened', { requestId: admission.requestId, code: failure.code });
    await record(deps, admission, 'request', { result: 'failed', detail: 'the modal could not be opened' });
    await replyLater(admission, errorReply(failure, admission.requestId), deps);
    return false;
  }
}

async function openForm(
  admission: Admission,
  triggerId: string | undefined,
  plan: Extract<ButtonPlan, { type: 'open-form' }>,
  deps: IngressDeps,
): Promise<void> {
  try {
    if (triggerId === undefined)
      throw new KubeguardError('INVALID_ARGUMENT', 'the click carried no trigger_id to open a form with');
    await deps.views.open(triggerId, plan.view);
    await record(deps, admission, 'request', { result: 'answered', detail: 'opened the form' });
  } catch (error) {
    const failure = asKubeguardError(error);
    deps.log.warn('slack form not opened', { requestId: admission.requestId, code: failure.code });
    await record(deps, admission, 'request', { result: 'failed', detail: 'the form could not be opened' });
    await replyLater(admission, errorReply(failure, admission.requestId), deps);
  }
}

async function record(
  deps: IngressDeps,
  admission: Admission,
  type: AuditRecordType,
  fields: Pick<AuditRecord, 'result' | 'detail' | 'role'>,
): Promise<void> {
  const { origin, scope } = admission;
  await deps.trail.append(
    boundedRecord({
      id: auditRecordId(admission.requestId, type),
      requestId: admission.requestId,
      type,
      at: admission.at,
      actor: origin.userId,
      ...(origin.teamId === undefined ? {} : { team: origin.teamId }),
      kind: admission.kind,
      source: admission.source,
      ...(scope.cluster === undefined ? {} : { cluster: scope.cluster }),
      ...(admission.finding === undefined ? {} : { finding: admission.finding }),
      ...(admission.target === undefined ? {} : { target: admission.target }),
      ...fields,
    }),
  );
}

/** Form errors are plain text: mentions and emphasis of a reply are written out. */
function fieldError(spec: FormSpec, text: string): FormAck {
  const plain = text
    .replace(/<@([UW][A-Z0-9]+)>/g, '@$1')
    .replace(/<!subteam\^(S[A-Z0-9]+)>/g, '@$1')
    .replace(/:[a-z_]+: /g, '')
    .replace(/[*`]/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\n/g, ' ');
  return { response_action: 'errors', errors: { [spec.firstBlockId]: plain.slice(0, 300) } };
}

/** A stable hash of a form's submitted values (keys sorted). */
function valuesHash(values: FormValues): string {
  const canonical = JSON.stringify(values, (_key, value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : value,
  );
  return createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 16);
}
