import { sentence } from '../../model/sentence.ts';
import { type AuditEvent, isRequestOn } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actionPhrase,
  actor,
  describeTarget,
  outcomeNote,
  requestedAnnotation,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';
import { describePorts, requestedServiceType, SERVICE_WRITE_VERBS } from './shared-rbac-services.ts';

const INTERNAL_ANNOTATION = 'service.beta.kubernetes.io/aws-load-balancer-internal';
const SCHEME_ANNOTATION = 'service.beta.kubernetes.io/aws-load-balancer-scheme';

/**
 * Internal when the legacy `…-internal` annotation is present (any value but `false`: the in-tree
 * provider accepted `true` or a CIDR) or the AWS Load Balancer Controller scheme is `internal`.
 */
function isInternal(event: AuditEvent): boolean {
  const internal = requestedAnnotation(event, INTERNAL_ANNOTATION);
  if (internal !== undefined && internal.trim().toLowerCase() !== 'false') return true;
  return requestedAnnotation(event, SCHEME_ANNOTATION)?.trim().toLowerCase() === 'internal';
}

export const kd081LoadBalancerService: AuditRule = {
  id: 'KD-081',
  title: 'LoadBalancer Service created',
  severity: 'low',
  mitre: ['T1133'],
  core: false,
  resources: ['services'],
  trigger:
    'create/update/patch `services` with `spec.type == LoadBalancer` (no ' +
    '`service.beta.kubernetes.io/aws-load-balancer-internal` / scheme `internal` annotation) (any caller, ' +
    'any response: the trigger has neither clause)',
  whatHappened:
    'A Service of type LoadBalancer without an internal-scheme annotation was created or changed.',
  whyItMatters:
    'On EKS this provisions an internet-facing load balancer by default: the service becomes reachable ' +
    'from the internet. Dashboards and admin UIs exposed this way are a frequent entry point.',
  firstResponse:
    'Check that the service is meant to be public and protected (authentication, TLS, source ranges). ' +
    'Otherwise add the internal scheme annotation or `loadBalancerSourceRanges`.',
  falsePositives: 'Public-facing applications exposed deliberately; this is a low-severity review signal.',
  /** Corpus line 147 (Panther test) as a LoadBalancer Service. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '0d2f4a6c-8e0a-4c2e-9a4c-6e8a0c2e4a6d',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/monitoring/services',
    verb: 'create',
    user: { username: 'developer@example.com', groups: ['system:authenticated'] },
    sourceIPs: ['198.51.100.23'],
    userAgent: 'kubectl/v1.28.2',
    objectRef: { resource: 'services', namespace: 'monitoring', name: 'grafana', apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'grafana', namespace: 'monitoring' },
      spec: {
        type: 'LoadBalancer',
        selector: { app: 'grafana' },
        ports: [{ port: 80, targetPort: 3000, protocol: 'TCP' }],
      },
    },
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, SERVICE_WRITE_VERBS, ['services'])) return null;
    if (requestedServiceType(event) !== 'LoadBalancer' || isInternal(event)) return null;
    const ports = describePorts(event);
    return {
      summary: sentence`${actor(event)} ${actionPhrase(event)} ${describeTarget(event)} as a public LoadBalancer (ports ${ports})${outcomeNote(event)}.`,
      evidence: { serviceType: 'LoadBalancer', ports },
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
