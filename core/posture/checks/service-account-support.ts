import type { PodTemplate } from '../pod-templates.ts';
import { bindingsOf, type RbacBinding } from '../rbac.ts';
import type { ClusterSnapshot, KubeObject } from '../snapshot.ts';
import { findObject } from '../snapshot-index.ts';

/** The service account a pod runs as: `serviceAccountName`, the deprecated `serviceAccount`, else `default`. */
export function serviceAccountName(template: PodTemplate): string {
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    const value = template.spec[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'default';
}

export function findServiceAccount(
  snapshot: ClusterSnapshot,
  namespace: string,
  name: string,
): KubeObject | undefined {
  return findObject(snapshot, 'ServiceAccount', namespace, name);
}

/**
 * Whether the pod gets a token: the pod's `automountServiceAccountToken` wins over the service
 * account's; both unset means mounted. `where` names the field that decided.
 */
export function tokenMount(
  snapshot: ClusterSnapshot,
  template: PodTemplate,
): { mounted: boolean; where: string } {
  const podValue = template.spec.automountServiceAccountToken;
  if (typeof podValue === 'boolean') {
    return { mounted: podValue, where: `${template.specPath}.automountServiceAccountToken` };
  }
  const account = findServiceAccount(snapshot, template.namespace, serviceAccountName(template));
  const accountValue = account?.automountServiceAccountToken;
  if (typeof accountValue === 'boolean') {
    return {
      mounted: accountValue,
      where: `ServiceAccount ${template.namespace}/${serviceAccountName(template)} automountServiceAccountToken`,
    };
  }
  return {
    mounted: true,
    where: 'default (neither the pod nor its service account sets automountServiceAccountToken)',
  };
}

/** Bindings (not shipped by Kubernetes/EKS) naming this service account directly. */
export function directBindings(snapshot: ClusterSnapshot, namespace: string, name: string): RbacBinding[] {
  return bindingsOf(snapshot, [{ kind: 'ServiceAccount', name, namespace }]).filter(
    (binding) => !binding.isDefault,
  );
}
