import { sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  describeTarget,
  isNonSystemCaller,
  pastTense,
  ROLE_RESOURCES,
  requestedPolicyRules,
  roleEvidence,
  targetName,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

const VERBS = ['update', 'patch', 'delete'];
/** Roles that are routinely edited (Falco's exclusions); `system:aggregate-*` are reconciled by a controller. */
const EXCLUDED_NAMES = ['system:coredns', 'system:managed-certificate-controller'];
const EXCLUDED_PREFIX = 'system:aggregate-';

function isProtectedSystemRole(name: string | undefined): name is string {
  if (name === undefined || !name.startsWith('system:')) return false;
  return !EXCLUDED_NAMES.includes(name) && !name.startsWith(EXCLUDED_PREFIX);
}

export const kd046SystemRoleModified: AuditRule = {
  id: 'KD-046',
  title: 'System ClusterRole/Role modified or deleted',
  severity: 'high',
  mitre: ['T1098'],
  core: true,
  resources: ['roles', 'clusterroles'],
  trigger:
    'verb ∈ {update, patch, delete} on `clusterroles`/`roles` with `objectRef.name` starting `system:` ' +
    '(exclude `system:coredns`, `system:managed-certificate-controller`, `system:aggregate-*` reconciled by ' +
    '`clusterrole-aggregation-controller`), success, non-system user',
  whatHappened:
    'A person changed or deleted one of the built-in `system:` roles that Kubernetes components rely on.',
  whyItMatters:
    'Built-in roles define what nodes, controllers and the scheduler may do. Widening one silently grants ' +
    'those rights to every identity bound to it (for example all nodes); deleting one can break the ' +
    'cluster or hide a later re-creation with different rules.',
  firstResponse:
    'Compare the role with its default (`kubectl get clusterrole <name> -o yaml`; the API server ' +
    're-creates missing defaults on restart when autoupdate is true). Revert unexpected rules and review ' +
    "the caller's other recent RBAC changes.",
  falsePositives:
    'Deliberate, reviewed edits by cluster administrators, for example to work around a component bug.',
  /** Corpus line 50 (Falco trace: patch of system:node-problem-detector), trimmed. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '0eaf743e-1668-4de5-940b-0bb5d79aa4c9',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node-problem-detector',
    verb: 'patch',
    user: { username: 'minikube-user', groups: ['system:masters', 'system:authenticated'] },
    sourceIPs: ['192.168.99.1'],
    objectRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
      name: 'system:node-problem-detector',
      resource: 'clusterroles',
    },
    responseStatus: { code: 200 },
    requestObject: {
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
        { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update', 'list'] },
      ],
    },
    requestReceivedTimestamp: '2018-10-26T14:11:51.033796Z',
    stageTimestamp: '2018-10-26T14:11:51.039120Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, VERBS, ROLE_RESOURCES) || !isSuccess(event)) return null;
    if (!isNonSystemCaller(event)) return null;
    const name = targetName(event);
    if (!isProtectedSystemRole(name)) return null;
    const rules = requestedPolicyRules(event);
    return {
      summary: sentence`${actor(event)} ${pastTense(event.verb)} built-in ${describeTarget(event)}.`,
      evidence: rules.length > 0 ? { role: name, ...roleEvidence(rules) } : { role: name },
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
