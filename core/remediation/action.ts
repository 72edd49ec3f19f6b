import type { Clock } from '../ports.ts';
import type { KubeKind, KubeObject } from './kube-objects.ts';
import type { DeletePreconditions, EvidenceReceipt, EvidenceStore, KubeClient, PatchType } from './ports.ts';

/**
 * The contract every remediation action follows (design §3.4): it describes itself, reads the
 * cluster in a preflight that never writes, turns the preflight into a plan that lists every write,
 * executes exactly that plan, verifies what holds afterwards, and can be undone. Each run ends
 * done, failed or skipped with a reason: never a silent no-op.
 */

export type ActionId = 'isolate-pod' | 'release-pod' | 'cordon-node' | 'uncordon-node' | 'rotate-secret';

/** One RBAC rule the bot's ClusterRole must grant for the action. */
export interface RbacRule {
  /** `''` for the core group. */
  apiGroup: string;
  /** Plural, or `pods/log` for a subresource. */
  resource: string;
  verbs: readonly ('get' | 'list' | 'create' | 'patch' | 'delete')[];
}

export interface ActionMetadata {
  id: ActionId;
  title: string;
  description: string;
  /** Kubernetes permissions used by preflight, execute, verify (and the forensic capture). */
  rbac: readonly RbacRule[];
  /** AWS permissions of the worker, beyond reaching the cluster. */
  iamActions: readonly string[];
  /** The action this one is undone by. */
  undoneBy?: ActionId;
  example: { request: Record<string, unknown>; summary: string };
}

export interface ActionContext {
  kube: KubeClient;
  evidence: EvidenceStore;
  clock: Clock;
  /** Who asked (Slack user, CLI user): recorded on the objects and in the outcome. */
  actor: string;
}

/** One write, in the form execute sends it. */
export type PlannedStep =
  | { op: 'create'; object: KubeObject; why: string }
  | {
      op: 'patch';
      kind: KubeKind;
      namespace?: string;
      name: string;
      patchType: PatchType;
      body: unknown;
      why: string;
    }
  | {
      op: 'delete';
      kind: KubeKind;
      namespace?: string;
      name: string;
      preconditions?: DeletePreconditions;
      why: string;
    };

/**
 * What the confirmation shows and what execute does: `steps` are the only writes, in order;
 * `captures` are read and stored as a forensic bundle before the first step.
 */
export interface RemediationPlan {
  action: ActionId;
  /** `Pod shop/web-7d4b9-x2x1z`, `Node ip-10-0-1-2.ec2.internal`. */
  target: string;
  /** When the plan was made (the clock at planning). */
  plannedAt: string;
  summary: string;
  /** Forensic capture before any change; absent when nothing is captured. */
  evidence?: { bundleId: string; captures: readonly string[] };
  steps: readonly PlannedStep[];
  /** What keeps running and what else changes as a consequence (replacements, endpoints…). */
  effects: readonly string[];
  warnings: readonly string[];
  /** The state the plan starts from, for the action's own execute/verify. */
  state: Readonly<Record<string, unknown>>;
}

export type PreflightResult =
  | { status: 'ready'; plan: RemediationPlan }
  | {
      status: 'skipped';
      target: string;
      reason: string;
      /** What to do instead, e.g. cordon the node of a hostNetwork pod. */
      recommendation?: string;
      /** Facts gathered on the way (an existing quarantine, the node name…). */
      facts?: Readonly<Record<string, unknown>>;
    };

export interface AppliedStep {
  step: PlannedStep;
  /** resourceVersion of the object after the write, when it returned one. */
  resourceVersion?: string;
}

export interface Verification {
  /** True only when everything the action promised holds now. */
  complete: boolean;
  /** One line: `isolation complete`, `partial: …`, `node cordoned`. */
  summary: string;
  details?: Readonly<Record<string, unknown>>;
}

export interface OutcomeError {
  code: string;
  message: string;
  details: Readonly<Record<string, unknown>>;
}

export type ActionOutcome =
  | {
      status: 'done';
      action: ActionId;
      target: string;
      plan: RemediationPlan;
      applied: AppliedStep[];
      evidence?: EvidenceReceipt;
      verification: Verification;
      at: string;
      actor: string;
    }
  | {
      status: 'failed';
      action: ActionId;
      target: string;
      plan?: RemediationPlan;
      applied: AppliedStep[];
      failedStep?: PlannedStep;
      evidence?: EvidenceReceipt;
      error: OutcomeError;
      /** How to finish or roll back from the state left behind. */
      recovery: string;
      at: string;
      actor: string;
    }
  | {
      status: 'skipped';
      action: ActionId;
      target: string;
      reason: string;
      recommendation?: string;
      facts?: Readonly<Record<string, unknown>>;
      at: string;
      actor: string;
    };

export interface RemediationAction<Request> {
  metadata: ActionMetadata;
  /** Reads only. Invalid requests throw INVALID_ARGUMENT; an action that does not apply is skipped. */
  preflight(request: Request, context: ActionContext): Promise<PreflightResult>;
  /** Forensic capture (when planned) then the plan's steps, in order. */
  execute(plan: RemediationPlan, context: ActionContext): Promise<ActionOutcome>;
  /** Reads the cluster again and says what holds. */
  verify(plan: RemediationPlan, context: ActionContext): Promise<Verification>;
}
