import type { PolicyType } from '../../netpol/types.ts';
import type { CheckResult, PostureCheck } from '../check.ts';
import { networkIndex } from '../network-index.ts';
import { podTemplates } from '../pod-templates.ts';
import { makeResult } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';

function describeLabels(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? '(no labels)' : pairs.join(',');
}

/** Per workload (template labels): some NetworkPolicy must select it for Ingress and some for Egress. */
export const kp101: PostureCheck = {
  id: 'KP-101',
  title: 'Every pod is selected by an ingress and an egress NetworkPolicy',
  severity: 'medium',
  category: 'network',
  core: false,
  cis: [],
  reads: ['pods', 'workloads', 'networkpolicies'],
  remediation:
    'Add a NetworkPolicy whose podSelector matches these pod labels with policyTypes [Ingress, Egress] (a namespace default-deny does it), then allow the flows the pods need.',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    const { policies } = networkIndex(snapshot);
    return podTemplates(snapshot).map((template) => {
      const subject = template.subject;
      const selecting = (policies.get(template.namespace) ?? []).filter((policy) =>
        policy.podSelector.matches(template.labels),
      );
      const covered = (type: PolicyType) => selecting.filter((policy) => policy.types.includes(type));
      const ingress = covered('Ingress');
      const egress = covered('Egress');
      const labels = describeLabels(template.labels);
      if (ingress.length > 0 && egress.length > 0) {
        const names = [...new Set(selecting.map((policy) => policy.name))].join(', ');
        return makeResult(
          kp101,
          'pass',
          subject,
          `pods (${labels}) are selected for Ingress and Egress by ${names}`,
        );
      }
      const missing = [
        ingress.length === 0 ? 'Ingress' : undefined,
        egress.length === 0 ? 'Egress' : undefined,
      ]
        .filter((type) => type !== undefined)
        .join(' and ');
      const message =
        selecting.length === 0
          ? `no NetworkPolicy in namespace "${template.namespace}" selects the pod labels ${labels}`
          : `no NetworkPolicy in namespace "${template.namespace}" selects the pod labels ${labels} for ${missing} (selected by ${selecting.map((p) => p.name).join(', ')})`;
      return makeResult(kp101, 'fail', subject, message, {
        podLabels: labels,
        uncoveredDirections: missing,
        selectingPolicies: selecting.map((policy) => policy.name).join(', ') || '(none)',
      });
    });
  },
};
