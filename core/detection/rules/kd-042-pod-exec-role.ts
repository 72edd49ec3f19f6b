import { sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  describeTarget,
  isNonSystemCaller,
  listSentence,
  ROLE_RESOURCES,
  requestedPolicyRules,
  resourcesAmong,
  roleEvidence,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

const EXEC_RESOURCES = ['pods/exec', 'pods/attach'];

export const kd042PodExecRole: AuditRule = {
  id: 'KD-042',
  title: 'Role/ClusterRole granting pods/exec or pods/attach',
  severity: 'medium',
  mitre: ['T1609', 'T1098'],
  core: true,
  resources: ['roles', 'clusterroles'],
  trigger:
    '`create` `roles`/`clusterroles`, success, any rule `resources` contains `pods/exec` or ' +
    '`pods/attach`; non-system user (create only: patching an existing Role is not KD-042)',
  whatHappened: 'A person created a Role or ClusterRole that allows exec or attach into pods.',
  whyItMatters:
    'Whoever is bound to this role can run commands inside running containers, read their secrets and ' +
    'service-account tokens, and pivot from there. Exec rights should be rare and time-boxed.',
  firstResponse:
    'Find the bindings that reference the role and who they grant it to. If the access is not approved, ' +
    'delete the role and bindings and review recent `pods/exec` requests by those subjects.',
  falsePositives:
    'Debugging or CI roles created deliberately by platform teams; dashboards and IDE plugins that ' +
    'install an exec-capable role.',
  /** Corpus line 4 (Falco trace: ClusterRole granting pods/exec), trimmed. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '412a7809-4016-4228-a670-182be4bd18ec',
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
      rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] }],
    },
    requestReceivedTimestamp: '2018-10-26T14:35:50.621493Z',
    stageTimestamp: '2018-10-26T14:35:50.627514Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, ['create'], ROLE_RESOURCES) || !isSuccess(event)) return null;
    if (!isNonSystemCaller(event)) return null;
    const rules = requestedPolicyRules(event);
    const granted = resourcesAmong(rules, EXEC_RESOURCES);
    if (granted.length === 0) return null;
    return {
      summary: sentence`${actor(event)} created ${describeTarget(event)} granting ${listSentence(granted)}.`,
      evidence: roleEvidence(rules),
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
