import type { CheckResult, PostureCheck } from '../check.ts';
import { podTemplates } from '../pod-templates.ts';
import { makeResult, type Subject, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';

/** Namespaced kinds inspected besides workloads (cluster-scoped kinds have no namespace to check). */
const NAMESPACED_KINDS = [
  'Service',
  'Ingress',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'NetworkPolicy',
  'PersistentVolumeClaim',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
];

/** Objects Kubernetes itself creates in `default`; they are not a finding. */
const BUILT_IN = new Set(['Service/kubernetes', 'ServiceAccount/default', 'ConfigMap/kube-root-ca.crt']);

export const kp089: PostureCheck = {
  id: 'KP-089',
  title: 'Workloads not in the default namespace',
  severity: 'low',
  category: 'workload',
  core: false,
  cis: ['4.5.2'],
  reads: ['pods', 'workloads'],
  remediation:
    'Set metadata.namespace to a dedicated namespace (with its own RBAC, NetworkPolicies and Pod Security level) instead of default.',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    const results: CheckResult[] = [];
    for (const template of podTemplates(snapshot)) {
      const subject = template.subject;
      results.push(outcome(template.workload.metadata.namespace, subject));
    }
    for (const object of objectsOfKind(snapshot, ...NAMESPACED_KINDS)) {
      const namespace = object.metadata.namespace;
      if ((namespace === 'default' || !namespace) && BUILT_IN.has(`${object.kind}/${object.metadata.name}`))
        continue;
      results.push(outcome(namespace, subjectOf(snapshot, object)));
    }
    return results;
  },
};

function outcome(namespace: unknown, subject: Subject): CheckResult {
  if (typeof namespace === 'string' && namespace !== '' && namespace !== 'default') {
    return makeResult(kp089, 'pass', subject, `metadata.namespace is ${JSON.stringify(namespace)}`);
  }
  const message =
    namespace === 'default'
      ? 'metadata.namespace is "default"'
      : 'metadata.namespace is not set (the object lands in default or the current kubectl namespace)';
  return makeResult(kp089, 'fail', subject, message, {
    'metadata.namespace': namespace === 'default' ? '"default"' : '(not set)',
  });
}
