import { sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { actor, describeTarget, pastTense, targetNamespace, targetWorkload } from './shared-rbac-objects.ts';
import { describePorts, requestedServiceType, SERVICE_WRITE_VERBS } from './shared-rbac-services.ts';

export const kd080NodePortService: AuditRule = {
  id: 'KD-080',
  title: 'NodePort Service created',
  severity: 'medium',
  mitre: ['T1133'],
  core: true,
  resources: ['services'],
  trigger: 'verb ∈ {create, update, patch} on `services`, success, `requestObject.spec.type == NodePort`',
  whatHappened: 'A Service of type NodePort was created or changed to NodePort.',
  whyItMatters:
    'A NodePort opens the same port on every node. Wherever node security groups allow it, the ' +
    'service becomes reachable from outside the cluster, bypassing load balancers, ingress TLS and WAF.',
  firstResponse:
    'Check whether the port is reachable from outside (node security groups, public subnets). Switch ' +
    'the Service to ClusterIP behind an ingress or an internal load balancer if exposure is not intended.',
  falsePositives:
    'Ingress controllers and some load-balancer setups use NodePort Services on purpose (behind an ALB/NLB ' +
    'in instance mode).',
  /** Corpus line 29 (Falco trace: NodePort Service created), trimmed. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'ceba9ec7-50b5-4bde-8b27-5909df9b35c9',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/services',
    verb: 'create',
    user: { username: 'minikube-user', groups: ['system:masters', 'system:authenticated'] },
    sourceIPs: ['192.168.99.1'],
    objectRef: { apiVersion: 'v1', name: 'nginx', namespace: 'default', resource: 'services' },
    responseStatus: { code: 201 },
    requestObject: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { labels: { app: 'nginx' }, name: 'nginx', namespace: 'default' },
      spec: {
        externalTrafficPolicy: 'Cluster',
        ports: [{ nodePort: 30080, port: 80, protocol: 'TCP', targetPort: 80 }],
        selector: { app: 'nginx' },
        sessionAffinity: 'None',
        type: 'NodePort',
      },
    },
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, SERVICE_WRITE_VERBS, ['services']) || !isSuccess(event)) return null;
    if (requestedServiceType(event) !== 'NodePort') return null;
    const ports = describePorts(event);
    return {
      summary: sentence`${actor(event)} ${pastTense(event.verb)} ${describeTarget(event)} as type NodePort (ports ${ports}).`,
      evidence: { serviceType: 'NodePort', ports },
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
