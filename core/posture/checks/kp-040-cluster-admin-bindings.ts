import type { CheckResult, PostureCheck } from '../check.ts';
import { describeSubject, isSystemSubject, rbacModel } from '../rbac.ts';
import { clusterSubject, makeResult, subjectOf } from '../results.ts';

export const clusterAdminBindingsCheck: PostureCheck = {
  id: 'KP-040',
  title: 'cluster-admin bound only to system principals',
  severity: 'critical',
  category: 'rbac',
  core: true,
  cis: ['4.1.1'],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Delete the binding, or bind a narrower ClusterRole (admin / edit in a namespace, or a purpose-built role) to those subjects; keep cluster-admin for break-glass access.',
  evaluate(snapshot) {
    const results: CheckResult[] = [];
    for (const binding of rbacModel(snapshot).bindings) {
      if (binding.roleRef.kind !== 'ClusterRole' || binding.roleRef.name !== 'cluster-admin') continue;
      const subject = subjectOf(snapshot, binding.object);
      const outsiders = binding.subjects.filter((item) => !isSystemSubject(item));
      const scope = binding.namespace === undefined ? 'cluster-wide' : `in namespace ${binding.namespace}`;
      if (outsiders.length === 0) {
        results.push(
          makeResult(this, 'pass', subject, `${binding.kind} grants cluster-admin only to system principals`),
        );
        continue;
      }
      results.push(
        makeResult(
          this,
          'fail',
          subject,
          `${binding.kind} ${binding.name} grants cluster-admin ${scope} to ${outsiders.map(describeSubject).join(', ')}`,
          Object.fromEntries(outsiders.map((item, index) => [`subjects[${index}]`, describeSubject(item)])),
        ),
      );
    }
    if (results.length === 0) {
      results.push(
        makeResult(
          this,
          'pass',
          clusterSubject(snapshot),
          'no binding references the cluster-admin ClusterRole',
        ),
      );
    }
    return results;
  },
};
