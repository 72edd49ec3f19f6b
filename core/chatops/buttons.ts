import { approvalRequirement } from '../authz/approval.ts';
import type { Role } from '../authz/policy.ts';
import type { KubeguardConfig } from '../config/schema.ts';
import {
  AUDIT_ACTION_IDS,
  buildAuditDetailsLoadingView,
  parseAuditDetailsPage,
  parseAuditReportRef,
} from '../slack-views/audit-report.ts';
import type { ModalView } from '../slack-views/blocks.ts';
import {
  ALERT_ACTION_IDS,
  APPROVAL_ACTION_IDS,
  DIGEST_ACTION_IDS,
  EKS_CLUSTER_NAME,
  OUTCOME_ACTION_IDS,
  parseApprovalValue,
  parseReleaseValue,
} from '../slack-views/ids.ts';
import { buildPolicyForm, parsePolicyButtonValue } from '../slack-views/policy-result.ts';
import { buildSuppressForm } from '../slack-views/suppress-form.ts';
import { invalid } from './commands/args.ts';
import { auditCluster } from './commands/audit.ts';
import type { RequestScope } from './commands/command.ts';
import { POLICIES_PURPOSE, POLICIES_ROLE } from './policy-ask.ts';
import { type PlanAsk, planStart, REMEDIATION_PURPOSE, REMEDIATION_ROLE } from './remediation-ask.ts';
import type { ActionBody } from './requests.ts';

/**
 * What each button does when clicked, keyed by its action_id: the role it needs and a plan — queue
 * work for the action worker (guarded against double clicks), or open a form. A button the bot
 * handles is listed here; Bolt routes only these action ids to the listener (bot/app.ts).
 */
export interface ButtonClick {
  actionId: string;
  value?: string;
  /** The message the button is on; `threadTs` when that message is a reply in a thread. */
  message?: { channel: string; ts: string; threadTs?: string };
  /** The modal the button is in (`view.id` of a block_actions payload from a modal). */
  view?: { id: string };
  /** The click's trigger id: unique, so it also names a modal the plan opens (its external id). */
  triggerId?: string;
  /** Slack user id of the person who clicked. */
  userId?: string;
}

export type ButtonPlan =
  | {
      type: 'enqueue';
      body: ActionBody;
      scope: RequestScope;
      target: string;
      finding?: string;
      /**
       * Whether the button is held for DOUBLE_CLICK_SECONDS whoever clicks it. Off for buttons
       * that only show something (paging a modal): each click is its own request. @default true
       */
      once?: boolean;
      /** A modal the ingress opens before queueing (a loading view the worker then replaces). */
      openFirst?: ModalView;
      /** The role this click needs when the configuration decides it (an approver's); else the spec's. */
      role?: Role;
    }
  | { type: 'open-form'; view: ModalView; scope: RequestScope; target: string; finding?: string }
  /** Refused for who is asking, whatever their role (the requester approving their own request): a denial. */
  | { type: 'refuse'; text: string; detail: string; scope: RequestScope; target: string; role?: Role };

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

const runAuditButton: ButtonSpec = {
  actionId: ALERT_ACTION_IDS.runAudit,
  kind: 'audit',
  role: 'viewer',
  purpose: 'run posture audits',
  plan(click, config) {
    const reference = parseAlertReference(click.value);
    const cluster = auditCluster(reference.c, config, 'the Run audit button of an alert');
    return {
      type: 'enqueue',
      body: {
        kind: 'audit',
        args: {
          cluster,
          finding: reference.fp,
          ...(click.message === undefined
            ? {}
            : { thread: { channel: click.message.channel, ts: click.message.ts } }),
        },
      },
      scope: { cluster },
      target: `cluster ${cluster}`,
      finding: reference.fp,
    };
  },
};

/** A page of a stored audit report; INVALID_ARGUMENT when the value is not one kubeguard wrote. */
function auditPage(value: string | undefined): { ref: string; page: number; cluster: string } {
  const page = parseAuditDetailsPage(value ?? '');
  const where = page === undefined ? undefined : parseAuditReportRef(page.ref);
  if (page === undefined || where === undefined || !EKS_CLUSTER_NAME.test(where.cluster)) {
    throw invalid('this button does not name an audit report kubeguard stored; run /k8s audit again');
  }
  return { ...page, cluster: where.cluster };
}

const showDetailsButton: ButtonSpec = {
  actionId: AUDIT_ACTION_IDS.details,
  kind: 'audit-details',
  role: 'viewer',
  purpose: 'read posture audit reports',
  plan(click) {
    const { ref, page, cluster } = auditPage(click.value);
    if (click.triggerId === undefined) {
      throw invalid('the click carried no trigger_id to open the details with; click Show details again');
    }
    // Reading and laying out the stored report does not fit in the trigger's 3 seconds for large
    // reports (docs/decisions.md, "Show details"): a loading modal now, the worker fills it.
    const externalId = `audit-details:${click.triggerId}`;
    return {
      type: 'enqueue',
      body: { kind: 'audit-details', args: { ref, page, view: { externalId } } },
      scope: { cluster },
      target: `audit report ${ref}`,
      once: false,
      openFirst: buildAuditDetailsLoadingView(ref, page, externalId),
    };
  },
};

/** Previous / next page inside the details modal: the worker updates the same modal. */
function auditPageButton(actionId: string): ButtonSpec {
  return {
    actionId,
    kind: 'audit-details',
    role: 'viewer',
    purpose: 'read posture audit reports',
    plan(click) {
      const { ref, page, cluster } = auditPage(click.value);
      if (click.view === undefined) {
        throw invalid('this page button is not in an audit details modal; click Show details again');
      }
      return {
        type: 'enqueue',
        body: { kind: 'audit-details', args: { ref, page, view: { id: click.view.id } } },
        scope: { cluster },
        target: `audit report ${ref}`,
        once: false,
      };
    },
  };
}

/**
 * "Generate policies" on an audit summary: opens the engine and mode form (nothing is generated
 * before its submission, which is authorized again). The form carries the report and the summary's
 * thread — the summary's own ts, or its parent's when the summary is itself a reply (Run audit
 * answers in the alert's thread), since Slack threads only under a parent message.
 */
const generatePoliciesButton: ButtonSpec = {
  actionId: AUDIT_ACTION_IDS.generatePolicies,
  kind: 'policies',
  role: POLICIES_ROLE,
  purpose: POLICIES_PURPOSE,
  plan(click) {
    const value = parsePolicyButtonValue(click.value ?? '');
    const where = value === undefined ? undefined : parseAuditReportRef(value.ref);
    if (value === undefined || where === undefined) {
      throw invalid('this button does not name an audit report kubeguard stored; run /k8s audit again');
    }
    const message = click.message;
    return {
      type: 'open-form',
      view: buildPolicyForm({
        r: value.ref,
        ...(message === undefined ? {} : { ch: message.channel, ts: message.threadTs ?? message.ts }),
      }),
      scope: { cluster: where.cluster },
      target: `audit report ${value.ref}`,
    };
  },
};

/**
 * A remediation button: the ingress opens the planning modal and queues a `plan` request; each click
 * is its own plan (nothing runs before the confirmation, which is claimed once).
 */
function remediationButton(
  actionId: string,
  kind: string,
  action: PlanAsk['action'],
  ask: (click: ButtonClick) => { ask: PlanAsk; target?: string },
): ButtonSpec {
  return {
    actionId,
    kind,
    role: REMEDIATION_ROLE,
    purpose: REMEDIATION_PURPOSE[action],
    plan(click) {
      const { ask: what, target } = ask(click);
      const start = planStart(what, click.triggerId, target);
      return {
        type: 'enqueue',
        body: start.body,
        scope: start.scope,
        target: start.target,
        ...(start.finding === undefined ? {} : { finding: start.finding }),
        once: false,
        openFirst: start.view,
      };
    },
  };
}

/** The alert's finding: the worker reads the pod or the secret from the stored finding. */
function fromAlert(action: PlanAsk['action']) {
  return (click: ButtonClick) => {
    const reference = parseAlertReference(click.value);
    return {
      ask: { action, finding: reference.fp, ...(reference.c === undefined ? {} : { cluster: reference.c }) },
    };
  };
}

const isolateButton = remediationButton(
  ALERT_ACTION_IDS.isolatePod,
  'isolate',
  'isolate-pod',
  fromAlert('isolate-pod'),
);
const rotateButton = remediationButton(
  ALERT_ACTION_IDS.rotateSecret,
  'rotate',
  'rotate-secret',
  fromAlert('rotate-secret'),
);
const releaseButton = remediationButton(OUTCOME_ACTION_IDS.releasePod, 'release', 'release-pod', (click) => {
  const value = parseReleaseValue(click.value ?? '');
  if (value === undefined) {
    throw invalid(
      'this Release button does not name a quarantine kubeguard made; use /k8s release NAMESPACE/POD',
    );
  }
  return {
    ask: {
      action: 'release-pod',
      namespace: value.ns,
      pod: value.p,
      quarantineId: value.q,
      ...(value.fp === undefined ? {} : { finding: value.fp }),
      ...(value.c === undefined ? {} : { cluster: value.c }),
    },
    target: `Pod ${value.ns}/${value.p}`,
  };
});

/**
 * Approve / Deny of a two-person approval (core/slack-views/approval.ts). The value names the stored
 * plan, its action, cluster and requester (kubeguard wrote it): the clicker needs the configured
 * approver role on that cluster, and the requester is refused whatever their role. The worker checks
 * both again against the stored plan and decides once (core/chatops/handlers/remediation-approval.ts).
 */
function approvalButton(actionId: string, kind: 'approve' | 'deny'): ButtonSpec {
  return {
    actionId,
    kind,
    // The least any approval needs; the plan names the configured role.
    role: 'responder',
    purpose: 'decide on two-person approval requests',
    plan(click, config) {
      const value = parseApprovalValue(click.value ?? '');
      if (value === undefined || !PLAN_REQUEST_ID.test(value.r)) {
        throw invalid(
          'this button does not name a request kubeguard is waiting on; ask for the action again',
        );
      }
      const scope: RequestScope = value.c === undefined ? { anyCluster: true } : { cluster: value.c };
      const need =
        value.a === undefined || value.c === undefined
          ? undefined
          : approvalRequirement(config.authorization, value.a, value.c);
      const role = need?.approverRole ?? 'responder';
      const target = `plan ${value.r}`;
      if (value.u !== undefined && value.u === click.userId) {
        return {
          type: 'refuse',
          text: 'You asked for this action, so you cannot approve or deny it: a second person must. It stays waiting until someone else decides or it expires.',
          detail: 'the requester may not approve or deny their own request',
          scope,
          target,
          role,
        };
      }
      return { type: 'enqueue', body: { kind, args: { plan: value.r } }, scope, target, role };
    },
  };
}

const PLAN_REQUEST_ID = /^r-[0-9a-f]{16}$/;
const SUBSCRIPTION_ID = /^[0-9a-f]{24}$/;

/**
 * The App Home's digest toggles (core/slack-views/home.ts): queued as the `digest` request with
 * `home`, so the worker makes the change and publishes the tab again. One's own subscriptions only:
 * the worker looks the id up among the clicker's.
 */
const digestUnsubscribeButton: ButtonSpec = {
  actionId: DIGEST_ACTION_IDS.unsubscribe,
  kind: 'digest',
  role: 'viewer',
  purpose: 'manage digest subscriptions',
  plan(click) {
    const id = click.value ?? '';
    if (!SUBSCRIPTION_ID.test(id)) {
      throw invalid('this button does not name a digest subscription; /k8s digest list shows yours');
    }
    return {
      type: 'enqueue',
      body: { kind: 'digest', args: { op: 'unsubscribe', id, home: true } },
      scope: { anyCluster: true },
      target: `digest subscription ${id}`,
    };
  },
};

const digestSubscribeWeeklyButton: ButtonSpec = {
  actionId: DIGEST_ACTION_IDS.subscribeWeekly,
  kind: 'digest',
  // A DM digest of every cluster: viewer on every cluster (core/digest subscriptionRequirement).
  role: 'viewer',
  purpose: 'manage digest subscriptions',
  plan() {
    return {
      type: 'enqueue',
      body: { kind: 'digest', args: { op: 'subscribe', frequency: 'weekly', home: true } },
      scope: {},
      target: 'weekly digest of every cluster by direct message',
    };
  },
};

/** The buttons the bot handles, by action_id. */
export const BUTTONS: readonly ButtonSpec[] = [
  acknowledgeButton,
  suppressButton,
  runAuditButton,
  showDetailsButton,
  auditPageButton(AUDIT_ACTION_IDS.previousPage),
  auditPageButton(AUDIT_ACTION_IDS.nextPage),
  generatePoliciesButton,
  isolateButton,
  rotateButton,
  releaseButton,
  approvalButton(APPROVAL_ACTION_IDS.approve, 'approve'),
  approvalButton(APPROVAL_ACTION_IDS.deny, 'deny'),
  digestUnsubscribeButton,
  digestSubscribeWeeklyButton,
];
