import { sentence } from '../../model/sentence.ts';
import { type AuditEvent, isRequestOn, resource, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actionPhrase,
  actor,
  BINDING_RESOURCES,
  bindingEvidence,
  describeTarget,
  outcomeNote,
  RBAC_RESOURCES,
  requestedPolicyRules,
  roleEvidence,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

const VERBS = ['create', 'update', 'patch', 'delete'];
const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
/**
 * Controllers whose job is to write RBAC objects. Matched as full kube-system usernames: a service
 * account of the same name in another namespace is not the controller.
 */
const EXCLUDED_CONTROLLERS = [
  'system:serviceaccount:kube-system:clusterrole-aggregation-controller',
  'system:serviceaccount:kube-system:generic-garbage-collector',
];

function changeEvidence(event: AuditEvent): Record<string, string> {
  if (event.verb === 'delete') return {};
  if ((BINDING_RESOURCES as readonly string[]).includes(resource(event))) {
    return bindingEvidence(event);
  }
  const rules = requestedPolicyRules(event);
  return rules.length > 0 ? roleEvidence(rules) : {};
}

export const kd048ServiceAccountRbacChange: AuditRule = {
  id: 'KD-048',
  title: 'Service account modifies RBAC objects',
  severity: 'medium',
  mitre: ['T1098'],
  core: false,
  resources: ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'],
  trigger:
    '`user.username` starts `system:serviceaccount:` (excluding `clusterrole-aggregation-controller`, ' +
    '`generic-garbage-collector` of kube-system), verb ∈ {create, update, patch, delete} on ' +
    'roles/clusterroles/(cluster)rolebindings (any response: the trigger has no success clause)',
  whatHappened:
    'A service account (a workload identity, not a person) created, changed or deleted an RBAC object.',
  whyItMatters:
    'A compromised pod whose service account can write RBAC can grant itself or an attacker any ' +
    'permission. Outside a few controllers and operators, workloads should not manage RBAC.',
  firstResponse:
    'Identify the workload that runs as this service account and whether managing RBAC is part of its ' +
    'job. If not, remove its RBAC write permissions, revert the change, and inspect the pod.',
  falsePositives:
    'Operators, Helm controllers (Flux, Argo CD) and cert-manager create roles and bindings for the ' +
    'software they install; allow-list those principals once reviewed.',
  /** Corpus line 67 (Panther test), with auditID, stage and requestURI added. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '3e7a9c1b-5d2f-4a6e-8b0c-9f1e2d3c4b5a',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    verb: 'create',
    user: { username: 'system:serviceaccount:kube-system:controller' },
    objectRef: {
      resource: 'clusterrolebindings',
      name: 'system-binding',
      apiGroup: 'rbac.authorization.k8s.io',
    },
    responseStatus: { code: 201 },
    requestObject: { roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } },
  },
  match(event) {
    const caller = username(event);
    if (!caller.startsWith(SERVICE_ACCOUNT_PREFIX) || EXCLUDED_CONTROLLERS.includes(caller)) return null;
    if (!isRequestOn(event, VERBS, RBAC_RESOURCES)) return null;
    return {
      summary: sentence`Service account ${actor(event)} ${actionPhrase(event)} ${describeTarget(event)}${outcomeNote(event)}.`,
      evidence: { serviceAccount: caller.slice(SERVICE_ACCOUNT_PREFIX.length), ...changeEvidence(event) },
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
