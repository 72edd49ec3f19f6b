import { literal, sentence } from '../../model/sentence.ts';
import { type AuditEvent, asString, isRequestOn, isSuccess } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  isNonSystemCaller,
  targetName,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

const VERBS = ['delete', 'deletecollection'];
const EVENT_API_GROUPS = ['', 'events.k8s.io'];

/** Core (`""`) or `events.k8s.io` Events; an objectRef without apiGroup is the core group. */
function isEventsApi(event: AuditEvent): boolean {
  return EVENT_API_GROUPS.includes(asString(event.objectRef?.apiGroup) ?? '');
}

export const kd070EventsDeleted: AuditRule = {
  id: 'KD-070',
  title: 'Kubernetes events deleted',
  severity: 'medium',
  mitre: ['T1070'],
  core: true,
  resources: ['events'],
  trigger:
    'verb ∈ {delete, deletecollection} on `events` (core or `events.k8s.io`), success, non-system user',
  whatHappened: 'A person deleted Kubernetes Events (one, or a whole collection).',
  whyItMatters:
    'Events record pod scheduling, image pulls, probe failures and evictions. People rarely delete ' +
    'them by hand; attackers do, to remove traces of what they ran (MS-TA9022).',
  firstResponse:
    'Ask the caller why. Reconstruct the deleted period from the audit log and other telemetry, and ' +
    "review the caller's other recent activity in the namespace.",
  falsePositives: 'Administrators cleaning up noisy events while debugging.',
  /** A `kubectl delete events --all` in the shape of the EKS fixtures. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: '9c1e3a5c-7e9a-4c1e-8a3c-5e7a9c1e3a5d',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/production/events',
    verb: 'deletecollection',
    user: { username: 'attacker@example.com', groups: ['system:authenticated'] },
    sourceIPs: ['203.0.113.42'],
    userAgent: 'kubectl/v1.28.0 (linux/amd64) kubernetes/a1b2c3d',
    objectRef: { resource: 'events', namespace: 'production', apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: '2024-05-15T19:45:02.004512Z',
    stageTimestamp: '2024-05-15T19:45:02.094871Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, VERBS, ['events']) || !isEventsApi(event)) return null;
    if (!isSuccess(event) || !isNonSystemCaller(event)) return null;
    const namespace = targetNamespace(event);
    const where =
      namespace === undefined ? literal('across the cluster') : sentence`in namespace ${namespace}`;
    const name = targetName(event);
    const what =
      name === undefined ? literal('all matching Kubernetes events') : sentence`Kubernetes event ${name}`;
    return {
      summary: sentence`${actor(event)} deleted ${what} ${where}.`,
      evidence: { scope: event.verb === 'deletecollection' ? 'collection' : 'single event' },
      namespace,
      workload: name === undefined ? undefined : targetWorkload(event),
    };
  },
};
