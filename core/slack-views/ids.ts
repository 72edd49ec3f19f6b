import type { ActionId } from '../remediation/action.ts';
import { AUDIT_ACTION_IDS, AUDIT_DETAILS_CALLBACK_ID } from './audit-report.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';

/**
 * Every action_id and callback_id kubeguard's views carry, in one place: the bot's listeners and
 * worker dispatch on these constants, never on string literals of their own. Button values and
 * private_metadata carry references (a finding fingerprint, a request id, a cluster), never data;
 * the encoders and parsers for them live here too, so a listener reads exactly what a view wrote.
 */

/** The buttons an alert can carry. */
export const ALERT_ACTION_IDS = {
  isolatePod: 'isolate_pod',
  rotateSecret: 'rotate_secret',
  runAudit: 'run_audit',
  acknowledge: 'acknowledge',
  suppress: 'suppress',
} as const;

/** Buttons of the outcome an executed action leaves on its alert. */
export const OUTCOME_ACTION_IDS = {
  releasePod: 'release_pod',
} as const;

/** Buttons of a two-person approval request. */
export const APPROVAL_ACTION_IDS = {
  approve: 'approval_approve',
  deny: 'approval_deny',
} as const;

/** The App Home's digest toggles (core/chatops/buttons.ts → the `digest` request). */
export const DIGEST_ACTION_IDS = {
  /** Value: the subscription's id. */
  unsubscribe: 'digest_unsubscribe',
  /** The weekly digest of every cluster by direct message. */
  subscribeWeekly: 'digest_subscribe_weekly',
} as const;

export { AUDIT_ACTION_IDS };

/** Every action id, for a dispatcher; a unit test keeps them distinct. */
export const SLACK_ACTION_IDS = {
  ...ALERT_ACTION_IDS,
  ...OUTCOME_ACTION_IDS,
  ...APPROVAL_ACTION_IDS,
  digestUnsubscribe: DIGEST_ACTION_IDS.unsubscribe,
  digestSubscribeWeekly: DIGEST_ACTION_IDS.subscribeWeekly,
  auditDetails: AUDIT_ACTION_IDS.details,
  auditDetailsPrevious: AUDIT_ACTION_IDS.previousPage,
  auditDetailsNext: AUDIT_ACTION_IDS.nextPage,
  auditGeneratePolicies: AUDIT_ACTION_IDS.generatePolicies,
} as const;

/** callback_id of each remediation's confirmation modal: the submission names the action it confirms. */
export const CONFIRM_CALLBACK_IDS: Readonly<Record<ActionId, string>> = {
  'isolate-pod': 'confirm_isolate_pod',
  'release-pod': 'confirm_release_pod',
  'rotate-secret': 'confirm_rotate_secret',
  'cordon-node': 'confirm_cordon_node',
  'uncordon-node': 'confirm_uncordon_node',
};

/** Every callback_id of kubeguard's views. */
export const SLACK_CALLBACK_IDS = {
  auditDetails: AUDIT_DETAILS_CALLBACK_ID,
  /** The modal shown while the worker prepares a plan, and when planning fails. */
  planning: 'remediation_planning',
  /** The App Home tab. */
  home: 'kubeguard_home',
} as const;

/** The action a confirmation modal's callback_id confirms; undefined for any other view. */
export function actionOfConfirmCallback(callbackId: string): ActionId | undefined {
  const found = Object.entries(CONFIRM_CALLBACK_IDS).find(([, id]) => id === callbackId);
  return found?.[0] as ActionId | undefined;
}

// ---- references ----

const ACTION_IDS: readonly ActionId[] = [
  'isolate-pod',
  'release-pod',
  'rotate-secret',
  'cordon-node',
  'uncordon-node',
];
/** A finding fingerprint (core/model/finding.ts: 32 hex characters; a little slack for the future). */
const FINGERPRINT = /^[0-9a-f]{16,64}$/;
/** EKS cluster names: letters, digits, `-` and `_`, starting with a letter or digit, at most 100. */
export const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
/**
 * Kubernetes names and quarantine ids as core/remediation's requireName and requireQuarantineId
 * accept them (a unit test keeps them equal). Not imported from there: those modules pull zod and
 * the network policy evaluator into the Slack ingress bundle, which parses these values.
 */
const KUBE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const QUARANTINE_ID = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** Request ids are kubeguard's (the idempotency key): printable, no spaces, bounded. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Slack user ids. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,30}$/;
/** Secrets Manager secret names and ARNs (ARNs at most 2048 characters). */
const SECRET_ID = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;

/** What the Release button carries: the finding, the cluster and the quarantine to end. */
export interface ReleaseButtonValue {
  fp?: string;
  c?: string;
  /** Namespace and pod of the quarantined pod. */
  ns: string;
  p: string;
  /** Quarantine id (the label value and policy suffix). */
  q: string;
}

/** What a confirmation modal's private_metadata carries: references only, never the plan or a secret. */
export interface ConfirmReference {
  /** The action request id (its idempotency key): the recorded request holds the rest. */
  r: string;
  a: ActionId;
  fp?: string;
  c?: string;
  /** `namespace/pod`, the node name, or the Secrets Manager secret id. Dropped when it does not fit. */
  t?: string;
}

/**
 * What Approve / Deny carry: the request id of the stored plan waiting for approval, and — so the
 * ingress can check the clicker before anything is queued — its action, cluster and requester. The
 * worker checks again against the stored plan.
 */
export interface ApprovalButtonValue {
  r: string;
  a?: ActionId;
  c?: string;
  /** Slack user id of the requester (who may not approve their own request). */
  u?: string;
}

export function encodeReleaseValue(value: ReleaseButtonValue): string {
  return JSON.stringify(value);
}

export function parseReleaseValue(text: string): ReleaseButtonValue | undefined {
  const value = parseObject(text);
  if (value === undefined) return undefined;
  const { fp, c, ns, p, q } = value;
  if (!matches(ns, KUBE_NAME) || !matches(p, KUBE_NAME) || !matches(q, QUARANTINE_ID)) return undefined;
  if (!optional(fp, FINGERPRINT) || !optional(c, EKS_CLUSTER_NAME)) return undefined;
  return {
    ...(fp === undefined ? {} : { fp: fp as string }),
    ...(c === undefined ? {} : { c: c as string }),
    ns: ns as string,
    p: p as string,
    q: q as string,
  };
}

/** JSON within private_metadata's 3000 characters: the target goes first when something must. */
export function encodeConfirmReference(reference: ConfirmReference): string {
  const encoded = JSON.stringify(reference);
  if (encoded.length <= BLOCK_KIT_LIMITS.privateMetadata) return encoded;
  const { t: _target, ...rest } = reference;
  return JSON.stringify(rest);
}

export function parseConfirmReference(text: string): ConfirmReference | undefined {
  const value = parseObject(text);
  if (value === undefined) return undefined;
  const { r, a, fp, c, t } = value;
  if (!matches(r, REQUEST_ID) || !ACTION_IDS.includes(a as ActionId)) return undefined;
  if (!optional(fp, FINGERPRINT) || !optional(c, EKS_CLUSTER_NAME)) return undefined;
  if (t !== undefined && !matches(t, SECRET_ID)) return undefined;
  return {
    r: r as string,
    a: a as ActionId,
    ...(fp === undefined ? {} : { fp: fp as string }),
    ...(c === undefined ? {} : { c: c as string }),
    ...(t === undefined ? {} : { t: t as string }),
  };
}

/** Only references parseApprovalValue accepts are written (a button value holds 2000 characters). */
export function encodeApprovalValue(value: ApprovalButtonValue): string {
  const { r, a, c, u } = value;
  return JSON.stringify({
    r,
    ...(a === undefined ? {} : { a }),
    ...(c === undefined || !EKS_CLUSTER_NAME.test(c) ? {} : { c }),
    ...(u === undefined || !SLACK_USER_ID.test(u) ? {} : { u }),
  });
}

export function parseApprovalValue(text: string): ApprovalButtonValue | undefined {
  const value = parseObject(text);
  if (value === undefined || !matches(value.r, REQUEST_ID)) return undefined;
  const { a, c, u } = value;
  if (a !== undefined && !ACTION_IDS.includes(a as ActionId)) return undefined;
  if (!optional(c, EKS_CLUSTER_NAME) || !optional(u, SLACK_USER_ID)) return undefined;
  return {
    r: value.r as string,
    ...(a === undefined ? {} : { a: a as ActionId }),
    ...(c === undefined ? {} : { c: c as string }),
    ...(u === undefined ? {} : { u: u as string }),
  };
}

/** Whether a value is a finding fingerprint a reference can carry. */
export function isFingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

/** Whether a request id fits in references (listeners mint them; this says which ones are usable). */
export function isRequestId(id: string): boolean {
  return REQUEST_ID.test(id);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (text.length > BLOCK_KIT_LIMITS.privateMetadata) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function matches(value: unknown, pattern: RegExp): boolean {
  return typeof value === 'string' && pattern.test(value);
}

function optional(value: unknown, pattern: RegExp): boolean {
  return value === undefined || matches(value, pattern);
}
