import type { CheckResult, PostureCheck } from '../check.ts';
import { record } from '../pod-templates.ts';
import { makeResult } from '../results.ts';
import { strings } from './aws-support.ts';

export const ACCESS_ENTRY_KIND = 'AccessEntry';

/** Cluster-admin equivalent EKS access policies. */
const ADMIN_POLICIES = new Set(['AmazonEKSClusterAdminPolicy', 'AmazonEKSAdminPolicy']);

/** Access-entry types that are node identities, not people or workloads. */
export const NODE_ENTRY_TYPES = new Set(['EC2', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX']);

export function policyName(policyArn: unknown): string {
  return typeof policyArn === 'string' ? (policyArn.split('/').pop() ?? policyArn) : String(policyArn);
}

export const adminAccessEntriesCheck: PostureCheck = {
  id: 'KP-012',
  title: 'Minimal cluster-admin access entries',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: ['4.1.1', '5.5.1'],
  reads: ['eks:accessEntries'],
  remediation:
    'Replace cluster-scoped AmazonEKSClusterAdminPolicy / AmazonEKSAdminPolicy associations with AmazonEKSEditPolicy or AmazonEKSViewPolicy scoped to the namespaces needed (aws eks disassociate-access-policy / associate-access-policy --access-scope type=namespace,namespaces=…).',
  evaluate(snapshot) {
    const results: CheckResult[] = [];
    for (const { entry, policies } of snapshot.aws?.accessEntries ?? []) {
      const principal = typeof entry.principalArn === 'string' ? entry.principalArn : '(unknown principal)';
      const subject = { ref: { kind: ACCESS_ENTRY_KIND, name: principal } };
      const type = typeof entry.type === 'string' ? entry.type : 'STANDARD';
      if (NODE_ENTRY_TYPES.has(type)) {
        results.push(
          makeResult(this, 'pass', subject, `node identity (type ${type}); it cannot hold access policies`),
        );
        continue;
      }
      const admin = policies
        .map(record)
        .filter((policy) => policy !== undefined)
        .filter(
          (policy) =>
            ADMIN_POLICIES.has(policyName(policy.policyArn)) &&
            record(policy.accessScope)?.type === 'cluster',
        );
      if (admin.length === 0) {
        const names = policies.map((policy) => policyName(policy.policyArn));
        results.push(
          makeResult(
            this,
            'pass',
            subject,
            names.length === 0
              ? `no access policy; permissions come from kubernetesGroups ${JSON.stringify(strings(entry.kubernetesGroups))} via RBAC`
              : `no cluster-scoped admin policy (${names.join(', ')})`,
          ),
        );
        continue;
      }
      const names = admin.map((policy) => policyName(policy.policyArn));
      results.push(
        makeResult(
          this,
          'fail',
          subject,
          `${principal} has ${names.join(' and ')} at accessScope.type "cluster": full control of every namespace`,
          Object.fromEntries(
            admin.map((policy, index) => [
              `associatedAccessPolicies[${index}].policyArn`,
              String(policy.policyArn),
            ]),
          ),
        ),
      );
    }
    return results;
  },
};
