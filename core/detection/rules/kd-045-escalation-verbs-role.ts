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

const VERBS = ['create', 'update', 'patch'];
const ESCALATION_VERBS = ['escalate', 'bind', 'impersonate'];

export const kd045EscalationVerbsRole: AuditRule = {
  id: 'KD-045',
  title: 'Role with escalate / bind / impersonate verbs',
  severity: 'medium',
  mitre: ['T1098'],
  core: false,
  resources: ['roles', 'clusterroles'],
  trigger:
    'create/update/patch roles/clusterroles, verbs ∩ {escalate, bind, impersonate} ≠ ∅ (any caller, any ' +
    'response: the trigger has neither clause)',
  whatHappened:
    'A Role or ClusterRole was created or changed to allow the escalate, bind or impersonate verbs.',
  whyItMatters:
    'escalate and bind let a subject grant itself permissions it does not hold; impersonate lets it act ' +
    'as any user, group or service account. All three bypass RBAC’s privilege-escalation prevention ' +
    '(CIS EKS 4.1.8).',
  firstResponse:
    'Find who is bound to the role and why they need these verbs. Remove the verbs or the role if they ' +
    'are not required, and review recent RBAC changes and impersonated requests by those subjects.',
  falsePositives:
    'RBAC managers, GitOps controllers and some operators need bind/escalate; identity proxies need ' +
    'impersonate. A human creating such a role is still worth a look.',
  /** Corpus line 100 (Panther test) with the escalation verbs KD-045 looks for. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'b1f5e0a4-2c6d-4e8f-9a1b-3c5d7e9f1a2b',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    verb: 'create',
    user: { username: 'attacker@example.com' },
    sourceIPs: ['203.0.113.42'],
    userAgent: 'kubectl/v1.28.0',
    objectRef: {
      resource: 'clusterroles',
      name: 'rbac-escalator',
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'ClusterRole',
      metadata: { name: 'rbac-escalator' },
      rules: [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterroles', 'clusterrolebindings'],
          verbs: ['get', 'bind', 'escalate'],
        },
      ],
    },
  },
  match(event) {
    if (!isRequestOn(event, VERBS, ROLE_RESOURCES)) return null;
    const rules = requestedPolicyRules(event);
    const risky = verbsAmong(rules, ESCALATION_VERBS);
    if (risky.length === 0) return null;
    return {
      summary: sentence`${actor(event)} ${actionPhrase(event)} ${describeTarget(event)} granting ${listSentence(risky)}${outcomeNote(event)}.`,
      evidence: roleEvidence(rules),
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
