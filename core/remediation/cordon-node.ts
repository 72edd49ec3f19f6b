import { KubeguardError } from '../errors.ts';
import * as z from '../zod.ts';
import type {
  ActionContext,
  ActionMetadata,
  PreflightResult,
  RemediationAction,
  RemediationPlan,
  Verification,
} from './action.ts';
import { describeRef, field, findObject, type KubeObject, requireName } from './kube-objects.ts';
import { guardFor } from './plan-guard.ts';
import { readPlanState } from './plan-state.ts';
import { requireQuarantineId } from './quarantine.ts';
import { executePlan } from './run.ts';

/**
 * Cordon a node for runtime findings on the host (and for hostNetwork pods, which NetworkPolicy
 * cannot isolate): mark it unschedulable and label it, without draining. Its pods keep running for
 * investigation; moving them is a human decision. Uncordon restores what was there before.
 *
 * Both patches are bound to the node as planned: its uid, and its resourceVersion, because each
 * records or restores schedulability. A node cordoned by hand after the plan is therefore never
 * recorded as "was schedulable" (which uncordon would later undo), and uncordon never undoes a
 * change made to the node after its plan; either fails and says to plan again.
 */

export const CORDON_LABEL = 'kubeguard.io/cordon';
/** JSON `CordonState` on the node, written in the same patch as the label. */
export const CORDON_ANNOTATION = 'kubeguard.io/cordon';
export const UNCORDONED_ANNOTATION = 'kubeguard.io/cordon-released';

const cordonStateSchema = z.strictObject({
  id: z.string(),
  wasUnschedulable: z.boolean(),
  at: z.string(),
  by: z.string(),
  reason: z.optional(z.string()),
});

/** The plan's `state` (cordon and uncordon alike), validated when execute or verify reads it. */
const planStateSchema = z.strictObject({
  node: z.string().check(z.minLength(1)),
  uid: z.string().check(z.minLength(1)),
  id: z.string(),
  wasUnschedulable: z.boolean(),
});

type CordonState = z.infer<typeof cordonStateSchema>;

export interface CordonNodeRequest {
  node: string;
  /** Unique per cordon (e.g. the action request id); the label value. */
  cordonId: string;
  /** Why, recorded on the node (e.g. the finding id). */
  reason?: string;
}

export interface UncordonNodeRequest {
  node: string;
}

const PODS_NAMED = 10;

export const CORDON_NODE_METADATA: ActionMetadata = {
  id: 'cordon-node',
  title: 'Cordon node',
  description:
    'Marks the node unschedulable and labels it as under investigation; evicts nothing, so its pods keep running.',
  rbac: [
    { apiGroup: '', resource: 'nodes', verbs: ['get', 'patch'] },
    { apiGroup: '', resource: 'pods', verbs: ['list'] },
  ],
  iamActions: ['eks:DescribeCluster'],
  undoneBy: 'uncordon-node',
  example: {
    request: { node: 'ip-10-0-1-23.eu-west-1.compute.internal', cordonId: 'a1b2c3' },
    summary:
      'sets spec.unschedulable and kubeguard.io/cordon=a1b2c3 on the node; 14 pods keep running (no drain)',
  },
};

export const UNCORDON_NODE_METADATA: ActionMetadata = {
  id: 'uncordon-node',
  title: 'Uncordon node',
  description: 'Undoes cordon-node: restores schedulability as it was before and removes the label.',
  rbac: [{ apiGroup: '', resource: 'nodes', verbs: ['get', 'patch'] }],
  iamActions: ['eks:DescribeCluster'],
  example: {
    request: { node: 'ip-10-0-1-23.eu-west-1.compute.internal' },
    summary: 'clears spec.unschedulable and removes kubeguard.io/cordon from the node',
  },
};

export const cordonNode: RemediationAction<CordonNodeRequest> = {
  metadata: CORDON_NODE_METADATA,
  preflight: async (request, context) => {
    requireName(request.node, 'node');
    const id = requireQuarantineId(request.cordonId);
    const target = describeRef({ kind: 'Node', name: request.node });
    const node = await findObject(context.kube, { kind: 'Node', name: request.node });
    if (node === undefined) return { status: 'skipped', target, reason: `${target} does not exist` };
    const existing = cordonStateOf(node);
    if (existing !== undefined) {
      return {
        status: 'skipped',
        target,
        reason: `${target} is already cordoned by kubeguard: ${existing.id} since ${existing.at} by ${existing.by}`,
        facts: { cordon: existing },
      };
    }
    const wasUnschedulable = field(node, 'spec', 'unschedulable') === true;
    const plannedAt = context.clock();
    const state: CordonState = {
      id,
      wasUnschedulable,
      at: plannedAt,
      by: context.actor,
      ...(request.reason ? { reason: request.reason } : {}),
    };
    const pods = await context.kube.list({ kind: 'Pod', fieldSelector: `spec.nodeName=${request.node}` });
    return {
      status: 'ready',
      plan: {
        action: 'cordon-node',
        target,
        plannedAt,
        summary: `cordon ${target} (no drain): ${keepRunning(pods.length)}`,
        steps: [
          {
            op: 'patch',
            kind: 'Node',
            name: request.node,
            patchType: 'strategic-merge',
            body: {
              metadata: {
                ...guardFor(node, { recordsState: true }),
                labels: { [CORDON_LABEL]: id },
                annotations: { [CORDON_ANNOTATION]: JSON.stringify(state) },
              },
              spec: { unschedulable: true },
            },
            why: 'stop scheduling onto the node and mark it as under investigation, recording whether it was already cordoned (only if the node is unchanged since the plan)',
          },
        ],
        effects: cordonEffects(pods),
        warnings: wasUnschedulable
          ? [
              'the node is already unschedulable (cordoned by someone else): uncordon will leave it unschedulable',
            ]
          : [],
        state: planState(node, id, wasUnschedulable),
      },
    };
  },
  execute: (plan, context) =>
    executePlan(plan, context, {
      verify: () => verifyCordon(plan, context),
      recovery: () => 'nothing was changed: the node patch is a single write; fix the cause and cordon again',
    }),
  verify: (plan, context) => verifyCordon(plan, context),
};

function cordonEffects(pods: readonly KubeObject[]): string[] {
  const names = pods.slice(0, PODS_NAMED).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
  const more = pods.length > PODS_NAMED ? ` and ${pods.length - PODS_NAMED} more` : '';
  return [
    'the scheduler places no new pods on the node; nothing is evicted (no drain)',
    pods.length === 0 ? 'no pods run on the node' : `${keepRunning(pods.length)}: ${names.join(', ')}${more}`,
    'DaemonSet pods tolerate unschedulable nodes: they keep running and come back there if deleted',
    'a compromised host also needs network isolation (EC2 security group), credential revocation and a volume snapshot: cordoning contains scheduling only',
  ];
}

function keepRunning(count: number): string {
  return count === 1 ? '1 pod keeps running' : `${count} pods keep running`;
}

function planState(node: KubeObject, id: string, wasUnschedulable: boolean): Record<string, unknown> {
  const state: z.infer<typeof planStateSchema> = {
    node: node.metadata.name,
    uid: guardFor(node, { recordsState: false }).uid,
    id,
    wasUnschedulable,
  };
  return { ...state };
}

async function verifyCordon(plan: RemediationPlan, context: ActionContext): Promise<Verification> {
  const { node: name, id, uid } = readPlanState(plan, planStateSchema, 'cordon-node');
  const node = await findObject(context.kube, { kind: 'Node', name });
  if (node === undefined) return { complete: false, summary: `node ${name} no longer exists` };
  if (node.metadata.uid !== uid) return replaced(name, uid, node);
  const unschedulable = field(node, 'spec', 'unschedulable') === true;
  const labelled = node.metadata.labels?.[CORDON_LABEL] === id;
  if (unschedulable && labelled)
    return { complete: true, summary: `node ${name} cordoned (${CORDON_LABEL}=${id})` };
  const gaps = [
    ...(unschedulable ? [] : ['is schedulable']),
    ...(labelled ? [] : [`lacks ${CORDON_LABEL}=${id}`]),
  ];
  return { complete: false, summary: `node ${name} ${gaps.join(' and ')}` };
}

export const uncordonNode: RemediationAction<UncordonNodeRequest> = {
  metadata: UNCORDON_NODE_METADATA,
  preflight: async (request, context): Promise<PreflightResult> => {
    requireName(request.node, 'node');
    const target = describeRef({ kind: 'Node', name: request.node });
    const node = await findObject(context.kube, { kind: 'Node', name: request.node });
    if (node === undefined) return { status: 'skipped', target, reason: `${target} does not exist` };
    const state = cordonStateOf(node);
    if (state === undefined) {
      return {
        status: 'skipped',
        target,
        reason: `${target} is not cordoned by kubeguard (no ${CORDON_ANNOTATION} record)`,
      };
    }
    const plannedAt = context.clock();
    const released = JSON.stringify({ id: state.id, at: plannedAt, by: context.actor });
    return {
      status: 'ready',
      plan: {
        action: 'uncordon-node',
        target,
        plannedAt,
        summary: `uncordon ${target}: end cordon ${state.id}${state.wasUnschedulable ? ' (it stays unschedulable, as it was before)' : ''}`,
        steps: [
          {
            op: 'patch',
            kind: 'Node',
            name: request.node,
            patchType: 'strategic-merge',
            body: {
              metadata: {
                ...guardFor(node, { recordsState: true }),
                labels: { [CORDON_LABEL]: null },
                annotations: { [CORDON_ANNOTATION]: null, [UNCORDONED_ANNOTATION]: released },
              },
              spec: { unschedulable: state.wasUnschedulable ? true : null },
            },
            why: 'restore schedulability as it was before the cordon and record its end (only if the node is unchanged since the plan)',
          },
        ],
        effects: [
          state.wasUnschedulable
            ? 'the node stays unschedulable'
            : 'the scheduler may place pods on the node again',
        ],
        warnings: [],
        state: planState(node, state.id, state.wasUnschedulable),
      },
    };
  },
  execute: (plan, context) =>
    executePlan(plan, context, {
      verify: () => verifyUncordon(plan, context),
      recovery: () =>
        'nothing was changed: the node patch is a single write; fix the cause and uncordon again',
    }),
  verify: (plan, context) => verifyUncordon(plan, context),
};

async function verifyUncordon(plan: RemediationPlan, context: ActionContext): Promise<Verification> {
  const { node: name, id, uid, wasUnschedulable } = readPlanState(plan, planStateSchema, 'uncordon-node');
  const node = await findObject(context.kube, { kind: 'Node', name });
  if (node === undefined) return { complete: false, summary: `node ${name} no longer exists` };
  if (node.metadata.uid !== uid) return replaced(name, uid, node);
  const unschedulable = field(node, 'spec', 'unschedulable') === true;
  const complete = node.metadata.labels?.[CORDON_LABEL] === undefined && unschedulable === wasUnschedulable;
  return {
    complete,
    summary: complete
      ? `cordon ${id} of node ${name} ended${wasUnschedulable ? '; the node stays unschedulable as before' : ''}`
      : `node ${name} is ${unschedulable ? 'unschedulable' : 'schedulable'}${node.metadata.labels?.[CORDON_LABEL] ? ` and still carries ${CORDON_LABEL}` : ''}`,
  };
}

function replaced(name: string, uid: string, node: KubeObject): Verification {
  return {
    complete: false,
    summary: `node ${name} was replaced after the plan (uid ${uid} → ${node.metadata.uid ?? 'none'}): the new node was not touched`,
  };
}

function cordonStateOf(node: KubeObject): CordonState | undefined {
  const raw = node.metadata.annotations?.[CORDON_ANNOTATION];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const result = cordonStateSchema.safeParse(parsed);
  if (result.success) return result.data;
  throw new KubeguardError(
    'PRECONDITION_FAILED',
    `node ${node.metadata.name} has a ${CORDON_ANNOTATION} annotation kubeguard cannot read (${raw.slice(0, 200)}); inspect the node and remove the annotation and the ${CORDON_LABEL} label by hand`,
    { details: { annotation: raw.slice(0, 200) } },
  );
}
