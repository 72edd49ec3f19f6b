import type { CheckResult, PostureCheck } from '../check.ts';
import { dig } from '../pod-templates.ts';
import { makeResult, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';

export const kp103: PostureCheck = {
  id: 'KP-103',
  title: 'No NodePort Services',
  severity: 'medium',
  category: 'network',
  core: true,
  cis: [],
  reads: ['services'],
  remediation:
    'Use a ClusterIP Service behind an Ingress or an internal LoadBalancer instead of type NodePort, which opens the port on every node.',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    return objectsOfKind(snapshot, 'Service').map((service) => {
      const type = dig(service, 'spec', 'type');
      const subject = subjectOf(snapshot, service);
      return type === 'NodePort'
        ? makeResult(kp103, 'fail', subject, 'spec.type is "NodePort"', { 'spec.type': '"NodePort"' })
        : makeResult(kp103, 'pass', subject, `spec.type is ${JSON.stringify(type ?? 'ClusterIP')}`);
    });
  },
};
