import { KubeguardError } from '../errors.ts';
import { arrayField } from '../model/kube-object.ts';
import type { KubeReader } from '../remediation/ports.ts';
import { bindingSubjects, roleRefOf, serviceAccountIdentities, subjectKey } from './rbac.ts';

/** One binding that grants something to a service account, with the rules granted (forensics). */
export interface BoundRules {
  binding: { kind: string; namespace?: string; name: string };
  /** The subject of the binding that names the service account (or a group it belongs to). */
  subject: string;
  roleRef: { kind: string; name: string };
  /** The role's `rules` exactly as the API returned them. */
  rules?: unknown[];
  /** Why the rules are absent (the role is gone or unreadable). */
  rulesMissing?: string;
}

/**
 * Every RoleBinding in the namespace and ClusterRoleBinding that grants something to the service
 * account, directly or through the groups every service account is in (core/rbac resolves the
 * subjects as the authorizer does), with the rules of the role each one references.
 */
export async function rbacBoundTo(
  serviceAccount: string,
  namespace: string,
  kube: KubeReader,
): Promise<BoundRules[]> {
  const identities = new Set(serviceAccountIdentities(namespace, serviceAccount).map(subjectKey));
  const bindings = [
    ...(await kube.list({ kind: 'RoleBinding', namespace })),
    ...(await kube.list({ kind: 'ClusterRoleBinding' })),
  ];
  const bound: BoundRules[] = [];
  for (const binding of bindings) {
    const subject = bindingSubjects(binding).find((candidate) => identities.has(subjectKey(candidate)));
    if (subject === undefined) continue;
    const ref = roleRefOf(binding);
    const roleRef = { kind: ref.kind || 'ClusterRole', name: ref.name };
    const entry: BoundRules = {
      binding: {
        kind: binding.kind,
        name: binding.metadata.name,
        ...(binding.metadata.namespace ? { namespace: binding.metadata.namespace } : {}),
      },
      subject: `${subject.kind} ${subject.name}`,
      roleRef,
    };
    try {
      const role =
        roleRef.kind === 'Role'
          ? await kube.get({
              kind: 'Role',
              namespace: binding.metadata.namespace ?? namespace,
              name: ref.name,
            })
          : await kube.get({ kind: 'ClusterRole', name: ref.name });
      entry.rules = arrayField(role, 'rules');
    } catch (error) {
      if (!(error instanceof KubeguardError)) throw error;
      entry.rulesMissing = `${error.code}: ${error.message}`;
    }
    bound.push(entry);
  }
  return bound;
}
