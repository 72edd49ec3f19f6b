import * as z from '../zod.ts';
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
  describeRef,
  findObject,
  type KubeObject,
  labelsOf,
  pointerToken,
  requireName,
  serviceSelects,
} from './kube-objects.ts';
import { guardFor, guardTests } from './plan-guard.ts';
import { readPlanState } from './plan-state.ts';
import {
  QUARANTINE_ANNOTATION,
  QUARANTINE_LABEL,
  type QuarantineState,
  quarantinePolicyName,
  quarantineStateOf,
  RELEASED_ANNOTATION,
  requireQuarantineId,
} from './quarantine.ts';
import { describeStep, executePlan } from './run.ts';

/**
 * Release a quarantined pod (the undo of isolate-pod): delete its quarantine NetworkPolicy, restore
 * the workload labels recorded on the pod, remove the quarantine label and record, and leave a
 * `kubeguard.io/quarantine-released` annotation saying which quarantine ended, when and by whom.
 * Works from whatever state a failed isolate or release left behind.
 */

export interface ReleasePodRequest {
  namespace: string;
  pod: string;
  /**
   * Needed only when the pod is gone or carries no record: then release deletes the leftover
   * policy `kubeguard-quarantine-<id>`.
   */
  quarantineId?: string;
}

export const RELEASE_POD_METADATA: ActionMetadata = {
  id: 'release-pod',
  title: 'Release pod',
  description:
    'Ends a quarantine: deletes the quarantine NetworkPolicy, restores the labels isolation removed and records the release on the pod.',
  rbac: [
    { apiGroup: '', resource: 'pods', verbs: ['get', 'patch'] },
    { apiGroup: '', resource: 'services', verbs: ['list'] },
    { apiGroup: 'networking.k8s.io', resource: 'networkpolicies', verbs: ['get', 'delete'] },
  ],
  iamActions: ['eks:DescribeCluster'],
  example: {
    request: { namespace: 'shop', pod: 'web-7d4b9c6f5-x2x1z' },
    summary:
      'deletes NetworkPolicy kubeguard-quarantine-a1b2c3, restores app=web and pod-template-hash, removes the quarantine label; result: quarantine a1b2c3 released',
  },
};

const releaseStateSchema = z.strictObject({
  namespace: z.string().check(z.minLength(1)),
  pod: z.string().check(z.minLength(1)),
  quarantineId: z.string().check(z.minLength(1)),
  policy: z.string().check(z.minLength(1)),
  restoredLabels: z.record(z.string(), z.string()),
  /** Whether the plan patches the pod (false when only a leftover policy is deleted). */
  patchesPod: z.boolean(),
});

type ReleaseState = z.infer<typeof releaseStateSchema>;

export const releasePod: RemediationAction<ReleasePodRequest> = {
  metadata: RELEASE_POD_METADATA,
  preflight: preflightRelease,
  execute: (plan, context) =>
    executePlan(plan, context, {
      verify: () => verifyRelease(plan, context),
      recovery: releaseRecovery,
    }),
  verify: verifyRelease,
};

async function preflightRelease(
  request: ReleasePodRequest,
  context: ActionContext,
): Promise<PreflightResult> {
  requireName(request.namespace, 'namespace');
  requireName(request.pod, 'pod');
  const requestedId =
    request.quarantineId === undefined ? undefined : requireQuarantineId(request.quarantineId);
  const target = describeRef({ kind: 'Pod', namespace: request.namespace, name: request.pod });
  const pod = await findObject(context.kube, {
    kind: 'Pod',
    namespace: request.namespace,
    name: request.pod,
  });
  const recorded = pod === undefined ? undefined : quarantineStateOf(pod);
  if (pod !== undefined && recorded === undefined && labelsOf(pod)[QUARANTINE_LABEL] !== undefined) {
    return {
      status: 'skipped',
      target,
      reason: `${target} carries ${QUARANTINE_LABEL}=${labelsOf(pod)[QUARANTINE_LABEL]} without kubeguard's record: it was labelled by hand; remove the label by hand`,
    };
  }
  const quarantineId = recorded?.id ?? requestedId;
  if (quarantineId === undefined) {
    return {
      status: 'skipped',
      target,
      reason:
        pod === undefined
          ? `${target} does not exist; pass the quarantine id to delete its leftover quarantine policy`
          : `${target} is not quarantined (no ${QUARANTINE_ANNOTATION} record)`,
    };
  }
  const policyName = recorded?.policy ?? quarantinePolicyName(quarantineId);
  const policy = await findObject(context.kube, {
    kind: 'NetworkPolicy',
    namespace: request.namespace,
    name: policyName,
  });
  const steps: PlannedStep[] = [];
  if (policy !== undefined) steps.push(deletePolicyStep(policy));
  if (pod !== undefined && recorded !== undefined) steps.push(restoreStep(pod, recorded, context));
  if (steps.length === 0) {
    return {
      status: 'skipped',
      target,
      reason: `nothing left to release: ${target} ${pod === undefined ? 'does not exist' : 'has no quarantine record'} and NetworkPolicy ${policyName} does not exist`,
    };
  }
  const restoredLabels = recorded?.detachedLabels ?? {};
  const effects = await releaseEffects(request, pod, restoredLabels, context);
  return {
    status: 'ready',
    plan: {
      action: 'release-pod',
      target,
      plannedAt: context.clock(),
      summary: `release quarantine ${quarantineId} of ${target}: ${steps.map(describeStep).join('; ')}`,
      steps,
      effects,
      warnings: [
        'the pod was quarantined because it may be compromised: release it only once the investigation cleared it, or delete it instead',
      ],
      state: {
        namespace: request.namespace,
        pod: request.pod,
        quarantineId,
        policy: policyName,
        restoredLabels,
        patchesPod: pod !== undefined && recorded !== undefined,
      } satisfies ReleaseState,
    },
  };
}

function deletePolicyStep(policy: KubeObject): PlannedStep {
  return {
    op: 'delete',
    kind: 'NetworkPolicy',
    namespace: policy.metadata.namespace as string,
    name: policy.metadata.name,
    // Deletes the very policy the plan saw, not one re-created under the same name since.
    ...(policy.metadata.uid ? { preconditions: { uid: policy.metadata.uid } } : {}),
    why: 'remove the deny-all quarantine policy',
  };
}

/**
 * One JSON patch: it applies only to the pod the plan read, while its record is the one the plan
 * read (the `test`s), restores
 * the labels isolation removed, and replaces the record with a release record.
 */
function restoreStep(pod: KubeObject, recorded: QuarantineState, context: ActionContext): PlannedStep {
  const labels = labelsOf(pod);
  const label = (key: string) => `/metadata/labels/${pointerToken(key)}`;
  const annotation = (key: string) => `/metadata/annotations/${pointerToken(key)}`;
  const released = JSON.stringify({
    id: recorded.id,
    at: context.clock(),
    by: context.actor,
    ...(recorded.evidence ? { evidence: recorded.evidence } : {}),
  });
  const operations: unknown[] = [
    ...guardTests(guardFor(pod, { recordsState: false })),
    {
      op: 'test',
      path: annotation(QUARANTINE_ANNOTATION),
      value: pod.metadata.annotations?.[QUARANTINE_ANNOTATION],
    },
  ];
  if (pod.metadata.labels === undefined) operations.push({ op: 'add', path: '/metadata/labels', value: {} });
  for (const [key, value] of Object.entries(recorded.detachedLabels)) {
    operations.push({ op: 'add', path: label(key), value });
  }
  if (labels[QUARANTINE_LABEL] !== undefined)
    operations.push({ op: 'remove', path: label(QUARANTINE_LABEL) });
  operations.push(
    { op: 'remove', path: annotation(QUARANTINE_ANNOTATION) },
    { op: 'add', path: annotation(RELEASED_ANNOTATION), value: released },
  );
  const restored = Object.entries(recorded.detachedLabels).map(([k, v]) => `${k}=${v}`);
  return {
    op: 'patch',
    kind: 'Pod',
    namespace: pod.metadata.namespace as string,
    name: pod.metadata.name,
    patchType: 'json',
    body: operations,
    why: `${restored.length > 0 ? `restore ${restored.join(', ')}, ` : ''}remove the quarantine label and record, and record the release`,
  };
}

async function releaseEffects(
  request: ReleasePodRequest,
  pod: KubeObject | undefined,
  restored: Record<string, string>,
  context: ActionContext,
): Promise<string[]> {
  if (pod === undefined) return ['the pod is gone: only its leftover quarantine policy is deleted'];
  const labels = { ...labelsOf(pod), ...restored };
  delete labels[QUARANTINE_LABEL];
  const services = (await context.kube.list({ kind: 'Service', namespace: request.namespace })).filter((s) =>
    serviceSelects(s, labels),
  );
  const effects = [
    'the quarantine policy no longer applies: the pod falls back under the NetworkPolicies that select its labels',
  ];
  if (services.length > 0) {
    effects.push(`Services ${services.map((s) => s.metadata.name).join(', ')} route to the pod again`);
  }
  if (Object.keys(restored).length > 0) {
    effects.push(
      'if its former controller still selects the restored labels, it adopts the pod back and removes surplus pods to return to its replica count (this pod or another)',
    );
  }
  return effects;
}

async function verifyRelease(plan: RemediationPlan, context: ActionContext): Promise<Verification> {
  const state = readPlanState(plan, releaseStateSchema, 'release-pod');
  const gaps: string[] = [];
  const policy = await findObject(context.kube, {
    kind: 'NetworkPolicy',
    namespace: state.namespace,
    name: state.policy,
  });
  if (policy !== undefined) gaps.push(`NetworkPolicy ${state.policy} still exists`);
  if (state.patchesPod) {
    const pod = await findObject(context.kube, { kind: 'Pod', namespace: state.namespace, name: state.pod });
    if (pod === undefined) gaps.push('the pod no longer exists');
    else {
      const labels = labelsOf(pod);
      if (labels[QUARANTINE_LABEL] !== undefined) gaps.push(`the pod still carries ${QUARANTINE_LABEL}`);
      if (pod.metadata.annotations?.[QUARANTINE_ANNOTATION] !== undefined)
        gaps.push('the pod still carries the quarantine record');
      const missing = Object.entries(state.restoredLabels).filter(([k, v]) => labels[k] !== v);
      if (missing.length > 0)
        gaps.push(`labels not restored: ${missing.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    }
  }
  return gaps.length === 0
    ? { complete: true, summary: `quarantine ${state.quarantineId} released` }
    : { complete: false, summary: `release incomplete: ${gaps.join('; ')}` };
}

function releaseRecovery(applied: readonly AppliedStep[], failed: PlannedStep): string {
  if (applied.length === 0)
    return `nothing was changed (${describeStep(failed)} failed); fix the cause and release again`;
  return `${applied.map((a) => describeStep(a.step)).join('; ')} done, then ${describeStep(failed)} failed: the pod still carries the quarantine label and record; run release again to finish`;
}
