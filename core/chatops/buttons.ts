import type { Role } from '../authz/policy.ts';
import type { KubeguardConfig } from '../config/schema.ts';
import type { ModalView } from '../slack-views/blocks.ts';
import { ALERT_ACTION_IDS, EKS_CLUSTER_NAME } from '../slack-views/ids.ts';
import { buildSuppressForm } from '../slack-views/suppress-form.ts';
import { invalid } from './commands/args.ts';
import type { RequestScope } from './commands/command.ts';
import type { ActionBody } from './requests.ts';

/**
 * What each button does when clicked, keyed by its action_id: the role it needs and a plan — queue
 * work for the action worker (guarded against double clicks), or open a form. A button the bot
 * handles is listed here; Bolt routes only these action ids to the listener (bot/app.ts).
 */
export interface ButtonClick {
  actionId: string;
  value?: string;
  /** The message the button is on. */
  message?: { channel: string; ts: string };
}

export type ButtonPlan =
  | { type: 'enqueue'; body: ActionBody; scope: RequestScope; target: string; finding?: string }
  | { type: 'open-form'; view: ModalView; scope: RequestScope; target: string; finding?: string };

export interface ButtonSpec {
  actionId: string;
  /** What it asks for, in the audit trail's words (the action kind: `ack`, `suppress` …). */
  kind: string;
  role: Role;
  /** For a denial: "acknowledge findings". */
  purpose: string;
  plan(click: ButtonClick, config: KubeguardConfig): ButtonPlan;
}

/** What an alert button's value carries (core/slack-views/alert.ts): the finding and its cluster. */
export interface AlertReference {
  fp: string;
  c?: string;
}

const FINGERPRINT = /^[0-9a-f]{32}$/;

/** Reads an alert button's value; INVALID_ARGUMENT when it is not one kubeguard wrote. */
export function parseAlertReference(value: string | undefined): AlertReference {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? '');
  } catch {
    parsed = undefined;
  }
  const { fp, c } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (
    typeof fp !== 'string' ||
    !FINGERPRINT.test(fp) ||
    (c !== undefined && (typeof c !== 'string' || !EKS_CLUSTER_NAME.test(c)))
  ) {
    throw invalid('this button does not name a finding kubeguard knows; use /k8s findings to find it');
  }
  return { fp, ...(c === undefined ? {} : { c: c as string }) };
}

function scopeOf(reference: AlertReference): RequestScope {
  return reference.c === undefined ? {} : { cluster: reference.c };
}

const acknowledgeButton: ButtonSpec = {
  actionId: ALERT_ACTION_IDS.acknowledge,
  kind: 'ack',
  role: 'responder',
  purpose: 'acknowledge findings',
  plan(click) {
    const reference = parseAlertReference(click.value);
    return {
      type: 'enqueue',
      body: { kind: 'ack', args: { finding: reference.fp } },
      scope: scopeOf(reference),
      target: `finding ${reference.fp}`,
      finding: reference.fp,
    };
  },
};

const suppressButton: ButtonSpec = {
  actionId: ALERT_ACTION_IDS.suppress,
  kind: 'suppress',
  role: 'responder',
  purpose: 'suppress findings',
  plan(click) {
    const reference = parseAlertReference(click.value);
    return {
      type: 'open-form',
      view: buildSuppressForm({
        ...reference,
        ...(click.message === undefined ? {} : { ch: click.message.channel, ts: click.message.ts }),
      }),
      scope: scopeOf(reference),
      target: `finding ${reference.fp}`,
      finding: reference.fp,
    };
  },
};

/** The buttons the bot handles, by action_id. */
export const BUTTONS: readonly ButtonSpec[] = [acknowledgeButton, suppressButton];
