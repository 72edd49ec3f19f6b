import type { CheckResult, PostureCheck } from '../check.ts';
import { podTemplates } from '../pod-templates.ts';
import {
  type AccessRequest,
  bindingsOf,
  describeRequest,
  matchingRules,
  serviceAccountIdentities,
} from '../rbac.ts';
import { makeResult } from '../results.ts';
import { POD_CREATION_REQUESTS } from './kp-043-pod-creation.ts';
import { ESCALATION_REQUESTS } from './kp-046-bind-escalate-impersonate.ts';
import { serviceAccountName } from './service-account-support.ts';

/** Permissions that hand over the cluster when held cluster-wide. */
const TAKEOVER_REQUESTS: readonly AccessRequest[] = [
  { verb: '*', resource: '*', apiGroup: '*' },
  ...ESCALATION_REQUESTS,
  ...['clusterrolebindings', 'rolebindings'].flatMap((resource) =>
    ['create', 'update', 'patch'].map((verb) => ({ verb, resource, apiGroup: 'rbac.authorization.k8s.io' })),
  ),
  ...POD_CREATION_REQUESTS,
  ...['get', 'list'].map((verb) => ({ verb, resource: 'secrets' })),
  { verb: 'create', resource: 'serviceaccounts', subresource: 'token' },
  ...['get', 'create'].map((verb) => ({ verb, resource: 'nodes', subresource: 'proxy' })),
  ...['create', 'update', 'patch'].map((verb) => ({
    verb,
    resource: 'mutatingwebhookconfigurations',
    apiGroup: 'admissionregistration.k8s.io',
  })),
];

export const workloadTakeoverRolesCheck: PostureCheck = {
  id: 'KP-055',
  title: 'Workloads whose service account can take over the cluster',
  severity: 'high',
  category: 'rbac',
  core: false,
  cis: [],
  reads: ['pods', 'workloads', 'roles', 'rolebindings'],
  remediation:
    'Give the workload a dedicated service account bound to a namespaced Role with the few verbs it needs; a compromised container then cannot escalate to the whole cluster.',
  evaluate(snapshot) {
    const results: CheckResult[] = [];
    for (const template of podTemplates(snapshot)) {
      const account = serviceAccountName(template);
      const subject =
        template.file === undefined ? { ref: template.ref } : { ref: template.ref, file: template.file };
      const findings: string[] = [];
      for (const binding of bindingsOf(snapshot, serviceAccountIdentities(template.namespace, account))) {
        // Cluster-wide grants only; shipped bindings (discovery, controllers) are not the workload's doing.
        if (binding.kind !== 'ClusterRoleBinding' || binding.isDefault || binding.role === undefined)
          continue;
        for (const match of matchingRules(binding.role, TAKEOVER_REQUESTS)) {
          findings.push(
            `${describeRequest(match.request)} via ClusterRoleBinding ${binding.name} → ${match.rule.source}`,
          );
        }
      }
      results.push(
        findings.length === 0
          ? makeResult(
              this,
              'pass',
              subject,
              `service account ${template.namespace}/${account} holds no cluster-wide takeover permission`,
            )
          : makeResult(
              this,
              'fail',
              subject,
              `the workload runs as ${template.namespace}/${account}, which can ${findings[0]}${findings.length > 1 ? `; and ${findings.length - 1} more` : ''}`,
              Object.fromEntries(findings.map((finding, index) => [`grant[${index}]`, finding])),
            ),
      );
    }
    return results;
  },
};
