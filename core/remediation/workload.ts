import { KubeguardError } from '../errors.ts';
import {
  controllerOf,
  describeRef,
  field,
  isKubeKind,
  type KubeObject,
  labelSelectorMatches,
  numberField,
  type OwnerReference,
  selectorKeys,
  serviceSelects,
  stringField,
} from './kube-objects.ts';
import type { KubeReader } from './ports.ts';

/**
 * What a pod belongs to and what depends on it: its chain of controllers, the Services routing to
 * it and the PodDisruptionBudgets counting it. Isolation detaches the pod from exactly these.
 */

/** Owners kubeguard reads; others (CronJob, Argo Rollout, operators' kinds) are named, not read. */
const READABLE_OWNERS = new Set(['ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export interface OwnerChain {
  /** Controllers from the pod's direct owner upwards: ReplicaSet, then Deployment. */
  owners: KubeObject[];
  /** A controller that could not be read, with the reason (unsupported kind, gone, forbidden). */
  unresolved?: { owner: OwnerReference; reason: string };
}

export async function ownerChain(pod: KubeObject, kube: KubeReader): Promise<OwnerChain> {
  const owners: KubeObject[] = [];
  let current = pod;
  const namespace = pod.metadata.namespace;
  for (let owner = controllerOf(current); owner !== undefined; owner = controllerOf(current)) {
    if (!READABLE_OWNERS.has(owner.kind) || !isKubeKind(owner.kind)) {
      return { owners, unresolved: { owner, reason: `kubeguard does not read ${owner.kind} owners` } };
    }
    try {
      current = await kube.get({ kind: owner.kind, name: owner.name, ...(namespace ? { namespace } : {}) });
    } catch (error) {
      if (error instanceof KubeguardError && error.code === 'NOT_FOUND') {
        return { owners, unresolved: { owner, reason: 'it no longer exists (the pod is orphaned)' } };
      }
      throw error;
    }
    owners.push(current);
  }
  return { owners };
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
