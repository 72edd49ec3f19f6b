import { KubeguardError } from '../errors.ts';
import { describeRef, field, type KubeObject, numberField, stringField } from '../model/kube-object.ts';
import { type OwnerChain, readOwnerChain } from '../model/owners.ts';
import { labelSelectorMatches, selectorKeys, serviceSelects } from './kube-objects.ts';
import type { KubeReader } from './ports.ts';

/**
 * What a pod belongs to and what depends on it: its chain of controllers, the Services routing to
 * it and the PodDisruptionBudgets counting it. Isolation detaches the pod from exactly these.
 */

export type { OwnerChain } from '../model/owners.ts';

/** The pod's controllers read from the API (core/model/owners.ts walks them). */
export function ownerChain(pod: KubeObject, kube: KubeReader): Promise<OwnerChain> {
  return readOwnerChain(pod, async (ref) => {
    try {
      return { object: await kube.get(ref) };
    } catch (error) {
      if (error instanceof KubeguardError && error.code === 'NOT_FOUND') {
        return { unreadable: 'it no longer exists (the pod is orphaned)' };
      }
      throw error;
    }
  });
}

/** `ReplicaSet web-5cd → Deployment web`, or `none (standalone pod)`. */
export function describeChain(chain: OwnerChain): string {
  const parts = chain.owners.map((o) => describeRef({ kind: o.kind ?? 'owner', name: o.metadata.name }));
  if (chain.unresolved)
    parts.push(`${chain.unresolved.owner.kind} ${chain.unresolved.owner.name} (not read)`);
  return parts.length === 0 ? 'none (standalone pod)' : parts.join(' → ');
}

/** Label keys the pod's direct controller selects it by. */
export function controllerSelectorKeys(chain: OwnerChain): string[] {
  const direct = chain.owners[0];
  return direct === undefined ? [] : selectorKeys(field(direct, 'spec', 'selector'));
}

export function servicesSelecting(
  services: readonly KubeObject[],
  labels: Record<string, string>,
): KubeObject[] {
  return services.filter((service) => serviceSelects(service, labels));
}

export function serviceSelectorKeys(services: readonly KubeObject[]): string[] {
  return services.flatMap((service) => {
    const selector = field(service, 'spec', 'selector');
    return typeof selector === 'object' && selector !== null ? Object.keys(selector) : [];
  });
}

export function budgetsCounting(
  budgets: readonly KubeObject[],
  labels: Record<string, string>,
): KubeObject[] {
  return budgets.filter((budget) => labelSelectorMatches(field(budget, 'spec', 'selector'), labels));
}

/** `PodDisruptionBudget shop/web (minAvailable 2; healthy 3 of 3 expected; 1 disruption allowed)`. */
export function describeBudget(budget: KubeObject): string {
  const spec = field(budget, 'spec');
  const rule =
    field(spec, 'minAvailable') !== undefined
      ? `minAvailable ${String(field(spec, 'minAvailable'))}`
      : field(spec, 'maxUnavailable') !== undefined
        ? `maxUnavailable ${String(field(spec, 'maxUnavailable'))}`
        : 'no limit';
  const healthy = numberField(budget, 'status', 'currentHealthy');
  const expected = numberField(budget, 'status', 'expectedPods');
  const allowed = numberField(budget, 'status', 'disruptionsAllowed');
  const status =
    healthy === undefined
      ? 'status unknown'
      : `healthy ${healthy} of ${expected ?? '?'} expected; ${allowed ?? '?'} disruption${allowed === 1 ? '' : 's'} allowed`;
  return `${describeRef({ kind: 'PodDisruptionBudget', namespace: budget.metadata.namespace ?? '', name: budget.metadata.name })} (${rule}; ${status})`;
}

/** `Deployment shop/web: 3 replicas, 3 ready`, from the topmost controller that declares replicas. */
export function describeReplicas(chain: OwnerChain): string | undefined {
  const top = [...chain.owners].reverse().find((o) => numberField(o, 'spec', 'replicas') !== undefined);
  if (top === undefined) {
    const daemonSet = chain.owners.find((o) => o.kind === 'DaemonSet');
    if (daemonSet === undefined) return undefined;
    const desired = numberField(daemonSet, 'status', 'desiredNumberScheduled');
    return `DaemonSet ${daemonSet.metadata.name}: one pod per node (${desired ?? '?'} scheduled)`;
  }
  const desired = numberField(top, 'spec', 'replicas');
  const ready = numberField(top, 'status', 'readyReplicas') ?? 0;
  return `${top.kind} ${top.metadata.namespace ?? ''}/${top.metadata.name}: ${desired} replica${desired === 1 ? '' : 's'}, ${ready} ready`;
}

/** What happens to the workload when the pod loses its controller's labels. */
export function replacementEffect(chain: OwnerChain, pod: KubeObject): string {
  const direct = chain.owners[0];
  if (direct === undefined) {
    return chain.unresolved
      ? `its controller ${chain.unresolved.owner.kind} ${chain.unresolved.owner.name} is not read by kubeguard: check whether it replaces the pod`
      : 'the pod has no controller: nothing replaces it';
  }
  const name = `${direct.kind} ${direct.metadata.name}`;
  switch (direct.kind) {
    case 'StatefulSet':
      return `${name} releases the pod but cannot create a replacement named ${pod.metadata.name} while this pod exists: that replica stays unavailable until the isolated pod is deleted`;
    case 'DaemonSet':
      return `${name} releases the pod and starts a replacement on the same node ${stringField(pod, 'spec', 'nodeName') ?? ''}`.trim();
    default:
      return `${name} releases the pod and creates a replacement, so the workload keeps its replica count`;
  }
}
