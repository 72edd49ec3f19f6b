import type { CheckResult, PostureCheck } from '../check.ts';
import { networkIndex } from '../network-index.ts';
import { dig } from '../pod-templates.ts';
import { makeResult, show, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';

export const kp102: PostureCheck = {
  id: 'KP-102',
  title: 'NetworkPolicy selects at least one pod',
  severity: 'low',
  category: 'network',
  core: false,
  cis: [],
  reads: ['pods', 'workloads', 'networkpolicies'],
  remediation:
    'Fix spec.podSelector so it matches the labels of the pods it is meant to protect (or delete the unused policy).',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    const { policies, podLabels } = networkIndex(snapshot);
    const results: CheckResult[] = [];
    for (const [namespace, list] of policies) {
      const labelSets = podLabels.get(namespace) ?? [];
      for (const policy of list) {
        const subject = subjectOf(snapshot, policy.object);
        if (policy.podSelector.error !== undefined) {
          results.push(
            makeResult(
              kp102,
              'fail',
              subject,
              `spec.podSelector cannot be read: ${policy.podSelector.error}`,
            ),
          );
          continue;
        }
        const selected = labelSets.filter((labels) => policy.podSelector.matches(labels)).length;
        results.push(
          selected > 0
            ? makeResult(
                kp102,
                'pass',
                subject,
                `spec.podSelector matches ${selected} pod(s) or pod template(s)`,
              )
            : makeResult(
                kp102,
                'fail',
                subject,
                `spec.podSelector matches no pod or pod template in namespace "${namespace}"`,
                {
                  'spec.podSelector': show(dig(policy.object, 'spec', 'podSelector')),
                },
              ),
        );
      }
    }
    return results;
  },
};
