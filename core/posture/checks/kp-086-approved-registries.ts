import type { CheckOptions, CheckResult, PostureCheck } from '../check.ts';
import { isApproved } from '../images.ts';
import { containersOf } from '../pod-templates.ts';
import { skipResult } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

const inner = templateCheck({
  id: 'KP-086',
  title: 'Images from approved registries only',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: ['5.1.4'],
  reads: POD_READS,
  remediation:
    'Pull images only from the approved registries (e.g. your ECR), mirroring third-party images there after review.',
  passMessage: 'every image comes from an approved registry',
  inspect: (template, options) => {
    const approved = options.approvedRegistries ?? [];
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template)) {
      if (typeof container.image !== 'string' || isApproved(container.image, approved)) continue;
      violations.push(
        violation(`${path}.image`, container.image, `container "${name}"; not from ${approved.join(', ')}`),
      );
    }
    return violations;
  },
});

/** Inactive until approved registries are configured: it then reports a skip saying so. */
export const kp086: PostureCheck = {
  ...inner,
  evaluate(snapshot: ClusterSnapshot, options: CheckOptions = {}): CheckResult[] {
    if ((options.approvedRegistries ?? []).length === 0) {
      return [
        skipResult(
          inner,
          snapshot,
          'no approved registries configured (set approvedRegistries / --approved-registry)',
        ),
      ];
    }
    return inner.evaluate(snapshot, options);
  },
};
