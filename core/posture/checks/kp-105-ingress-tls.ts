import type { CheckResult, PostureCheck } from '../check.ts';
import { dig, list } from '../pod-templates.ts';
import { makeResult, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';

/** An ALB terminates TLS itself when given a certificate (AWS Load Balancer Controller annotation). */
const ALB_CERTIFICATE = 'alb.ingress.kubernetes.io/certificate-arn';

export const kp105: PostureCheck = {
  id: 'KP-105',
  title: 'Ingress uses TLS',
  severity: 'medium',
  category: 'network',
  core: false,
  cis: [],
  reads: ['ingresses'],
  remediation:
    'Add spec.tls with a certificate Secret (or the ALB annotation alb.ingress.kubernetes.io/certificate-arn).',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    return objectsOfKind(snapshot, 'Ingress').map((ingress) => {
      const subject = subjectOf(snapshot, ingress);
      const tls = list(dig(ingress, 'spec', 'tls'));
      if (tls.length > 0)
        return makeResult(
          kp105,
          'pass',
          subject,
          `spec.tls has ${tls.length} entr${tls.length === 1 ? 'y' : 'ies'}`,
        );
      const certificate = ingress.metadata.annotations?.[ALB_CERTIFICATE];
      if (certificate !== undefined && certificate !== '') {
        return makeResult(kp105, 'pass', subject, `annotation ${ALB_CERTIFICATE} is set`);
      }
      return makeResult(
        kp105,
        'fail',
        subject,
        `spec.tls is not set and annotation ${ALB_CERTIFICATE} is not set`,
        {
          'spec.tls': '(not set)',
        },
      );
    });
  },
};
