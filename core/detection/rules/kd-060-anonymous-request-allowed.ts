import { sentence } from '../../model/sentence.ts';
import { type AuditEvent, asString, isSuccess, requestPath, userGroups, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  requestDescription,
  targetName,
  targetNamespace,
  targetWorkload,
  verbWord,
} from './shared-rbac-objects.ts';

const ANONYMOUS_USER = 'system:anonymous';
const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
/** Paths system:public-info-viewer opens to everyone by default: benign-but-noisy probes. */
const PUBLIC_INFO_PREFIXES = ['/healthz', '/livez', '/readyz'];
const PUBLIC_INFO_PATHS = ['/version'];

function isAnonymous(event: AuditEvent): boolean {
  return username(event) === ANONYMOUS_USER || userGroups(event).includes(UNAUTHENTICATED_GROUP);
}

/** "authorized (decision allow / 2xx)": either the authorizer said allow or the response succeeded. */
function isAuthorized(event: AuditEvent): boolean {
  return asString(event.annotations?.['authorization.k8s.io/decision']) === 'allow' || isSuccess(event);
}

/** Path exclusions compare the URL path without its query string (`/version?timeout=32s` is `/version`). */
function isPublicInfoPath(path: string): boolean {
  return PUBLIC_INFO_PATHS.includes(path) || PUBLIC_INFO_PREFIXES.some((prefix) => path.startsWith(prefix));
}

export const kd060AnonymousRequestAllowed: AuditRule = {
  id: 'KD-060',
  title: 'Anonymous request allowed',
  severity: 'high',
  mitre: ['T1078.001', 'T1190'],
  core: true,
  trigger:
    '`user.username` ∈ {`system:anonymous`} (or groups ∋ `system:unauthenticated`), authorized (decision ' +
    'allow / 2xx), `requestURI` not `/healthz*`, `/livez*`, `/readyz*`, `/version` (path without query string)',
  whatHappened: 'An unauthenticated (anonymous) request to the Kubernetes API was allowed.',
  whyItMatters:
    'Anonymous access beyond health and version endpoints means someone without credentials can read ' +
    'or change cluster objects — usually because a binding grants a role to system:anonymous or ' +
    'system:unauthenticated (KD-050). On a public EKS endpoint that is anyone on the internet.',
  firstResponse:
    'Find the binding that allowed it (the `authorization.k8s.io/reason` annotation names it) and remove ' +
    'it. Review every anonymous request since, and restrict the public endpoint to known CIDRs.',
  falsePositives:
    'Custom bindings that deliberately expose read-only discovery to anonymous users; health checks on ' +
    'paths other than the excluded ones.',
  /** Corpus line 52 (Panther test) with the user and source of eks-audit-anonymous-allowed-version.json. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: '7f3c2a91-5e4b-4d8a-9c1f-2b6e8d0a4c37',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/pods/test-pod',
    verb: 'get',
    user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    sourceIPs: ['44.238.138.237'],
    userAgent: 'kubectl/v1.25.4',
    objectRef: { apiVersion: 'v1', name: 'test-pod', namespace: 'default', resource: 'pods' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: '2024-11-13T18:34:10.595141Z',
    stageTimestamp: '2024-11-13T18:34:10.595494Z',
    annotations: {
      'authorization.k8s.io/decision': 'allow',
      'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding system:public-info-viewer',
    },
  },
  match(event) {
    if (!isAnonymous(event) || !isAuthorized(event)) return null;
    const path = requestPath(event);
    if (isPublicInfoPath(path)) return null;
    const evidence: Record<string, string> = { anonymousUser: username(event) || UNAUTHENTICATED_GROUP };
    const reason = asString(event.annotations?.['authorization.k8s.io/reason']);
    if (reason) evidence.authorizationReason = reason;
    return {
      summary: sentence`Anonymous caller ${evidence.anonymousUser ?? ''} was allowed to ${verbWord(event.verb, 'call')} ${requestDescription(event)}.`,
      evidence,
      namespace: targetNamespace(event),
      workload: targetName(event) === undefined ? undefined : targetWorkload(event),
    };
  },
};
