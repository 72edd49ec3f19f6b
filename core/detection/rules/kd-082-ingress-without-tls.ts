import { sentence } from '../../model/sentence.ts';
import {
  type AuditEvent,
  asArray,
  asString,
  getPath,
  isRecord,
  isRequestOn,
  isSuccess,
} from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  describeTarget,
  listSentence,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

/** Hosts named by the Ingress rules; `*` stands for a rule without host (every host). */
function ingressHosts(event: AuditEvent): string[] {
  return asArray(getPath(event.requestObject, 'spec', 'rules'))
    .filter(isRecord)
    .map((rule) => asString(rule.host) || '*');
}

/** `spec.tls` absent, or present but empty (an empty list configures no TLS either). */
function hasNoTls(event: AuditEvent): boolean {
  const spec = getPath(event.requestObject, 'spec');
  if (!isRecord(spec)) return false;
  return spec.tls === undefined || spec.tls === null || (Array.isArray(spec.tls) && spec.tls.length === 0);
}

export const kd082IngressWithoutTls: AuditRule = {
  id: 'KD-082',
  title: 'Ingress without TLS created',
  severity: 'low',
  mitre: ['T1040'],
  core: false,
  resources: ['ingresses'],
  trigger:
    '`create` `ingresses`, success, `requestObject.spec.tls` absent (or an empty list); an event without ' +
    'a request body (Metadata level) cannot tell and does not trigger',
  whatHappened: 'An Ingress was created without any TLS configuration.',
  whyItMatters:
    'Traffic to the exposed hosts travels in clear text unless TLS is terminated elsewhere: credentials ' +
    'and session cookies can be sniffed on the way.',
  firstResponse:
    'Check whether TLS is terminated upstream (ALB listener certificate annotations). If not, add a `tls` ' +
    'section with a certificate (cert-manager, ACM).',
  falsePositives:
    'ALB Ingresses that terminate TLS via `alb.ingress.kubernetes.io/certificate-arn` rather than `spec.tls`; ' +
    'internal-only ingresses.',
  /** Corpus line 75 (Panther test), with auditID, stage and requestURI added. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '5e7a9c1e-3a5c-4e7a-8c1e-3a5c7e9a1c3e',
    stage: 'ResponseComplete',
    requestURI: '/apis/networking.k8s.io/v1/namespaces/production/ingresses',
    verb: 'create',
    user: { username: 'developer@example.com' },
    userAgent: 'kubectl/v1.28.0',
    objectRef: {
      resource: 'ingresses',
      namespace: 'production',
      name: 'api-ingress',
      apiGroup: 'networking.k8s.io',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'Ingress',
      metadata: { name: 'api-ingress', namespace: 'production' },
      spec: {
        rules: [
          {
            host: 'api.example.com',
            http: { paths: [{ path: '/', backend: { serviceName: 'api-service', servicePort: 80 } }] },
          },
        ],
      },
    },
  },
  match(event) {
    if (!isRequestOn(event, ['create'], ['ingresses']) || !isSuccess(event)) return null;
    if (!hasNoTls(event)) return null;
    const hosts = listSentence(ingressHosts(event));
    return {
      summary: sentence`${actor(event)} created ${describeTarget(event)} without TLS for hosts ${hosts}.`,
      evidence: { hosts: hosts.text, tls: 'none' },
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
