import { sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  isNonSystemCaller,
  targetName,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

const SYSTEM_NAMESPACES = ['kube-system', 'kube-public'];

export const kd054SystemNamespaceServiceAccount: AuditRule = {
  id: 'KD-054',
  title: 'ServiceAccount created in a system namespace',
  severity: 'medium',
  mitre: ['T1136'],
  core: false,
  resources: ['serviceaccounts'],
  trigger: '`create` `serviceaccounts` (no subresource) in kube-system/kube-public, success, non-system user',
  whatHappened: 'A person created a service account in kube-system or kube-public.',
  whyItMatters:
    'Service accounts in system namespaces blend in with cluster components and are often bound to ' +
    'powerful roles; attackers create them as a durable, inconspicuous identity.',
  firstResponse:
    'Check what the new service account is bound to and which pods use it. Delete it if it is not part ' +
    'of an approved add-on installation.',
  falsePositives: 'Manual installation of add-ons (CNI plugins, agents) into kube-system.',
  /** Corpus line 37 (Falco trace: service account created in kube-public), trimmed. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '3380c3ae-8bb5-40af-b247-fc0838abfb56',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/kube-public/serviceaccounts',
    verb: 'create',
    user: { username: 'minikube-user', groups: ['system:masters', 'system:authenticated'] },
    sourceIPs: ['192.168.99.1'],
    objectRef: { apiVersion: 'v1', name: 'myacct', namespace: 'kube-public', resource: 'serviceaccounts' },
    responseStatus: { code: 201 },
    requestObject: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'myacct' } },
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, ['create'], ['serviceaccounts'], '') || !isSuccess(event)) return null;
    const namespace = targetNamespace(event);
    if (namespace === undefined || !SYSTEM_NAMESPACES.includes(namespace) || !isNonSystemCaller(event))
      return null;
    const name = targetName(event) ?? '(unnamed)';
    return {
      summary: sentence`${actor(event)} created service account ${`${namespace}/${name}`}.`,
      evidence: { serviceAccount: `${namespace}/${name}` },
      namespace,
      workload: targetWorkload(event),
    };
  },
};
