import type { CheckResult, PostureCheck } from '../check.ts';
import { list, record } from '../pod-templates.ts';
import { rbacModel } from '../rbac.ts';
import { makeResult, show, subjectOf } from '../results.ts';

export const wildcardRulesCheck: PostureCheck = {
  id: 'KP-042',
  title: 'No wildcard (*) in verbs or resources of Roles and ClusterRoles',
  severity: 'high',
  category: 'rbac',
  core: true,
  cis: ['4.1.3'],
  reads: ['roles'],
  remediation:
    'List the verbs and resources the role needs; a wildcard also grants every resource and verb added in later Kubernetes versions and CRDs.',
  evaluate(snapshot) {
    const results: CheckResult[] = [];
    for (const role of rbacModel(snapshot).roles) {
      if (role.isDefault) continue;
      const subject = subjectOf(snapshot, role.object);
      const evidence: Record<string, string> = {};
      list(role.object.rules).forEach((raw, index) => {
        const rule = record(raw) ?? {};
        for (const field of ['verbs', 'resources'] as const) {
          if (list(rule[field]).includes('*')) evidence[`rules[${index}].${field}`] = show(rule[field]);
        }
      });
      const paths = Object.keys(evidence);
      results.push(
        paths.length === 0
          ? makeResult(this, 'pass', subject, `${role.kind} ${role.name} names its verbs and resources`)
          : makeResult(
              this,
              'fail',
              subject,
              `${role.kind} ${role.name} uses "*" in ${paths.join(', ')}`,
              evidence,
            ),
      );
    }
    return results;
  },
};
