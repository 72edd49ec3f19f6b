import { sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  describeTarget,
  isNonSystemCaller,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

export const kd071DeploymentOrNamespaceDeleted: AuditRule = {
  id: 'KD-071',
  title: 'Deployment / namespace deleted (impact)',
  severity: 'low',
  mitre: ['T1485', 'T1498'],
  core: false,
  resources: ['deployments', 'namespaces'],
  trigger: '`delete` `deployments` or `namespaces`, success, non-system user',
  whatHappened: 'A person deleted a Deployment or a whole namespace.',
  whyItMatters:
    'Deleting workloads or namespaces takes services down and destroys their objects (secrets, config, ' +
    'volumes claims). Usually a routine change, it is also how destructive attacks look (MS-TA9038).',
  firstResponse:
    'Confirm the deletion was planned. If not, restore from GitOps or backups and revoke the caller’s ' +
    'credentials.',
  falsePositives: 'Routine clean-up and environment tear-down by developers.',
  /** Corpus line 44 (Falco trace: namespace deleted), trimmed. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '693f4726-2430-450a-83e1-123c050fde98',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/foo',
    verb: 'delete',
    user: { username: 'minikube-user', groups: ['system:masters', 'system:authenticated'] },
    sourceIPs: ['192.168.99.1'],
    objectRef: { apiVersion: 'v1', name: 'foo', namespace: 'foo', resource: 'namespaces' },
    responseStatus: { code: 200 },
    requestObject: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, ['delete'], ['deployments', 'namespaces']) || !isSuccess(event)) return null;
    if (!isNonSystemCaller(event)) return null;
    return {
      summary: sentence`${actor(event)} deleted ${describeTarget(event)}.`,
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
