import type { Role } from '../authz/policy.ts';
import type { KubeguardConfig } from '../config/schema.ts';
import type { KubeguardError } from '../errors.ts';
import { parseAuditReportRef } from '../slack-views/audit-report.ts';
import type { ModalView } from '../slack-views/blocks.ts';
import { CONFIRM_REASON_INPUT, readConfirmSubmission } from '../slack-views/confirm-modal.ts';
import { CONFIRM_CALLBACK_IDS, parseConfirmReference } from '../slack-views/ids.ts';
import { POLICY_FORM, parsePolicyForm, readPolicyChoice } from '../slack-views/policy-result.ts';
import { buildRunningModal } from '../slack-views/remediation-run.ts';
import { parseSuppressForm, SUPPRESS_FORM } from '../slack-views/suppress-form.ts';
import { durationMinutes, invalid } from './commands/args.ts';
import type { RequestScope } from './commands/command.ts';
import { POLICIES_PURPOSE, POLICIES_ROLE } from './policy-ask.ts';
import { REMEDIATION_PURPOSE, REMEDIATION_ROLE } from './remediation-ask.ts';
import { type ActionBody, REMEDIATION_ACTIONS, type RemediationActionId } from './requests.ts';

/**
 * What each form (modal) does when submitted, keyed by its callback_id: the role it needs (checked
 * again at submission, whatever was checked when it opened) and a plan — field errors to show in the
 * form, or work for the action worker.
 */

/** `view.state.values`: block id → action id → the element's state (a text's `value`, a choice's `selected_option`). */
export type FormValues = Readonly<
  Record<
    string,
    Readonly<Record<string, { value?: string | null; selected_option?: { value?: string } | null }>>
  >
>;

export interface FormSubmission {
  callbackId: string;
  privateMetadata: string;
  values: FormValues;
  /** The submitted view's id: a form that stays open as a progress view is updated by it. */
  viewId?: string;
}

export type FormPlan =
  | { type: 'errors'; errors: Record<string, string>; scope: RequestScope }
  | {
      type: 'enqueue';
      body: ActionBody;
      scope: RequestScope;
      target: string;
      finding?: string;
      /** Where the answer goes (a form has no response URL): the alert's channel. */
      channelId?: string;
      /** Shown in place of the form once queued (`response_action: update`); absent = it closes. */
      showNext?: ModalView;
    };

export interface FormSpec {
  callbackId: string;
  /** What it asks for, in the audit trail's words (the action kind). */
  kind: string;
  role: Role;
  purpose: string;
  /** The block a denial is shown under. */
  firstBlockId: string;
  plan(submission: FormSubmission, config: KubeguardConfig): FormPlan;
}

function fieldValue(values: FormValues, field: { blockId: string; actionId: string }): string {
  return (values[field.blockId]?.[field.actionId]?.value ?? '').trim();
}

const suppressForm: FormSpec = {
  callbackId: SUPPRESS_FORM.callbackId,
  kind: 'suppress',
  role: 'responder',
  purpose: 'suppress findings',
  firstBlockId: SUPPRESS_FORM.duration.blockId,
  plan(submission) {
    const reference = parseSuppressForm(submission.privateMetadata);
    if (reference === undefined)
      throw invalid('this form does not name a finding kubeguard knows; close it and use /k8s findings');
    const scope: RequestScope = reference.c === undefined ? {} : { cluster: reference.c };
    const errors: Record<string, string> = {};
    let minutes = 0;
    try {
      minutes = durationMinutes(fieldValue(submission.values, SUPPRESS_FORM.duration));
    } catch (error) {
      errors[SUPPRESS_FORM.duration.blockId] = (error as KubeguardError).message;
    }
    const reason = fieldValue(submission.values, SUPPRESS_FORM.reason);
    if (reason.length < 3)
      errors[SUPPRESS_FORM.reason.blockId] =
        'Say why, in a few words: it is recorded and shown on the alert.';
    if (Object.keys(errors).length > 0) return { type: 'errors', errors, scope };
    return {
      type: 'enqueue',
      body: { kind: 'suppress', args: { finding: reference.fp, minutes, reason: reason.slice(0, 500) } },
      scope,
      target: `finding ${reference.fp}`,
      finding: reference.fp,
      ...(reference.ch === undefined ? {} : { channelId: reference.ch }),
    };
  },
};

/**
 * A remediation's confirmation modal (core/slack-views/confirm-modal.ts): the reason is required and
 * validated as the modal says; the submission names the stored plan (ConfirmReference `r`), which
 * the worker executes as stored. The modal stays open as a progress view the worker then fills.
 */
function confirmForm(action: RemediationActionId): FormSpec {
  return {
    callbackId: CONFIRM_CALLBACK_IDS[action],
    kind: 'execute',
    role: REMEDIATION_ROLE,
    purpose: REMEDIATION_PURPOSE[action],
    firstBlockId: CONFIRM_REASON_INPUT.blockId,
    plan(submission) {
      const read = readConfirmSubmission({
        callback_id: submission.callbackId,
        private_metadata: submission.privateMetadata,
        state: { values: submission.values as never },
      });
      if (!read.ok && read.kind === 'foreign') {
        throw invalid('this confirmation does not name a plan kubeguard made; close it and plan again');
      }
      const reference = read.ok ? read.reference : parseConfirmReference(submission.privateMetadata);
      const scope: RequestScope =
        reference?.c === undefined ? { anyCluster: true } : { cluster: reference.c };
      if (!read.ok) return { type: 'errors', errors: read.response.errors, scope };
      if (!/^r-[0-9a-f]{16}$/.test(read.reference.r)) {
        throw invalid('this confirmation does not name a plan kubeguard stored; close it and plan again');
      }
      return {
        type: 'enqueue',
        body: {
          kind: 'execute',
          args: {
            action,
            plan: read.reference.r,
            reason: read.reason,
            ...(submission.viewId === undefined ? {} : { view: submission.viewId }),
          },
        },
        scope,
        target: read.reference.t ?? read.reference.r,
        ...(read.reference.fp === undefined ? {} : { finding: read.reference.fp }),
        showNext: buildRunningModal(read.reference),
      };
    },
  };
}

/**
 * "Generate policies" (core/slack-views/policy-result.ts): the engine and mode chosen, for the report
 * the form names; the worker generates, stores the YAML and answers in the summary's thread.
 */
const policyForm: FormSpec = {
  callbackId: POLICY_FORM.callbackId,
  kind: 'policies',
  role: POLICIES_ROLE,
  purpose: POLICIES_PURPOSE,
  firstBlockId: POLICY_FORM.engine.blockId,
  plan(submission) {
    const reference = parsePolicyForm(submission.privateMetadata);
    const where = reference === undefined ? undefined : parseAuditReportRef(reference.r);
    if (reference === undefined || where === undefined) {
      throw invalid('this form does not name an audit report kubeguard stored; run /k8s audit again');
    }
    const scope: RequestScope = { cluster: where.cluster };
    const { engine, mode } = readPolicyChoice(submission.values);
    const errors: Record<string, string> = {};
    if (engine === undefined) errors[POLICY_FORM.engine.blockId] = 'Choose the policy engine.';
    if (mode === undefined) errors[POLICY_FORM.mode.blockId] = 'Choose warn or deny.';
    if (engine === undefined || mode === undefined) return { type: 'errors', errors, scope };
    return {
      type: 'enqueue',
      body: {
        kind: 'policies',
        args: {
          ref: reference.r,
          engine,
          mode,
          ...(reference.ch === undefined || reference.ts === undefined
            ? {}
            : { thread: { channel: reference.ch, ts: reference.ts } }),
        },
      },
      scope,
      target: `audit report ${reference.r}`,
      ...(reference.ch === undefined ? {} : { channelId: reference.ch }),
    };
  },
};

/** The forms the bot handles, by callback_id. */
export const FORMS: readonly FormSpec[] = [suppressForm, ...REMEDIATION_ACTIONS.map(confirmForm), policyForm];
