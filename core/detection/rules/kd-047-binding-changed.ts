import { literal, type Sentence, sentence } from '../../model/sentence.ts';
import { isRequestOn } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actionPhrase,
  actor,
  BINDING_RESOURCES,
  bindingEvidence,
  describeTarget,
  isNonSystemCaller,
  outcomeNote,
  type RoleRef,
  requestedRoleRef,
  requestedSubjects,
  roleRefSentence,
  targetNamespace,
  targetWorkload,
  toSubjectsPhrase,
} from './shared-rbac-objects.ts';

const VERBS = ['create', 'update', 'patch', 'delete'];

function describeChange(verb: string, roleRef: RoleRef | undefined, subjects: Sentence): Sentence {
  if (verb === 'delete' || roleRef === undefined) return literal('');
  return sentence` binding ${roleRefSentence(roleRef)}${subjects}`;
}

export const kd047BindingChanged: AuditRule = {
  id: 'KD-047',
  title: 'RoleBinding / ClusterRoleBinding created, modified or deleted',
  severity: 'low',
  mitre: ['T1098'],
  core: false,
  resources: ['rolebindings', 'clusterrolebindings'],
  trigger:
    'verb ∈ {create, update, patch, delete} on `rolebindings`/`clusterrolebindings`, non-system user ' +
    '(any response: the trigger has no success clause)',
  whatHappened: 'A person created, changed or deleted a RoleBinding or ClusterRoleBinding.',
  whyItMatters:
    'Bindings decide who holds which permissions. Attackers add bindings to keep access, and remove ' +
    'them to lock defenders out; a record of every human change helps reconstruct what happened.',
  firstResponse:
    'Check that the change matches an approved request. For unexpected bindings, look at the role they ' +
    'grant (KD-040 fires for cluster-admin) and at what the subjects did since.',
  falsePositives:
    'Routine access management by administrators and GitOps pipelines running as a person. Low severity, ' +
    'change tracking; denied attempts also appear here (KD-061 flags the denial itself).',
  /** Corpus line 9 (Falco trace: ClusterRoleBinding to system:basic-user), trimmed. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'e040d0ab-473c-442c-9707-88553173e962',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    verb: 'create',
    user: { username: 'minikube-user', groups: ['system:masters', 'system:authenticated'] },
    sourceIPs: ['192.168.99.1'],
    objectRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
      name: 'some-reader-binding',
      resource: 'clusterrolebindings',
    },
    responseStatus: { code: 201 },
    requestObject: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'some-reader-binding' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:basic-user' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'minikube' }],
    },
    requestReceivedTimestamp: '2018-10-26T13:25:18.279128Z',
    stageTimestamp: '2018-10-26T13:25:18.286399Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, VERBS, BINDING_RESOURCES) || !isNonSystemCaller(event)) return null;
    const roleRef = requestedRoleRef(event);
    const change = describeChange(event.verb, roleRef, toSubjectsPhrase(requestedSubjects(event)));
    return {
      summary: sentence`${actor(event)} ${actionPhrase(event)} ${describeTarget(event)}${change}${outcomeNote(event)}.`,
      evidence: event.verb === 'delete' ? {} : bindingEvidence(event),
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
