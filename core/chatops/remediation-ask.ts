import type { KubeguardConfig } from '../config/schema.ts';
import type { ModalView } from '../slack-views/blocks.ts';
import { buildPlanningModal } from '../slack-views/confirm-modal.ts';
import type { ConfirmReference } from '../slack-views/ids.ts';
import { clusterName, invalid } from './commands/args.ts';
import type { RequestScope } from './commands/command.ts';
import type { ActionArgs, ActionBody, RemediationActionId } from './requests.ts';

/**
 * The start of every remediation, from a button or a command: the ingress opens the planning modal
 * (the trigger id lives about 3 seconds) and queues a `plan` request; the worker makes the dry-run
 * plan and replaces the modal with the confirmation (core/chatops/handlers/remediation-plan.ts).
 * Nothing here reads the cluster: the listener never runs a preflight.
 */

/** What to plan, before the ingress names the modal. */
export type PlanAsk = Omit<ActionArgs<'plan'>, 'view'>;

/** The role each remediation needs (decision D-remediation in docs/decisions.md). */
export const REMEDIATION_ROLE = 'responder' as const;

export const REMEDIATION_PURPOSE: Readonly<Record<RemediationActionId, string>> = {
  'isolate-pod': 'isolate pods',
  'release-pod': 'release quarantined pods',
  'rotate-secret': 'rotate secrets',
};

/** The planning modal's external id: unique per workspace, as the trigger id it was opened with. */
export function planViewId(triggerId: string): string {
  return `plan:${triggerId}`.slice(0, 255);
}

export interface PlanStart {
  body: ActionBody;
  view: ModalView;
  scope: RequestScope;
  target: string;
  finding?: string;
}

/**
 * The `plan` request and the planning modal for `ask`. Until the worker replaces it, the modal's
 * reference names the modal itself (it has no submit button, so nothing is confirmed from it).
 */
export function planStart(ask: PlanAsk, triggerId: string | undefined, target?: string): PlanStart {
  if (triggerId === undefined || triggerId === '') {
    throw invalid('the request carried no trigger_id to open the plan with; try again');
  }
  const view = planViewId(triggerId);
  const reference: ConfirmReference = {
    r: view.slice(0, 128),
    a: ask.action,
    ...(ask.finding === undefined ? {} : { fp: ask.finding }),
    ...(ask.cluster === undefined ? {} : { c: ask.cluster }),
  };
  return {
    body: { kind: 'plan', args: { ...ask, view } },
    view: { ...buildPlanningModal(reference, target, ask.cluster), external_id: view },
    // Without a cluster (a finding read by the worker) the role is checked on any cluster here and
    // on the finding's own cluster by the worker.
    scope: ask.cluster === undefined ? { anyCluster: true } : { cluster: ask.cluster },
    target: target ?? (ask.finding === undefined ? ask.action : `finding ${ask.finding}`),
    ...(ask.finding === undefined ? {} : { finding: ask.finding }),
  };
}

/** `--cluster C`, or the only configured cluster; else the error lists them. */
export function commandCluster(value: string | undefined, config: KubeguardConfig, usage: string): string {
  const names = config.clusters.map((cluster) => cluster.name);
  if (value !== undefined) return clusterName(value, names);
  if (names.length === 1 && names[0] !== undefined) return names[0];
  throw invalid(
    `say which cluster with --cluster; configured clusters: ${names.join(', ')}. Usage: ${usage}`,
  );
}
