import type { IsolationReport } from '../netpol/isolation.ts';
import type { IsolationFacts } from './isolate-facts.ts';
import { type KubeObject, numberField, stringField } from './kube-objects.ts';
import {
  controllerSelectorKeys,
  describeBudget,
  describeChain,
  describeReplicas,
  replacementEffect,
} from './workload.ts';

/** What an isolation plan says will happen, and what it warns about, for the confirmation. */

export function isolationEffects(
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

export function isolationWarnings(
  pod: KubeObject,
  facts: IsolationFacts,
  /** Whether the request asked to keep the pod attached (`detach: false`). */
  detachOff: boolean,
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
  if (detachOff) {
    warnings.push(
      'detach is off: Services still route to the pod and the policies that select its workload labels still apply (see the expected result)',
    );
  }
  return warnings;
}
