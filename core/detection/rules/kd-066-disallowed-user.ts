import { literal, sentence } from '../../model/sentence.ts';
import { asString, isSystemPrincipal, requestPath, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  matchesNameList,
  pastTense,
  targetName,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

export const kd066DisallowedUser: AuditRule = {
  id: 'KD-066',
  title: 'Disallowed user',
  severity: 'medium',
  mitre: ['T1078'],
  core: false,
  trigger:
    '`user.username` not system and not in allowed users list (config `detection.allowedUsers`, exact or ' +
    '`prefix*`; inactive when not configured); any request, any response',
  whatHappened:
    'A user who is not on the configured list of allowed users made a request to the Kubernetes API.',
  whyItMatters:
    'In clusters where human access is limited to a known set of identities, any other user means a ' +
    'mapping or access entry that should not exist, or credentials used from somewhere unexpected.',
  firstResponse:
    'Find how this identity got in (aws-auth mapping or EKS access entry) and whether it is legitimate. ' +
    'Add it to the allowed users or remove its access.',
  falsePositives: 'New team members or automation identities not yet added to the allowed list.',
  /** A kubectl list in the shape of the EKS fixtures, by a user outside the allowed list. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: '6a8c0e2a-4c6e-4a8c-9e2a-6c8e0a2c4e6b',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/pods?limit=500',
    verb: 'list',
    user: { username: 'contractor@example.com', groups: ['system:authenticated'] },
    sourceIPs: ['198.51.100.23'],
    userAgent: 'kubectl/v1.28.0 (linux/amd64) kubernetes/a1b2c3d',
    objectRef: { resource: 'pods', namespace: 'default', apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: '2024-05-15T18:20:11.004512Z',
    stageTimestamp: '2024-05-15T18:20:11.014871Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event, context) {
    const allowed = context.config.allowedUsers;
    if (!Array.isArray(allowed)) return null;
    const caller = username(event);
    if (caller === '' || isSystemPrincipal(caller) || matchesNameList(caller, allowed)) return null;
    const target = asString(event.objectRef?.resource) || requestPath(event);
    return {
      summary: sentence`${caller}, who is not in the allowed users list, ${pastTense(event.verb)} ${target === '' ? literal('(no request URI)') : target}.`,
      evidence: { allowedUsers: `${allowed.length} configured` },
      namespace: targetNamespace(event),
      workload: targetName(event) === undefined ? undefined : targetWorkload(event),
    };
  },
};
