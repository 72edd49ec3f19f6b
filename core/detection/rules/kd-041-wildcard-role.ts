import { sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  describeTarget,
  isNonSystemCaller,
  listOf,
  listSentence,
  type PolicyRule,
  pastTense,
  ROLE_RESOURCES,
  requestedPolicyRules,
  roleEvidence,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

const VERBS = ['create', 'update', 'patch'];

/** Which of verbs / resources carry `*`; apiGroups are deliberately not read (catalog). */
function wildcardFields(rules: readonly PolicyRule[]): string[] {
  const fields: string[] = [];
  if (rules.some((rule) => rule.verbs.includes('*'))) fields.push('verbs');
  if (rules.some((rule) => rule.resources.includes('*'))) fields.push('resources');
  return fields;
}

export const kd041WildcardRole: AuditRule = {
  id: 'KD-041',
  title: 'Role/ClusterRole with wildcard verbs or resources',
  severity: 'high',
  mitre: ['T1098'],
  core: true,
  resources: ['roles', 'clusterroles'],
  trigger:
    '`create`/`update`/`patch` `roles`/`clusterroles`, success, any `requestObject.rules[*].verbs` or ' +
    '`.resources` contains `*` (wildcard apiGroups alone does not trigger); non-system user',
  whatHappened:
    'A person created or changed a Role or ClusterRole with a rule that allows every verb or every ' +
    'resource (`*`).',
  whyItMatters:
    'Wildcards grant far more than intended, including permissions added by future API versions and ' +
    'CRDs; a `*` on resources or verbs in a ClusterRole is effectively cluster-admin for that API group. ' +
    'CIS EKS 4.1.3 asks to minimise wildcard use.',
  firstResponse:
    'Check who is bound to the role (`kubectl get rolebindings,clusterrolebindings -A -o wide | grep ' +
    '<role>`). Replace the wildcards with the exact verbs and resources needed, or delete the role if ' +
    'it was not expected.',
  falsePositives:
    'Operators and Helm charts that ship broad roles for their own controllers; a human applying such ' +
    'a chart triggers this rule. Review once and allow-list the principal if it is routine.',
  /** Corpus line 5 (Falco trace: ClusterRole with wildcard resources), trimmed. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'd8964c73-0042-4f35-b253-4711092185a1',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    verb: 'create',
    user: { username: 'minikube-user', groups: ['system:masters', 'system:authenticated'] },
    sourceIPs: ['192.168.99.1'],
    objectRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
      name: 'some-reader',
      resource: 'clusterroles',
    },
    responseStatus: { code: 201 },
    requestObject: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'some-reader' },
      rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get', 'list'] }],
    },
    requestReceivedTimestamp: '2018-10-26T14:21:53.885708Z',
    stageTimestamp: '2018-10-26T14:21:53.889736Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, VERBS, ROLE_RESOURCES) || !isSuccess(event)) return null;
    if (!isNonSystemCaller(event)) return null;
    const rules = requestedPolicyRules(event);
    const fields = wildcardFields(rules);
    if (fields.length === 0) return null;
    return {
      summary: sentence`${actor(event)} ${pastTense(event.verb)} ${describeTarget(event)} with wildcard ${listSentence(fields)}.`,
      evidence: { ...roleEvidence(rules), wildcards: listOf(fields) },
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
