import type { IsolationReport } from '../netpol/isolation.ts';
import type {
  ActionContext,
  ActionMetadata,
  AppliedStep,
  PlannedStep,
  PreflightResult,
  RemediationAction,
  RemediationPlan,
  Verification,
} from './action.ts';
import {
  detectEnforcement,
  ENFORCEMENT_NAMESPACES,
  type EnforcementHint,
  type EnforcementReport,
} from './enforcement.ts';
import { captureForensics, FORENSIC_CAPTURES } from './forensics.ts';
import {
  describeRef,
  field,
  findObject,
  type KubeObject,
  labelsOf,
  numberField,
  pointerToken,
  requireName,
  serviceSelects,
  stringField,
} from './kube-objects.ts';
import type { KubeReader } from './ports.ts';
import {
  evaluateIsolation,
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
import {
  budgetsCounting,
  controllerSelectorKeys,
  describeBudget,
  describeChain,
  describeReplicas,
  type OwnerChain,
  ownerChain,
  replacementEffect,
  serviceSelectorKeys,
  servicesSelecting,
} from './workload.ts';

/**
 * Isolate a pod: forensic bundle first, then a unique quarantine label, a NetworkPolicy denying all
 * ingress and egress to that label, and (by default) removal of the labels its Services and
 * controller select it by. The order never leaves the pod less restricted than before: the deny
 * policy selects the pod before any workload label (and the policies attached to it) goes away.
 * Verification evaluates every policy that still selects the pod, since policies only add allows.
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
  ],
  iamActions: ['eks:DescribeCluster', 's3:PutObject', 'kms:GenerateDataKey'],
  undoneBy: 'release-pod',
  example: {
    request: { namespace: 'shop', pod: 'web-7d4b9c6f5-x2x1z', quarantineId: 'a1b2c3' },
    summary:
      'stores a forensic bundle, labels the pod kubeguard.io/quarantine=a1b2c3, creates NetworkPolicy kubeguard-quarantine-a1b2c3 (deny all), removes the app and pod-template-hash labels; result: isolation complete',
  },
};

/** The plan's `state`, read back by execute and verify. */
interface IsolationState {
  namespace: string;
  pod: string;
  quarantineId: string;
  policy: string;
  detachedLabels: Record<string, string>;
  enforcement: EnforcementReport;
  /** The isolation the plan leads to, evaluated before anything changes. */
  expected: string;
  resume: boolean;
}

export const isolatePod: RemediationAction<IsolatePodRequest> = {
  metadata: ISOLATE_POD_METADATA,
  preflight: preflightIsolation,
  execute: (plan, context) => {
    const state = plan.state as unknown as IsolationState;
    return executePlan(plan, context, {
      capture: () =>
        captureForensics(
          {
            namespace: state.namespace,
            pod: state.pod,
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
  if (recorded !== undefined) return resumePlan(pod, recorded, facts, request, plannedAt);
  return newQuarantinePlan(pod, facts, request, {
    id: quarantineId,
    plannedAt,
    actor: context.actor,
    target,
  });
}

/** The plan of a pod not yet quarantined: label and record, deny policy, detach. */
function newQuarantinePlan(
  pod: KubeObject,
  facts: IsolationFacts,
  request: IsolatePodRequest,
  {
    id: quarantineId,
    plannedAt,
    actor,
    target,
  }: { id: string; plannedAt: string; actor: string; target: string },
): PreflightResult {
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
          labels: { [QUARANTINE_LABEL]: quarantineId },
          annotations: { [QUARANTINE_ANNOTATION]: serializeState(state) },
        },
      },
      why: 'label the pod for its quarantine policy and record what kubeguard changes, so release or a retry can finish from the cluster',
    },
    {
      op: 'create',
      object: policy,
      why: `deny all ingress and egress of pods labelled ${QUARANTINE_LABEL}=${quarantineId}${request.allowDns ? ', except DNS to kube-dns' : ''}`,
    },
    ...detachStep(request.namespace, request.pod, quarantineId, detachedLabels, facts),
  ];
  const expected = expectedIsolation(pod, quarantineId, detachedLabels, policy, facts);
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
      warnings: isolationWarnings(pod, facts, request, detachedLabels),
      state: isolationState(request, state, facts, expected.summary, false),
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

interface IsolationFacts {
  chain: OwnerChain;
  services: KubeObject[];
  budgets: KubeObject[];
  enforcement: EnforcementReport;
  policies: KubeObject[];
  namespaces: KubeObject[];
  pods: KubeObject[];
}

async function gatherFacts(
  pod: KubeObject,
  hint: EnforcementHint,
  kube: KubeReader,
): Promise<IsolationFacts> {
  const namespace = pod.metadata.namespace as string;
  const labels = labelsOf(pod);
  const chain = await ownerChain(pod, kube);
  const services = servicesSelecting(await kube.list({ kind: 'Service', namespace }), labels);
  const budgets = budgetsCounting(await kube.list({ kind: 'PodDisruptionBudget', namespace }), labels);
  const daemonSets = (
    await Promise.all(ENFORCEMENT_NAMESPACES.map((ns) => kube.list({ kind: 'DaemonSet', namespace: ns })))
  ).flat();
  return {
    chain,
    services,
    budgets,
    enforcement: detectEnforcement(daemonSets, hint),
    policies: await kube.list({ kind: 'NetworkPolicy', namespace }),
    namespaces: await kube.list({ kind: 'Namespace' }),
    pods: await kube.list({ kind: 'Pod' }),
  };
}

/** The pod's labels its direct controller and its Services select on (the quarantine label aside). */
function workloadLabels(pod: KubeObject, facts: IsolationFacts): Record<string, string> {
  const labels = labelsOf(pod);
  const keys = new Set([...controllerSelectorKeys(facts.chain), ...serviceSelectorKeys(facts.services)]);
  keys.delete(QUARANTINE_LABEL);
  return Object.fromEntries(Object.entries(labels).filter(([key]) => keys.has(key)));
}

/**
 * A JSON patch that removes the workload labels only if they still hold the values the plan saw and
 * the quarantine label is in place: a pod changed since planning fails the step (422) instead of
 * being detached on stale information.
 */
function detachStep(
  namespace: string,
  pod: string,
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
      namespace,
      name: pod,
      patchType: 'json',
      body: [
        { op: 'test', path: labelPath(QUARANTINE_LABEL), value: quarantineId },
        ...entries.map(([key, value]) => ({ op: 'test', path: labelPath(key), value })),
        ...entries.map(([key]) => ({ op: 'remove', path: labelPath(key) })),
      ],
      why: `detach the pod from ${from.join(', ') || 'its workload'} by removing ${Object.keys(detached).join(', ')}`,
    },
  ];
}

function expectedIsolation(
  pod: KubeObject,
  quarantineId: string,
  detached: Record<string, string>,
  policy: KubeObject,
  facts: IsolationFacts,
): IsolationReport {
  const labels = labelsOf(pod);
  for (const key of Object.keys(detached)) delete labels[key];
  labels[QUARANTINE_LABEL] = quarantineId;
  const after: KubeObject = { ...pod, metadata: { ...pod.metadata, labels } };
  const policies = [...facts.policies.filter((p) => p.metadata.name !== policy.metadata.name), policy];
  return evaluateIsolation(after, policies, facts.namespaces, facts.pods);
}

function isolationEffects(
  pod: KubeObject,
  facts: IsolationFacts,
  detached: Record<string, string>,
  expected: IsolationReport,
): string[] {
  const detaching = Object.keys(detached).length > 0;
  const effects = [
    'the pod keeps running: its processes, volumes and memory stay available for investigation; connections opened before the policy may survive it on some CNIs (Calico keeps established flows), so pair isolation with deleting the pod once the evidence is secured',
    `owner chain: ${describeChain(facts.chain)}`,
  ];
  const replicas = describeReplicas(facts.chain);
  if (replicas) effects.push(replicas);
  if (detaching) {
    if (facts.chain.owners.length > 0 || facts.chain.unresolved)
      effects.push(replacementEffect(facts.chain, pod));
    if (facts.services.length > 0) {
      effects.push(
        `Services ${facts.services.map((s) => s.metadata.name).join(', ')} stop routing to the pod`,
      );
    }
  }
  for (const budget of facts.budgets) {
    effects.push(
      `${describeBudget(budget)}: ${detaching ? 'the pod stops counting toward it until a replacement is ready' : 'the pod still counts toward it'}; isolation evicts nothing, so the budget does not block it`,
    );
  }
  effects.push(`expected after isolation: ${expected.summary}`);
  return effects;
}

function isolationWarnings(
  pod: KubeObject,
  facts: IsolationFacts,
  request: IsolatePodRequest,
  detached: Record<string, string>,
): string[] {
  const warnings: string[] = [];
  if (!facts.enforcement.visible) warnings.push(facts.enforcement.summary);
  const vpcCniMayEnforce =
    facts.enforcement.engines.length === 0 || facts.enforcement.engines.some((e) => e.includes('VPC CNI'));
  // A controller whose selector labels are removed releases the pod and drops its ownerReference.
  const controllerKeys = controllerSelectorKeys(facts.chain);
  const standaloneAfter =
    (pod.metadata.ownerReferences ?? []).length === 0 ||
    Object.keys(detached).some((k) => controllerKeys.includes(k));
  if (vpcCniMayEnforce && standaloneAfter) {
    warnings.push(
      'the EKS documentation says VPC CNI network policies do not apply to pods without metadata.ownerReferences, and a detached pod loses its ownerReference when its controller releases it: confirm with a connection test, or isolate with detach off',
    );
  }
  if ((stringField(pod, 'spec', 'nodeName') ?? '').startsWith('fargate-')) {
    warnings.push(
      'the pod runs on Fargate, where the VPC CNI does not enforce NetworkPolicy: use a CNI that does, or delete the pod after capture',
    );
  }
  const blocked = facts.budgets.filter((b) => numberField(b, 'status', 'disruptionsAllowed') === 0);
  if (blocked.length > 0 && Object.keys(detached).length > 0) {
    warnings.push(
      `${blocked.map((b) => b.metadata.name).join(', ')} allow no disruption now: detaching the pod takes the workload below its budget until the replacement is ready`,
    );
  }
  if (request.detach === false) {
    warnings.push(
      'detach is off: Services still route to the pod and the policies that select its workload labels still apply (see the expected result)',
    );
  }
  return warnings;
}

function resumePlan(
  pod: KubeObject,
  recorded: QuarantineState,
  facts: IsolationFacts,
  request: IsolatePodRequest,
  plannedAt: string,
): PreflightResult {
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
      body: { metadata: { labels: { [QUARANTINE_LABEL]: recorded.id } } },
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
  steps.push(...detachStep(request.namespace, request.pod, recorded.id, stillAttached, facts));
  const existing = facts.policies.find((p) => p.metadata.name === recorded.policy) ?? policy;
  const expected = expectedIsolation(pod, recorded.id, stillAttached, existing, facts);
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
      warnings: isolationWarnings(pod, facts, request, stillAttached),
      state: isolationState(request, recorded, facts, expected.summary, true),
    },
  };
}

function isolationState(
  request: IsolatePodRequest,
  quarantine: QuarantineState,
  facts: IsolationFacts,
  expected: string,
  resume: boolean,
): Record<string, unknown> {
  const state: IsolationState = {
    namespace: request.namespace,
    pod: request.pod,
    quarantineId: quarantine.id,
    policy: quarantine.policy,
    detachedLabels: quarantine.detachedLabels,
    enforcement: facts.enforcement,
    expected,
    resume,
  };
  return { ...state };
}

async function verifyIsolation(plan: RemediationPlan, context: ActionContext): Promise<Verification> {
  const state = plan.state as unknown as IsolationState;
  const kube = context.kube;
  const pod = await findObject(kube, { kind: 'Pod', namespace: state.namespace, name: state.pod });
  if (pod === undefined)
    return { complete: false, summary: `the pod ${state.namespace}/${state.pod} no longer exists` };
  const [policies, namespaces, pods] = await Promise.all([
    kube.list({ kind: 'NetworkPolicy', namespace: state.namespace }),
    kube.list({ kind: 'Namespace' }),
    kube.list({ kind: 'Pod' }),
  ]);
  const report = evaluateIsolation(pod, policies, namespaces, pods);
  const gaps: string[] = [];
  if (labelsOf(pod)[QUARANTINE_LABEL] !== state.quarantineId)
    gaps.push(`the pod lacks ${QUARANTINE_LABEL}=${state.quarantineId}`);
  if (!policies.some((p) => p.metadata.name === state.policy))
    gaps.push(`the policy ${state.policy} is missing`);
  const stillAttached = Object.keys(state.detachedLabels).filter((key) => key in labelsOf(pod));
  if (stillAttached.length > 0) gaps.push(`the pod still carries ${stillAttached.join(', ')}`);
  const services = (await kube.list({ kind: 'Service', namespace: state.namespace })).filter((s) =>
    serviceSelects(s, labelsOf(pod)),
  );
  if (Object.keys(state.detachedLabels).length > 0 && services.length > 0) {
    gaps.push(`Services ${services.map((s) => s.metadata.name).join(', ')} still select it`);
  }
  if (!state.enforcement.visible) gaps.push(`but ${state.enforcement.summary}`);
  const complete = report.complete && gaps.length === 0;
  return {
    complete,
    summary: gaps.length === 0 ? report.summary : `${report.summary}; ${gaps.join('; ')}`,
    details: {
      isolation: report,
      enforcement: state.enforcement,
      quarantineId: state.quarantineId,
      policy: state.policy,
    },
  };
}

function isolationRecovery(
  state: IsolationState,
  applied: readonly AppliedStep[],
  failed: PlannedStep,
): string {
  const failedText = describeStep(failed);
  if (applied.length === 0) {
    return `nothing on the cluster was changed (${failedText} failed first); fix the cause and run isolate again`;
  }
  return `the pod carries ${QUARANTINE_LABEL}=${state.quarantineId} and kubeguard's ${QUARANTINE_ANNOTATION} record; ${failedText} failed: run isolate again to finish from the record, or release the pod to undo what was applied (${applied.map((a) => describeStep(a.step)).join('; ')})`;
}

/** `pods/<namespace>/<pod>/<plannedAt as digits>-<quarantine id>`: unique per capture. */
function bundleIdOf(request: IsolatePodRequest, plannedAt: string, quarantineId: string): string {
  const stamp = plannedAt.replace(/[^0-9TZ]/g, '').toLowerCase();
  return `pods/${request.namespace}/${request.pod}/${stamp}-${quarantineId}`;
}
