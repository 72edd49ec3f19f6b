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
  resourcesAmong,
  roleEvidence,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

const NODE_PROXY_RESOURCES = ['nodes/proxy', 'nodes/*'];

export const kd044NodeProxyRole: AuditRule = {
  id: 'KD-044',
  title: 'Role/ClusterRole granting nodes/proxy',
  severity: 'medium',
  mitre: ['T1611'],
  core: false,
  resources: ['roles', 'clusterroles'],
  trigger:
    '`create` roles/clusterroles with resources `nodes/proxy` (or `nodes/*`) (any caller, any response: ' +
    'the trigger has neither clause)',
  whatHappened:
    'A Role or ClusterRole that grants `nodes/proxy` (direct access to the kubelet API) was created.',
  whyItMatters:
    'nodes/proxy reaches the kubelet API through the API server: with it, a subject can run commands in ' +
    'any pod on the node, bypassing pods/exec authorization and most audit logging (CIS EKS 4.1.10).',
  firstResponse:
    'Find who is bound to the role. Unless it is a monitoring agent that needs it, delete the role and ' +
    'look for `nodes/proxy` requests by the bound subjects (KD-028).',
  falsePositives:
    'Monitoring agents (metrics collectors) sometimes request nodes/proxy; most can use ' +
    '`nodes/metrics` or `nodes/stats` instead.',
  /** Corpus line 100 (Panther test), with auditID, stage and requestURI added. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '9d0f3c2a-7e41-4b59-8f0e-2a6d1c3b4e57',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    verb: 'create',
    user: { username: 'attacker@example.com' },
    sourceIPs: ['203.0.113.42'],
    userAgent: 'kubectl/v1.28.0',
    objectRef: {
      resource: 'clusterroles',
      name: 'node-accessor',
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'ClusterRole',
      metadata: { name: 'node-accessor' },
      rules: [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get', 'list', 'create'] }],
    },
  },
  match(event) {
    if (!isRequestOn(event, ['create'], ROLE_RESOURCES)) return null;
    const rules = requestedPolicyRules(event);
    const granted = resourcesAmong(rules, NODE_PROXY_RESOURCES);
    if (granted.length === 0) return null;
    return {
      summary: sentence`${actor(event)} ${actionPhrase(event)} ${describeTarget(event)} granting ${listSentence(granted)}${outcomeNote(event)}.`,
      evidence: roleEvidence(rules),
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
