import { literal, sentence } from '../../model/sentence.ts';
import { type AuditEvent, asString, isRequestOn, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { actionPhrase, actor, outcomeNote, singularResource } from './shared-rbac-objects.ts';

const REVIEW_RESOURCES = ['selfsubjectrulesreviews', 'selfsubjectaccessreviews'];
const AUTHORIZATION_GROUP = 'authorization.k8s.io';
/**
 * "Unusual UA": no user agent, a bare HTTP library instead of a Kubernetes client, or a known
 * permission-enumeration / offensive tool. kubectl, client-go based controllers and SDKs are usual.
 */
const UNUSUAL_AGENT_MARKERS = [
  'curl/',
  'wget/',
  'python-requests/',
  'python-urllib',
  'go-http-client/',
  'okhttp/',
  'postmanruntime/',
  'access_matrix',
  'azurehound',
  'trufflehog',
  'micro-scanner',
  'peirates',
  'kube-hunter',
  'kubiscan',
  'rakkess',
  'kubectl-who-can',
];

function inAuthorizationGroup(event: AuditEvent): boolean {
  const group = asString(event.objectRef?.apiGroup);
  return group === undefined || group === '' || group === AUTHORIZATION_GROUP;
}

/** Why this self-review is suspicious, or undefined when it comes from a person using a normal client. */
function suspicion(event: AuditEvent): string | undefined {
  const caller = username(event);
  if (caller.startsWith('system:serviceaccount:')) return 'service account';
  if (caller.startsWith('system:node:')) return 'node identity';
  const agent = asString(event.userAgent) ?? '';
  if (agent.trim() === '') return 'no user agent';
  const lower = agent.toLowerCase();
  return UNUSUAL_AGENT_MARKERS.some((marker) => lower.includes(marker)) ? 'unusual user agent' : undefined;
}

export const kd062RbacSelfEnumeration: AuditRule = {
  id: 'KD-062',
  title: 'RBAC self-permission enumeration',
  severity: 'low',
  mitre: ['T1069.003', 'T1613'],
  core: false,
  resources: ['selfsubjectrulesreviews', 'selfsubjectaccessreviews'],
  trigger:
    '`create` `selfsubjectrulesreviews` or `selfsubjectaccessreviews` (apiGroup `authorization.k8s.io`), by ' +
    'SA or node identity or unusual UA (none, a bare HTTP library, or a known enumeration tool) (any ' +
    'response: the trigger has no success clause)',
  whatHappened:
    'An identity asked the API server what it is allowed to do (`kubectl auth can-i` style self-review).',
  whyItMatters:
    'The first thing an attacker does with a stolen service-account or node token is list its ' +
    'permissions. Workloads rarely need to; people using kubectl do it routinely, so only workload ' +
    'identities and unusual clients are flagged.',
  firstResponse:
    'Identify the pod or node behind the identity and check whether something in it is probing ' +
    '(unexpected processes, recent exec). Watch for follow-up discovery (KD-063) from the same principal.',
  falsePositives:
    'Controllers that check their own permissions at start-up (some operators, Argo CD, Helm); tools ' +
    'run from CI with curl.',
  /** A service-account `kubectl auth can-i --list` in the shape of the EKS fixtures. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: '1f3a5c7e-9b1d-4f3a-8c5e-7a9b1d3f5a7c',
    stage: 'ResponseComplete',
    requestURI: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    verb: 'create',
    user: {
      username: 'system:serviceaccount:default:webapp',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    },
    sourceIPs: ['10.0.42.17'],
    userAgent: 'kubectl/v1.28.0 (linux/amd64) kubernetes/a1b2c3d',
    objectRef: { resource: 'selfsubjectrulesreviews', apiGroup: 'authorization.k8s.io', apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestReceivedTimestamp: '2024-05-15T17:03:11.004512Z',
    stageTimestamp: '2024-05-15T17:03:11.005871Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, ['create'], REVIEW_RESOURCES) || !inAuthorizationGroup(event)) return null;
    const why = suspicion(event);
    if (why === undefined) return null;
    const kind = singularResource(asString(event.objectRef?.resource) ?? '');
    const evidence: Record<string, string> = { reason: why };
    const agent = asString(event.userAgent);
    if (agent) evidence.userAgent = agent;
    return {
      summary: sentence`${actor(event)} (${literal(why)}) ${actionPhrase(event)} a ${literal(kind)} to enumerate its own permissions${outcomeNote(event)}.`,
      evidence,
    };
  },
};
