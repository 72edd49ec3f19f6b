import type { Role } from '../authz/policy.ts';
import type { KubeguardConfig } from '../config/schema.ts';
import type { KubeguardError } from '../errors.ts';
import { parseSuppressForm, SUPPRESS_FORM } from '../slack-views/suppress-form.ts';
import { durationMinutes, invalid } from './commands/args.ts';
import type { RequestScope } from './commands/command.ts';
import type { ActionBody } from './requests.ts';

/**
 * What each form (modal) does when submitted, keyed by its callback_id: the role it needs (checked
 * again at submission, whatever was checked when it opened) and a plan — field errors to show in the
 * form, or work for the action worker.
 */

/** `view.state.values`: block id → action id → the element's state. */
export type FormValues = Readonly<Record<string, Readonly<Record<string, { value?: string | null }>>>>;

export interface FormSubmission {
  callbackId: string;
  privateMetadata: string;
  values: FormValues;
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

/** The forms the bot handles, by callback_id. */
export const FORMS: readonly FormSpec[] = [suppressForm];
