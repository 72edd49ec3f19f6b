import type { CheckResult, PostureCheck } from '../check.ts';
import { list, record } from '../pod-templates.ts';
import { makeResult, subjectOf } from '../results.ts';
import type { KubeObject } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';

export const NLB_CERT_ANNOTATION = 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert';
export const ALB_CERT_ANNOTATION = 'alb.ingress.kubernetes.io/certificate-arn';

/** Ports that carry HTTP(S): by number, or by a name/appProtocol saying http. */
function httpPorts(service: KubeObject): string[] {
  return list(record(service.spec)?.ports)
    .map(record)
    .filter((port) => port !== undefined)
    .filter((port) => {
      const label = `${String(port.name ?? '')} ${String(port.appProtocol ?? '')}`.toLowerCase();
      return [80, 443, 8080, 8443].includes(Number(port.port)) || label.includes('http');
    })
    .map((port) => String(port.name ?? port.port));
}

function isAlbIngress(ingress: KubeObject): boolean {
  const className =
    record(ingress.spec)?.ingressClassName ?? ingress.metadata.annotations?.['kubernetes.io/ingress.class'];
  return (
    className === 'alb' ||
    Object.keys(ingress.metadata.annotations ?? {}).some((key) =>
      key.startsWith('alb.ingress.kubernetes.io/'),
    )
  );
}

export const loadBalancerTlsCheck: PostureCheck = {
  id: 'KP-029',
  title: 'HTTPS load balancers terminate TLS with a certificate',
  severity: 'medium',
  category: 'aws',
  core: false,
  cis: ['5.4.5'],
  reads: ['services', 'ingresses'],
  remediation:
    'Add an ACM certificate: annotation service.beta.kubernetes.io/aws-load-balancer-ssl-cert on LoadBalancer Services, alb.ingress.kubernetes.io/certificate-arn (or spec.tls hosts for certificate discovery) on ALB Ingresses.',
  evaluate(snapshot) {
    const results: CheckResult[] = [];
    for (const service of objectsOfKind(snapshot, 'Service')) {
      if (record(service.spec)?.type !== 'LoadBalancer') continue;
      const ports = httpPorts(service);
      if (ports.length === 0) continue; // not an HTTP load balancer
      const certificate = service.metadata.annotations?.[NLB_CERT_ANNOTATION];
      results.push(
        certificate
          ? makeResult(this, 'pass', subjectOf(snapshot, service), `TLS terminates with ${certificate}`, {
              [`metadata.annotations.${NLB_CERT_ANNOTATION}`]: certificate,
            })
          : makeResult(
              this,
              'fail',
              subjectOf(snapshot, service),
              `LoadBalancer Service serves HTTP ports ${ports.join(', ')} without metadata.annotations.${NLB_CERT_ANNOTATION}: traffic crosses the load balancer in clear text`,
              { [`metadata.annotations.${NLB_CERT_ANNOTATION}`]: '(not set)' },
            ),
      );
    }
    for (const ingress of objectsOfKind(snapshot, 'Ingress')) {
      if (!isAlbIngress(ingress)) continue;
      const certificate = ingress.metadata.annotations?.[ALB_CERT_ANNOTATION];
      const tlsHosts = list(record(ingress.spec)?.tls).flatMap((entry) => list(record(entry)?.hosts));
      const subject = subjectOf(snapshot, ingress);
      if (certificate) {
        results.push(
          makeResult(this, 'pass', subject, `the ALB terminates TLS with ${certificate}`, {
            [`metadata.annotations.${ALB_CERT_ANNOTATION}`]: certificate,
          }),
        );
      } else if (tlsHosts.length > 0) {
        results.push(
          makeResult(
            this,
            'pass',
            subject,
            `the ALB discovers ACM certificates for spec.tls hosts ${tlsHosts.join(', ')}`,
          ),
        );
      } else {
        results.push(
          makeResult(
            this,
            'fail',
            subject,
            `ALB Ingress has neither metadata.annotations.${ALB_CERT_ANNOTATION} nor spec.tls hosts: it listens on HTTP only`,
            { [`metadata.annotations.${ALB_CERT_ANNOTATION}`]: '(not set)', 'spec.tls': '(not set)' },
          ),
        );
      }
    }
    return results;
  },
};
