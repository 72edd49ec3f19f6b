import type {
  ActionContext,
  ActionMetadata,
  PlannedStep,
  PreflightResult,
  RemediationAction,
} from './action.ts';
import type { EnforcementHint } from './enforcement.ts';
import { captureForensics, FORENSIC_CAPTURES } from './forensics.ts';
import { expectedIsolation, gatherFacts, type IsolationFacts, workloadLabels } from './isolate-facts.ts';
import { type IsolationState, isolationStateOf } from './isolate-state.ts';
import { isolationEffects, isolationWarnings } from './isolate-text.ts';
import { isolationRecovery, verifyIsolation } from './isolate-verify.ts';
import {
  describeRef,
  field,
  findObject,
  type KubeObject,
  labelsOf,
  pointerToken,
  requireName,
  stringField,
} from './kube-objects.ts';
import { guardFor, guardTests } from './plan-guard.ts';
import type { KubeReader } from './ports.ts';
import {
  OTHER_POLICY_RBAC,
  QUARANTINE_ANNOTATION,
  QUARANTINE_LABEL,
  type QuarantineState,
  quarantinePolicy,
  quarantinePolicyName,
  quarantineStateOf,
  requireQuarantineId,
  serializeState,
} from './quarantine.ts';
import { describeStep, executePlan } from './run.ts';

/**
 * Isolate a pod: forensic bundle first, then a unique quarantine label, a NetworkPolicy denying all
 * ingress and egress to that label, and (by default) removal of the labels its Services and
 * controller select it by. The order never leaves the pod less restricted than before: the deny
 * policy selects the pod before any workload label (and the policies attached to it) goes away.
 * Verification evaluates every policy that still selects the pod, since policies only add allows.
 *
 * Every patch is bound to the pod the plan was made for (its uid; the first patch, which records
 * the labels release restores, also its resourceVersion): a pod recreated under the same name
 * since the plan, as a StatefulSet does, is never quarantined by a plan made for its predecessor.
 */

export interface IsolatePodRequest {
  namespace: string;
  pod: string;
  /** Unique per isolation (e.g. the action request id): the label value and the policy name suffix. */
  quarantineId: string;
  /**
   * Remove the labels its Services and controller select on, so Services stop routing to it and the
   * controller replaces it. The removed labels are recorded on the pod for release.
   * @default true
   */
  detach?: boolean;
  /** Let the pod resolve names through the cluster DNS (kube-dns, port 53). @default false */
  allowDns?: boolean;
  /**
   * The VPC CNI add-on's `enableNetworkPolicy` as the AWS side reports it (EKS DescribeAddon):
   * the cluster alone cannot show it. @default 'unknown'
   */
  enforcement?: EnforcementHint;
}

export const ISOLATE_POD_METADATA: ActionMetadata = {
  id: 'isolate-pod',
  title: 'Isolate pod',
  description:
    'Stores a forensic bundle, then quarantines the pod with a deny-all NetworkPolicy on a unique label and detaches it from its Services and controller; reports what the remaining policies still allow.',
  rbac: [
    { apiGroup: '', resource: 'pods', verbs: ['get', 'list', 'patch'] },
    { apiGroup: '', resource: 'pods/log', verbs: ['get'] },
    { apiGroup: '', resource: 'namespaces', verbs: ['list'] },
    { apiGroup: '', resource: 'nodes', verbs: ['get'] },
    { apiGroup: '', resource: 'services', verbs: ['list'] },
    { apiGroup: '', resource: 'events', verbs: ['list'] },
    { apiGroup: '', resource: 'serviceaccounts', verbs: ['get'] },
    { apiGroup: 'apps', resource: 'replicasets', verbs: ['get'] },
    { apiGroup: 'apps', resource: 'deployments', verbs: ['get'] },
    { apiGroup: 'apps', resource: 'statefulsets', verbs: ['get'] },
    { apiGroup: 'apps', resource: 'daemonsets', verbs: ['get', 'list'] },
    { apiGroup: 'batch', resource: 'jobs', verbs: ['get'] },
    { apiGroup: 'policy', resource: 'poddisruptionbudgets', verbs: ['list'] },
    { apiGroup: 'networking.k8s.io', resource: 'networkpolicies', verbs: ['list', 'create'] },
    { apiGroup: 'rbac.authorization.k8s.io', resource: 'roles', verbs: ['get'] },
    { apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', verbs: ['get'] },
    { apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings', verbs: ['list'] },
    { apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', verbs: ['list'] },
    // AdminNetworkPolicies, the baseline, Calico and Cilium policies: verification reads them too.
    ...OTHER_POLICY_RBAC,
  ],
  iamActions: ['eks:DescribeCluster', 's3:PutObject', 'kms:GenerateDataKey'],
  undoneBy: 'release-pod',
  example: {
    request: { namespace: 'shop', pod: 'web-7d4b9c6f5-x2x1z', quarantineId: 'a1b2c3' },
    summary:
      'stores a forensic bundle, labels the pod kubeguard.io/quarantine=a1b2c3, creates NetworkPolicy kubeguard-quarantine-a1b2c3 (deny all), removes the app and pod-template-hash labels; result: isolation complete',
  },
};

export const isolatePod: RemediationAction<IsolatePodRequest> = {
  metadata: ISOLATE_POD_METADATA,
  preflight: preflightIsolation,
  execute: (plan, context) => {
    const state = isolationStateOf(plan);
    return executePlan(plan, context, {
      capture: () =>
        captureForensics(
          {
            namespace: state.namespace,
            pod: state.pod,
            uid: state.uid,
            bundleId: plan.evidence?.bundleId ?? '',
            capturedAt: context.clock(),
            capturedBy: context.actor,
          },
          context.kube,
        ),
      verify: () => verifyIsolation(plan, context),
      recovery: (applied, failed) => isolationRecovery(state, applied, failed),
    });
  },
  verify: verifyIsolation,
};

async function preflightIsolation(
  request: IsolatePodRequest,
  context: ActionContext,
): Promise<PreflightResult> {
  requireName(request.namespace, 'namespace');
  requireName(request.pod, 'pod');
  const quarantineId = requireQuarantineId(request.quarantineId);
  const target = describeRef({ kind: 'Pod', namespace: request.namespace, name: request.pod });
  const pod = await findObject(context.kube, {
    kind: 'Pod',
    namespace: request.namespace,
    name: request.pod,
  });
  if (pod === undefined) {
    return {
      status: 'skipped',
      target,
      reason: `${target} does not exist (deleted or replaced since the finding); list the workload's current pods and isolate the one that matters`,
    };
  }
  const refused = refusal(pod, target);
  if (refused !== undefined) return refused;
  const recorded = quarantineStateOf(pod);
  const facts = await gatherFacts(pod, request.enforcement ?? 'unknown', context.kube);
  const plannedAt = context.clock();
  if (recorded !== undefined) return resumePlan(pod, recorded, facts, request, plannedAt, context.kube);
  return newQuarantinePlan(pod, facts, request, {
    id: quarantineId,
    plannedAt,
    actor: context.actor,
    target,
    kube: context.kube,
  });
}

/** The plan of a pod not yet quarantined: label and record, deny policy, detach. */
async function newQuarantinePlan(
  pod: KubeObject,
  facts: IsolationFacts,
  request: IsolatePodRequest,
  {
    id: quarantineId,
    plannedAt,
    actor,
    target,
    kube,
  }: { id: string; plannedAt: string; actor: string; target: string; kube: KubeReader },
): Promise<PreflightResult> {
  const detachedLabels = request.detach === false ? {} : workloadLabels(pod, facts);
  const state: QuarantineState = {
    id: quarantineId,
    policy: quarantinePolicyName(quarantineId),
    detachedLabels,
    evidence: bundleIdOf(request, plannedAt, quarantineId),
    at: plannedAt,
    by: actor,
  };
  const policy = quarantinePolicy({
    namespace: request.namespace,
    id: quarantineId,
    pod: request.pod,
    allowDns: request.allowDns === true,
  });
  const steps: PlannedStep[] = [
    {
      op: 'patch',
      kind: 'Pod',
      namespace: request.namespace,
      name: request.pod,
      patchType: 'strategic-merge',
      body: {
        metadata: {
          // The record names the labels release restores: written only on the pod as planned.
          ...guardFor(pod, { recordsState: true }),
          labels: { [QUARANTINE_LABEL]: quarantineId },
          annotations: { [QUARANTINE_ANNOTATION]: serializeState(state) },
        },
      },
      why: 'label the pod for its quarantine policy and record what kubeguard changes, so release or a retry can finish from the cluster (only if the pod is still the one planned, unchanged)',
    },
    {
      op: 'create',
      object: policy,
      why: `deny all ingress and egress of pods labelled ${QUARANTINE_LABEL}=${quarantineId}${request.allowDns ? ', except DNS to kube-dns' : ''}`,
    },
    ...detachStep(pod, quarantineId, detachedLabels, facts),
  ];
  const expected = await expectedIsolation(pod, quarantineId, detachedLabels, policy, facts, kube);
  return {
    status: 'ready',
    plan: {
      action: 'isolate-pod',
      target,
      plannedAt,
      summary: `quarantine ${target} as ${quarantineId}: ${expected.summary}`,
      evidence: { bundleId: state.evidence as string, captures: FORENSIC_CAPTURES },
      steps,
      effects: isolationEffects(pod, facts, detachedLabels, expected),
      warnings: isolationWarnings(pod, facts, request.detach === false, detachedLabels),
      state: isolationState(pod, state, facts, expected.summary, false),
    },
  };
}

/** Why the pod cannot be quarantined by NetworkPolicy at all, or is already in someone's hands. */
function refusal(pod: KubeObject, target: string): PreflightResult | undefined {
  if (field(pod, 'spec', 'hostNetwork') === true) {
    const node = stringField(pod, 'spec', 'nodeName') ?? '(not scheduled)';
    return {
      status: 'skipped',
      target,
      reason: `${target} uses the host network: NetworkPolicy does not apply to hostNetwork pods, so a quarantine policy would isolate nothing`,
      recommendation: `isolate the node instead: cordon node ${node} (kubeguard cordon-node) and restrict it at the EC2 security group level`,
      facts: { node },
    };
  }
  const labelled = labelsOf(pod)[QUARANTINE_LABEL];
  if (pod.metadata.annotations?.[QUARANTINE_ANNOTATION] === undefined && labelled !== undefined) {
    return {
      status: 'skipped',
      target,
      reason: `${target} already carries ${QUARANTINE_LABEL}=${labelled} but no kubeguard record (${QUARANTINE_ANNOTATION} annotation): it was labelled by hand; remove the label or finish that quarantine by hand`,
      facts: { quarantineLabel: labelled },
    };
  }
  return undefined;
}

/**
 * A JSON patch that removes the workload labels only if the pod is the planned one, they still hold
 * the values the plan saw and the quarantine label is in place: a pod changed since planning fails
 * the step (422) instead of being detached on stale information.
 */
function detachStep(
  pod: KubeObject,
  quarantineId: string,
  detached: Record<string, string>,
  facts: IsolationFacts,
): PlannedStep[] {
  const entries = Object.entries(detached);
  if (entries.length === 0) return [];
  const labelPath = (key: string) => `/metadata/labels/${pointerToken(key)}`;
  const from = [
    ...facts.services.map((s) => `Service ${s.metadata.name}`),
    ...facts.chain.owners.slice(0, 1).map((o) => `${o.kind} ${o.metadata.name}`),
  ];
  return [
    {
      op: 'patch',
      kind: 'Pod',
      namespace: pod.metadata.namespace as string,
      name: pod.metadata.name,
      patchType: 'json',
      body: [
        ...guardTests(guardFor(pod, { recordsState: false })),
        { op: 'test', path: labelPath(QUARANTINE_LABEL), value: quarantineId },
        ...entries.map(([key, value]) => ({ op: 'test', path: labelPath(key), value })),
        ...entries.map(([key]) => ({ op: 'remove', path: labelPath(key) })),
      ],
      why: `detach the pod from ${from.join(', ') || 'its workload'} by removing ${Object.keys(detached).join(', ')}`,
    },
  ];
}

async function resumePlan(
  pod: KubeObject,
  recorded: QuarantineState,
  facts: IsolationFacts,
  request: IsolatePodRequest,
  plannedAt: string,
  kube: KubeReader,
): Promise<PreflightResult> {
  const target = describeRef({ kind: 'Pod', namespace: request.namespace, name: request.pod });
  const labels = labelsOf(pod);
  const steps: PlannedStep[] = [];
  if (labels[QUARANTINE_LABEL] !== recorded.id) {
    steps.push({
      op: 'patch',
      kind: 'Pod',
      namespace: request.namespace,
      name: request.pod,
      patchType: 'strategic-merge',
      body: {
        metadata: { ...guardFor(pod, { recordsState: false }), labels: { [QUARANTINE_LABEL]: recorded.id } },
      },
      why: `put back the quarantine label ${QUARANTINE_LABEL}=${recorded.id}`,
    });
  }
  const policy = quarantinePolicy({
    namespace: request.namespace,
    id: recorded.id,
    pod: request.pod,
    allowDns: request.allowDns === true,
  });
  if (!facts.policies.some((p) => p.metadata.name === recorded.policy)) {
    steps.push({
      op: 'create',
      object: policy,
      why: `create the missing quarantine policy of ${recorded.id}`,
    });
  }
  const stillAttached = Object.fromEntries(
    Object.entries(recorded.detachedLabels).filter(([key, value]) => labels[key] === value),
  );
  steps.push(...detachStep(pod, recorded.id, stillAttached, facts));
  const existing = facts.policies.find((p) => p.metadata.name === recorded.policy) ?? policy;
  const expected = await expectedIsolation(pod, recorded.id, stillAttached, existing, facts, kube);
  if (steps.length === 0) {
    return {
      status: 'skipped',
      target,
      reason: `${target} is already isolated: quarantine ${recorded.id} since ${recorded.at} by ${recorded.by}, policy ${recorded.policy}; now: ${expected.summary}`,
      facts: { quarantine: recorded, isolation: expected.summary },
    };
  }
  return {
    status: 'ready',
    plan: {
      action: 'isolate-pod',
      target,
      plannedAt,
      summary: `finish quarantine ${recorded.id} of ${target} (${steps.map(describeStep).join('; ')}): ${expected.summary}`,
      steps,
      effects: [
        `resumes quarantine ${recorded.id} recorded on the pod at ${recorded.at} by ${recorded.by}${recorded.evidence ? `; its forensic bundle ${recorded.evidence} was stored then` : ''}`,
        ...isolationEffects(pod, facts, stillAttached, expected),
      ],
      warnings: isolationWarnings(pod, facts, request.detach === false, stillAttached),
      state: isolationState(pod, recorded, facts, expected.summary, true),
    },
  };
}

function isolationState(
  pod: KubeObject,
  quarantine: QuarantineState,
  facts: IsolationFacts,
  expected: string,
  resume: boolean,
): Record<string, unknown> {
  const state: IsolationState = {
    namespace: pod.metadata.namespace as string,
    pod: pod.metadata.name,
    uid: guardFor(pod, { recordsState: false }).uid,
    quarantineId: quarantine.id,
    policy: quarantine.policy,
    detachedLabels: quarantine.detachedLabels,
    enforcement: facts.enforcement,
    expected,
    resume,
  };
  return { ...state };
}

/** `pods/<namespace>/<pod>/<plannedAt as digits>-<quarantine id>`: unique per capture. */
function bundleIdOf(request: IsolatePodRequest, plannedAt: string, quarantineId: string): string {
  const stamp = plannedAt.replace(/[^0-9TZ]/g, '').toLowerCase();
  return `pods/${request.namespace}/${request.pod}/${stamp}-${quarantineId}`;
}
