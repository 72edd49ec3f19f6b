import type { CheckResult, PostureCheck } from '../check.ts';
import { ANONYMOUS_PRINCIPALS, describeSubject, rbacModel } from '../rbac.ts';
import { makeResult, subjectOf } from '../results.ts';

/** Bindings Kubernetes and EKS create for everyone: binding name → role it must reference. */
const DEFAULT_PUBLIC_BINDINGS: Readonly<Record<string, string>> = {
  'system:discovery': 'system:discovery',
  'system:basic-user': 'system:basic-user',
  'system:public-info-viewer': 'system:public-info-viewer',
  'eks:podsecuritypolicy:authenticated': 'eks:podsecuritypolicy:privileged',
};

const WHO: Readonly<Record<string, string>> = {
  'system:anonymous': 'unauthenticated callers',
  'system:unauthenticated': 'unauthenticated callers',
  'system:authenticated': 'every authenticated identity',
};

export const anonymousBindingsCheck: PostureCheck = {
  id: 'KP-053',
  title: 'system:anonymous, system:unauthenticated and system:authenticated bound only by defaults',
  severity: 'critical',
  category: 'rbac',
  core: true,
  cis: [],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Remove system:anonymous / system:unauthenticated / system:authenticated from the binding subjects and bind the specific users, groups or service accounts instead.',
  evaluate(snapshot) {
    const results: CheckResult[] = [];
    for (const binding of rbacModel(snapshot).bindings) {
      const broad = binding.subjects.filter(
        (item) => item.kind !== 'ServiceAccount' && ANONYMOUS_PRINCIPALS.has(item.name),
      );
      if (broad.length === 0) continue;
      const subject = subjectOf(snapshot, binding.object);
      const isDefault =
        binding.kind === 'ClusterRoleBinding' &&
        DEFAULT_PUBLIC_BINDINGS[binding.name] === binding.roleRef.name;
      if (isDefault) {
        results.push(
          makeResult(this, 'pass', subject, `default binding ${binding.name} → ${binding.roleRef.name}`),
        );
        continue;
      }
      const who = [...new Set(broad.map((item) => WHO[item.name] ?? item.name))].join(' and ');
      results.push(
        makeResult(
          this,
          'fail',
          subject,
          `${binding.kind} ${binding.name} grants ${binding.roleRef.kind} ${binding.roleRef.name} to ${broad.map(describeSubject).join(', ')}: ${who} get its permissions`,
          Object.fromEntries(broad.map((item, index) => [`subjects[${index}]`, describeSubject(item)])),
        ),
      );
    }
    return results;
  },
};
