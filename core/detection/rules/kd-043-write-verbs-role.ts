import { sentence } from '../../model/sentence.ts';
import { isRequestOn } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actionPhrase,
  actor,
  describeTarget,
  listSentence,
  outcomeNote,
  ROLE_RESOURCES,
  requestedPolicyRules,
  roleEvidence,
  targetNamespace,
  targetWorkload,
  verbsAmong,
} from './shared-rbac-objects.ts';

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

export const kd043WriteVerbsRole: AuditRule = {
  id: 'KD-043',
  title: 'Role/ClusterRole with write verbs',
  severity: 'low',
  mitre: ['T1098'],
  core: false,
  resources: ['roles', 'clusterroles'],
  trigger:
    '`create` `roles`/`clusterroles`, rule verbs ∩ {create, update, patch, delete, deletecollection} ≠ ∅ ' +
    '(any caller, any response: the trigger has neither clause; `*` is KD-041)',
  whatHappened: 'A Role or ClusterRole that allows changing or deleting objects was created.',
  whyItMatters:
    'Write permissions are what turn a foothold into persistence or impact. New roles with write verbs ' +
    'are worth a glance to confirm they are scoped to what their users need.',
  firstResponse:
    'Look at the resources the role can write and who is bound to it. Narrow it if it grants more than ' +
    'the workload or team needs.',
  falsePositives:
    'Most application and operator roles legitimately write something: this is a low-severity, ' +
    'change-tracking signal. Denied attempts also appear here (KD-061 flags the denial itself).',
  /** Corpus line 120 (Panther test), with auditID, stage and requestURI added. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '6c3b7c0e-3f8e-4f8a-9e0a-120f0c2f5a11',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    verb: 'create',
    user: { username: 'admin@example.com' },
    userAgent: 'kubectl/v1.28.0',
    objectRef: {
      resource: 'clusterroles',
      name: 'secret-manager',
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'ClusterRole',
      metadata: { name: 'secret-manager' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'delete'] }],
    },
  },
  match(event) {
    if (!isRequestOn(event, ['create'], ROLE_RESOURCES)) return null;
    const rules = requestedPolicyRules(event);
    const writes = verbsAmong(rules, WRITE_VERBS);
    if (writes.length === 0) return null;
    return {
      summary: sentence`${actor(event)} ${actionPhrase(event)} ${describeTarget(event)} granting write verbs ${listSentence(writes)}${outcomeNote(event)}.`,
      evidence: roleEvidence(rules),
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
