import type { ActionContext, AppliedStep, PlannedStep, RemediationPlan, Verification } from './action.ts';
import { isolationOf } from './isolate-facts.ts';
import { type IsolationState, isolationStateOf } from './isolate-state.ts';
import { findObject, labelsOf, serviceSelects } from './kube-objects.ts';
import { QUARANTINE_ANNOTATION, QUARANTINE_LABEL } from './quarantine.ts';
import { describeStep } from './run.ts';

/**
 * After isolation: read the pod and the policies of its namespace again and say what holds. The
 * verdict is "complete" only when the pod is the one the plan quarantined, carries the quarantine
 * label, the policy exists, the workload labels are gone and nothing else still allows traffic.
 */
export async function verifyIsolation(plan: RemediationPlan, context: ActionContext): Promise<Verification> {
  const state = isolationStateOf(plan);
  const kube = context.kube;
  const pod = await findObject(kube, { kind: 'Pod', namespace: state.namespace, name: state.pod });
  if (pod === undefined)
    return { complete: false, summary: `the pod ${state.namespace}/${state.pod} no longer exists` };
  if (pod.metadata.uid !== state.uid) {
    return {
      complete: false,
      summary: `the pod ${state.namespace}/${state.pod} was replaced after the plan (uid ${state.uid} → ${pod.metadata.uid ?? 'none'}): the new pod is not quarantined`,
    };
  }
  const [policies, namespaces] = await Promise.all([
    kube.list({ kind: 'NetworkPolicy', namespace: state.namespace }),
    kube.list({ kind: 'Namespace' }),
  ]);
  const report = await isolationOf(pod, policies, namespaces, kube);
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

export function isolationRecovery(
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
