import type { CheckResult, PostureCheck } from '../check.ts';
import { dig, list } from '../pod-templates.ts';
import { makeResult, subjectOf } from '../results.ts';
import type { ClusterSnapshot, KubeObject } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';

const SCHEME = 'service.beta.kubernetes.io/aws-load-balancer-scheme';
const INTERNAL = 'service.beta.kubernetes.io/aws-load-balancer-internal';
const SOURCE_RANGES = 'service.beta.kubernetes.io/load-balancer-source-ranges';
/** The AWS Load Balancer Controller's class: its NLBs are internal unless the scheme says otherwise. */
const LBC_CLASS = 'service.k8s.aws/nlb';
const ANYWHERE: ReadonlySet<string> = new Set(['0.0.0.0/0', '::/0']);

/** Why the load balancer is not open to the internet, or undefined when it is. */
export function restriction(service: KubeObject): string | undefined {
  const annotations = service.metadata.annotations ?? {};
  const scheme = annotations[SCHEME];
  if (scheme === 'internal') return `annotation ${SCHEME} is "internal"`;
  const internal = annotations[INTERNAL];
  if (internal !== undefined && internal !== 'false')
    return `annotation ${INTERNAL} is ${JSON.stringify(internal)}`;
  if (scheme === undefined && dig(service, 'spec', 'loadBalancerClass') === LBC_CLASS) {
    return `spec.loadBalancerClass is "${LBC_CLASS}" (internal by default)`;
  }
  const ranges = [
    ...list(dig(service, 'spec', 'loadBalancerSourceRanges')).map(String),
    ...(annotations[SOURCE_RANGES] ?? '')
      .split(',')
      .map((range) => range.trim())
      .filter((range) => range !== ''),
  ];
  if (ranges.length > 0 && !ranges.some((range) => ANYWHERE.has(range))) {
    return `source ranges restricted to ${ranges.join(', ')}`;
  }
  return undefined;
}

export const kp104: PostureCheck = {
  id: 'KP-104',
  title: 'Internet-facing LoadBalancer Services restricted',
  severity: 'high',
  category: 'network',
  core: true,
  cis: ['5.4.5'],
  reads: ['services'],
  remediation:
    'Make the load balancer internal (annotation service.beta.kubernetes.io/aws-load-balancer-scheme: internal) or restrict spec.loadBalancerSourceRanges to known CIDRs.',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    return objectsOfKind(snapshot, 'Service')
      .filter((service) => dig(service, 'spec', 'type') === 'LoadBalancer')
      .map((service) => {
        const subject = subjectOf(snapshot, service);
        const reason = restriction(service);
        if (reason !== undefined) return makeResult(kp104, 'pass', subject, reason);
        const ranges = list(dig(service, 'spec', 'loadBalancerSourceRanges')).map(String);
        return makeResult(
          kp104,
          'fail',
          subject,
          `internet-facing LoadBalancer open to ${ranges.length > 0 ? ranges.join(', ') : 'any source'}: no internal scheme annotation and spec.loadBalancerSourceRanges ${ranges.length > 0 ? 'allows 0.0.0.0/0' : 'is not set'}`,
          {
            [`metadata.annotations["${SCHEME}"]`]: service.metadata.annotations?.[SCHEME] ?? '(not set)',
            'spec.loadBalancerSourceRanges': ranges.length > 0 ? ranges.join(', ') : '(not set)',
          },
        );
      });
  },
};
