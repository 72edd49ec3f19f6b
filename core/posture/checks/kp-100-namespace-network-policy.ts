import type { CheckResult, PostureCheck } from '../check.ts';
import { networkIndex, SYSTEM_NAMESPACES } from '../network-index.ts';
import { podTemplates } from '../pod-templates.ts';
import { makeResult, type Subject, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';

/**
 * The namespaces to inspect: every Namespace object, plus every namespace a workload lives in (a
 * manifest set rarely contains its Namespace objects). Each maps to the object results are reported on.
 */
function namespaces(snapshot: ClusterSnapshot): Map<string, Subject> {
  const found = new Map<string, Subject>();
  for (const namespace of objectsOfKind(snapshot, 'Namespace')) {
    found.set(namespace.metadata.name, subjectOf(snapshot, namespace));
  }
  for (const template of podTemplates(snapshot)) {
    if (found.has(template.namespace)) continue;
    // No Namespace object: point at the first workload that lives there.
    const { file, line } = template.subject;
    found.set(template.namespace, { ref: { kind: 'Namespace', name: template.namespace }, file, line });
  }
  return found;
}

export const kp100: PostureCheck = {
  id: 'KP-100',
  title: 'Every namespace has a NetworkPolicy',
  severity: 'medium',
  category: 'network',
  core: true,
  cis: ['4.3.2'],
  reads: ['namespaces', 'networkpolicies'],
  remediation:
    'Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress]) to the namespace, then allow the flows it needs.',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    const { policies } = networkIndex(snapshot);
    const results: CheckResult[] = [];
    for (const [name, subject] of namespaces(snapshot)) {
      if (SYSTEM_NAMESPACES.has(name)) continue;
      const count = policies.get(name)?.length ?? 0;
      results.push(
        count > 0
          ? makeResult(kp100, 'pass', subject, `namespace "${name}" has ${count} NetworkPolicy object(s)`)
          : makeResult(kp100, 'fail', subject, `namespace "${name}" has no NetworkPolicy`, {
              networkPolicies: '0',
            }),
      );
    }
    return results;
  },
};
