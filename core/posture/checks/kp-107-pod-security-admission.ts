import type { CheckResult, PostureCheck } from '../check.ts';
import { SYSTEM_NAMESPACES } from '../network-index.ts';
import { makeResult, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';

const ENFORCE = 'pod-security.kubernetes.io/enforce';
const ENFORCED_LEVELS: ReadonlySet<string> = new Set(['baseline', 'restricted']);

export const kp107: PostureCheck = {
  id: 'KP-107',
  title: 'Namespaces enforce a Pod Security level',
  severity: 'medium',
  category: 'network',
  core: false,
  cis: ['4.5.1'],
  reads: ['namespaces'],
  remediation: `Label the namespace ${ENFORCE}=restricted (or baseline where restricted is not yet possible).`,
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    return objectsOfKind(snapshot, 'Namespace')
      .filter((namespace) => !SYSTEM_NAMESPACES.has(namespace.metadata.name))
      .map((namespace) => {
        const level = namespace.metadata.labels?.[ENFORCE];
        const subject = subjectOf(snapshot, namespace);
        return level !== undefined && ENFORCED_LEVELS.has(level)
          ? makeResult(kp107, 'pass', subject, `label ${ENFORCE} is "${level}"`)
          : makeResult(
              kp107,
              'fail',
              subject,
              `metadata.labels["${ENFORCE}"] is ${level === undefined ? 'not set' : JSON.stringify(level)} (must be baseline or restricted)`,
              { [`metadata.labels["${ENFORCE}"]`]: level ?? '(not set)' },
            );
      });
  },
};
