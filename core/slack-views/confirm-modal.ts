import type { ActionId, PreflightResult, RemediationPlan } from '../remediation/action.ts';
import { type PlanObjectChange, planOutline } from '../remediation/plan-view.ts';
import { ACTION_WORDS, objectText } from './actions.ts';
import {
  type Block,
  type ContextBlock,
  type InputBlock,
  type ModalView,
  mrkdwn,
  plainText,
  type SectionBlock,
} from './blocks.ts';
import { describeError } from './errors.ts';
import { linesWithin, plainSafe, slackDate } from './format.ts';
import {
  actionOfConfirmCallback,
  CONFIRM_CALLBACK_IDS,
  type ConfirmReference,
  encodeConfirmReference,
  parseConfirmReference,
  SLACK_CALLBACK_IDS,
} from './ids.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * The confirmation modal of every destructive action: the target, the dry-run plan as
 * core/remediation/plan-view.ts outlines it (the forensic capture first, then every object created,
 * patched and deleted, in the order execute writes them), what keeps running, the warnings, whether
 * a second person must approve, and a required reason. Its private_metadata is a reference (request
 * id, finding, cluster, target), never the plan: the worker executes the plan it stored under the
 * request id. Also the modal shown while the plan is being prepared, and the one shown when the
 * action does not apply (a hostNetwork pod) or planning failed.
 *
 * Plan texts name cluster objects (Services, budgets, label keys): they are kubeguard's sentences
 * around attacker-influenced names, so each is shown as untrusted text (one line, escaped, formatting
 * neutralized) and every object the plan writes as a code span.
 */

/** The reason input: block_id and action_id under view.state.values. */
export const CONFIRM_REASON_INPUT = { blockId: 'confirm_reason', actionId: 'reason' } as const;
export const DEFAULT_REASON_MIN_LENGTH = 10;
export const REASON_MAX_LENGTH = 2000;

export interface ApprovalRequirement {
  /** The role the approver needs (`responder`, `admin`). */
  role: string;
  /** How long the approval request stays open. */
  withinMinutes: number;
}

export interface ConfirmModalInput {
  /** The action's preflight: a plan to confirm, or why the action does not apply. */
  preflight: PreflightResult;
  /** What private_metadata carries; its action is taken from the plan when there is one. */
  reference: ConfirmReference;
  /** The cluster the action runs on, shown with the target. */
  cluster?: string;
  /** Present when a second person must approve before anything runs. */
  approval?: ApprovalRequirement;
  /** @default 10 */
  reasonMinLength?: number;
}

const L = BLOCK_KIT_LIMITS;
const WHY_CAP = 400;
const LINE_CAP = 700;

/** The modal for `views.update` once the worker has the preflight. */
export function buildConfirmModal(input: ConfirmModalInput): ModalView {
  const { preflight } = input;
  if (preflight.status === 'skipped') return refusalModal(input, preflight);
  const plan = preflight.plan;
  const reference: ConfirmReference = { ...input.reference, a: plan.action };
  const words = ACTION_WORDS[plan.action];
  const min = clampLength(input.reasonMinLength ?? DEFAULT_REASON_MIN_LENGTH);
  const blocks: Block[] = [
    section('confirm_target', targetLine(words.title, plan.target, input.cluster)),
    section('confirm_summary', `*What happens*\n${untrustedText(plan.summary, LINE_CAP * 2)}`),
  ];
  const capture = captureText(plan);
  if (capture !== undefined) blocks.push(section('confirm_capture', capture));
  blocks.push(section('confirm_changes', changesText(plan, words.title)));
  if (plan.effects.length > 0) {
    blocks.push(
      section('confirm_effects', listText('*What keeps running, what else changes*', plan.effects)),
    );
  }
  if (plan.warnings.length > 0) {
    blocks.push(section('confirm_warnings', listText('*Warnings*', plan.warnings, '⚠️')));
  }
  if (input.approval !== undefined) {
    blocks.push(section('confirm_approval', approvalText(input.approval)));
  }
  blocks.push(reasonInput(min));
  blocks.push(footer(plan, input.approval !== undefined));
  return {
    type: 'modal',
    callback_id: CONFIRM_CALLBACK_IDS[plan.action],
    title: plainText(plainSafe(`Confirm: ${words.title}`, L.modalTitle)),
    submit: plainText(input.approval === undefined ? words.submit : 'Request approval'),
    close: plainText('Cancel'),
    private_metadata: encodeConfirmReference(reference),
    blocks,
  };
}

/** Opened by the listener at once (the trigger id lives 3 seconds); the worker replaces it. */
export function buildPlanningModal(
  reference: ConfirmReference,
  target: string | undefined,
  cluster?: string,
): ModalView {
  const words = ACTION_WORDS[reference.a];
  const what = target === undefined ? '' : ` for ${objectText(target)}`;
  const where = cluster === undefined ? '' : ` on cluster ${codeSpan(cluster, 120)}`;
  return {
    type: 'modal',
    callback_id: SLACK_CALLBACK_IDS.planning,
    title: plainText(words.title),
    close: plainText('Cancel'),
    private_metadata: encodeConfirmReference(reference),
    blocks: [
      section(
        'planning_status',
        `:hourglass_flowing_sand: Preparing the dry-run plan to ${words.phrase}${what}${where}. Nothing is changed until you confirm it here.`,
      ),
    ],
  };
}

/** Replaces the planning modal when the preflight itself failed (the cluster could not be read …). */
export function buildPlanningErrorModal(reference: ConfirmReference, error: unknown): ModalView {
  const words = ACTION_WORDS[reference.a];
  return {
    type: 'modal',
    callback_id: SLACK_CALLBACK_IDS.planning,
    title: plainText(words.title),
    close: plainText('Close'),
    private_metadata: encodeConfirmReference(reference),
    blocks: [
      section(
        'planning_error',
        `*The plan to ${words.phrase} could not be made; nothing was changed.*\n${describeError(error, { requestId: reference.r })}`,
      ),
    ],
  };
}

function refusalModal(
  input: ConfirmModalInput,
  preflight: Extract<PreflightResult, { status: 'skipped' }>,
): ModalView {
  const words = ACTION_WORDS[input.reference.a];
  const blocks: Block[] = [
    section('confirm_target', targetLine(words.title, preflight.target, input.cluster)),
    section(
      'confirm_refusal',
      `*Nothing to run; nothing was changed.*\n${untrustedText(preflight.reason, LINE_CAP * 2)}`,
    ),
  ];
  if (preflight.recommendation !== undefined) {
    blocks.push(
      section('confirm_instead', `*Recommended:* ${untrustedText(preflight.recommendation, LINE_CAP * 2)}`),
    );
  }
  return {
    type: 'modal',
    callback_id: SLACK_CALLBACK_IDS.planning,
    title: plainText(words.title),
    close: plainText('Close'),
    private_metadata: encodeConfirmReference(input.reference),
    blocks,
  };
}

function targetLine(title: string, target: string, cluster: string | undefined): string {
  const where = cluster === undefined ? '' : ` on cluster ${codeSpan(cluster, 120)}`;
  return `*${title}* ${objectText(target)}${where}`;
}

function captureText(plan: RemediationPlan): string | undefined {
  if (plan.evidence === undefined) return undefined;
  const head = `*First, before any change:* a forensic bundle ${codeSpan(plan.evidence.bundleId, 300)} is stored. If it cannot be stored, nothing is changed.`;
  const lines = plan.evidence.captures.map((capture) => `• ${untrustedText(capture, 300)}`);
  return linesWithin([head, ...lines], L.sectionText);
}

const OP_LABEL = { create: 'Create', patch: 'Patch', delete: 'Delete' } as const;

/**
 * The plan's writes in the order execute sends them (the outline's `order`), each with the object
 * it writes and why; counts first, so a long list still says how much it changes.
 */
function changesText(plan: RemediationPlan, title: string): string {
  const outline = planOutline(plan, title);
  const queues = { create: [...outline.create], patch: [...outline.patch], delete: [...outline.delete] };
  const lines = outline.order.map((entry, index) => {
    const op = entry.replace(/^\d+\. /, '').split(' ', 1)[0] as keyof typeof queues;
    const change = queues[op]?.shift() as PlanObjectChange;
    return `${index + 1}. *${OP_LABEL[op]}* ${objectText(change.object)} — ${untrustedText(change.why, WHY_CAP)}`;
  });
  const counts = `creates ${outline.create.length}, patches ${outline.patch.length}, deletes ${outline.delete.length}`;
  if (lines.length === 0) return `*Changes:* none in the cluster (${counts})`;
  return linesWithin([`*Changes, in this order* (${counts})`, ...lines], L.sectionText);
}

function listText(heading: string, items: readonly string[], marker = '•'): string {
  return linesWithin(
    [heading, ...items.map((item) => `${marker} ${untrustedText(item, LINE_CAP)}`)],
    L.sectionText,
  );
}

function approvalText(approval: ApprovalRequirement): string {
  return `*Needs a second approver.* After you submit, someone else with the ${untrustedText(approval.role, 30)} role must approve within ${minutes(approval.withinMinutes)}. Nothing runs before that; without an approval the request expires.`;
}

function minutes(count: number): string {
  const whole = Math.max(1, Math.round(count));
  return whole === 1 ? '1 minute' : `${whole} minutes`;
}

function reasonInput(min: number): InputBlock {
  return {
    type: 'input',
    block_id: CONFIRM_REASON_INPUT.blockId,
    label: plainText('Reason'),
    hint: plainText(
      `At least ${min} characters; recorded with the action in kubeguard's audit trail, with your name.`,
    ),
    element: {
      type: 'plain_text_input',
      action_id: CONFIRM_REASON_INPUT.actionId,
      multiline: true,
      min_length: min,
      max_length: REASON_MAX_LENGTH,
      placeholder: plainText('What you saw, and why this action is needed now'),
    },
  };
}

function footer(plan: RemediationPlan, approval: boolean): ContextBlock {
  const when = approval ? 'once approved' : 'when you submit';
  return {
    type: 'context',
    block_id: 'confirm_footer',
    elements: [
      mrkdwn(
        `Planned ${slackDate(plan.plannedAt)}. Nothing has changed yet: ${when}, exactly these steps run; if the objects changed since the plan, they stop and say to plan again. ${ACTION_WORDS[plan.action].undo}`,
      ),
    ],
  };
}

function clampLength(length: number): number {
  return Math.min(Math.max(1, Math.floor(length)), REASON_MAX_LENGTH);
}

function section(blockId: string, text: string): SectionBlock {
  return { type: 'section', block_id: blockId, text: mrkdwn(text) };
}

// ---- the submission ----

/** The part of a view_submission payload's `view` this reads (test/fixtures/slack-view-submission.json). */
export interface SubmittedView {
  callback_id: string;
  private_metadata?: string;
  state: { values: Record<string, Record<string, { type: string; value?: string | null }>> };
}

export type ConfirmSubmission =
  | { ok: true; action: ActionId; reference: ConfirmReference; reason: string }
  | {
      ok: false;
      kind: 'reason';
      /** The ack body for Slack: the modal stays open with the message under the field. */
      response: { response_action: 'errors'; errors: Record<string, string> };
    }
  /** Not a confirmation kubeguard opened (another view, or metadata it did not write). */
  | { ok: false; kind: 'foreign'; problem: string };

/**
 * What a confirmation submission asks for: the action (from its callback_id), the reference (from
 * private_metadata) and the reason, trimmed. A reason shorter than the minimum is answered with the
 * `errors` response that keeps the modal open; a view that is not one of ours names the problem.
 */
export function readConfirmSubmission(
  view: SubmittedView,
  reasonMinLength = DEFAULT_REASON_MIN_LENGTH,
): ConfirmSubmission {
  const action = actionOfConfirmCallback(view.callback_id);
  if (action === undefined)
    return {
      ok: false,
      kind: 'foreign',
      problem: `callback_id ${JSON.stringify(view.callback_id)} is not a confirmation`,
    };
  const reference = parseConfirmReference(view.private_metadata ?? '');
  if (reference === undefined || reference.a !== action) {
    return {
      ok: false,
      kind: 'foreign',
      problem: 'private_metadata is not a reference kubeguard wrote for this action',
    };
  }
  const raw = view.state.values[CONFIRM_REASON_INPUT.blockId]?.[CONFIRM_REASON_INPUT.actionId]?.value;
  const reason = (raw ?? '').trim();
  const min = clampLength(reasonMinLength);
  if (reason.length < min || reason.length > REASON_MAX_LENGTH) {
    const message =
      reason.length < min
        ? `Give a reason of at least ${min} characters: it is recorded with the action.`
        : `Keep the reason to ${REASON_MAX_LENGTH} characters.`;
    return {
      ok: false,
      kind: 'reason',
      response: { response_action: 'errors', errors: { [CONFIRM_REASON_INPUT.blockId]: message } },
    };
  }
  return { ok: true, action, reference, reason };
}
