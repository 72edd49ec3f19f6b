import type { CheckResult, PostureCheck } from '../check.ts';
import { podTemplates } from '../pod-templates.ts';
import { type RbacBinding, rbacModel } from '../rbac.ts';
import { makeResult, show, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { indexSnapshot, namespaceOf, objectsOfKind } from '../snapshot-index.ts';
import { directBindings, serviceAccountName, tokenMount } from './service-account-support.ts';

/** `system:serviceaccount:NS:NAME`, the user name a service account authenticates as. */
const ACCOUNT_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

/**
 * Bindings (not shipped by Kubernetes/EKS) naming a namespace's `default` service account, by
 * namespace: as a ServiceAccount subject or by its user name. Every namespace has that account
 * whether or not the manifests declare it, so a binding to it is a finding on its own.
 */
function defaultAccountBindings(snapshot: ClusterSnapshot): Map<string, RbacBinding[]> {
  const byNamespace = new Map<string, RbacBinding[]>();
  for (const binding of rbacModel(snapshot).bindings) {
    if (binding.isDefault) continue;
    const namespaces = new Set<string>();
    for (const subject of binding.subjects) {
      if (subject.kind === 'ServiceAccount' && subject.name === 'default' && subject.namespace !== undefined)
        namespaces.add(subject.namespace);
      const user = subject.kind === 'User' ? ACCOUNT_USER.exec(subject.name) : null;
      if (user !== null && user[2] === 'default') namespaces.add(user[1] as string);
    }
    for (const namespace of namespaces)
      byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), binding]);
  }
  return byNamespace;
}

function describeBinding(binding: RbacBinding): string {
  return `${binding.kind} ${binding.name} → ${binding.roleRef.kind} ${binding.roleRef.name}`;
}

export const defaultServiceAccountCheck: PostureCheck = {
  id: 'KP-044',
  title: 'Default service accounts not used and not bound',
  severity: 'medium',
  category: 'rbac',
  core: true,
  cis: ['4.1.5'],
  reads: ['serviceaccounts', 'rolebindings', 'pods', 'workloads'],
  remediation:
    "Set automountServiceAccountToken: false on every namespace's default ServiceAccount, remove bindings that name it (as a ServiceAccount subject or as the user system:serviceaccount:NAMESPACE:default — every namespace has that account, declared or not), and give each workload its own service account.",
  evaluate(snapshot) {
    const results: CheckResult[] = [];
    const bound = defaultAccountBindings(snapshot);
    const declared = new Set<string>();
    for (const account of objectsOfKind(snapshot, 'ServiceAccount')) {
      if (account.metadata.name !== 'default') continue;
      const namespace = namespaceOf(account);
      declared.add(namespace);
      const problems: string[] = [];
      const evidence: Record<string, string> = {
        automountServiceAccountToken: show(account.automountServiceAccountToken),
      };
      if (account.automountServiceAccountToken !== false) {
        problems.push(
          `automountServiceAccountToken is ${show(account.automountServiceAccountToken)} (want false)`,
        );
      }
      const bindings = [
        ...new Set([...directBindings(snapshot, namespace, 'default'), ...(bound.get(namespace) ?? [])]),
      ];
      if (bindings.length > 0) {
        const names = bindings.map(describeBinding);
        problems.push(`it is bound by ${names.join(', ')}`);
        evidence.bindings = names.join('; ');
      }
      results.push(
        problems.length === 0
          ? makeResult(
              this,
              'pass',
              subjectOf(snapshot, account),
              `default service account of ${namespace} mounts no token and has no bindings`,
              evidence,
            )
          : makeResult(
              this,
              'fail',
              subjectOf(snapshot, account),
              `default service account of ${namespace}: ${problems.join('; ')}`,
              evidence,
            ),
      );
    }
    // Namespaces whose default account the manifests bind without declaring it: reported on the
    // account (implicit), located at the first binding so code scanning points at a line.
    for (const [namespace, bindings] of bound) {
      if (declared.has(namespace)) continue;
      const names = bindings.map(describeBinding).join(', ');
      const first = bindings[0];
      const location = first === undefined ? {} : (indexSnapshot(snapshot).locationOf(first.object) ?? {});
      results.push(
        makeResult(
          this,
          'fail',
          { ref: { kind: 'ServiceAccount', namespace, name: 'default' }, ...location },
          `default service account of ${namespace} (implicit: every namespace has one): it is bound by ${names}`,
          { bindings: bindings.map(describeBinding).join('; ') },
        ),
      );
    }
    for (const template of podTemplates(snapshot)) {
      if (serviceAccountName(template) !== 'default') continue;
      const mount = tokenMount(snapshot, template);
      if (!mount.mounted) continue; // using the default account without its token exposes nothing
      const subject =
        template.file === undefined ? { ref: template.ref } : { ref: template.ref, file: template.file };
      results.push(
        makeResult(
          this,
          'fail',
          subject,
          `${template.specPath}.serviceAccountName is ${show(template.spec.serviceAccountName)}: the workload runs as the default service account with its token mounted (${mount.where})`,
          { [`${template.specPath}.serviceAccountName`]: show(template.spec.serviceAccountName) },
        ),
      );
    }
    return results;
  },
};
