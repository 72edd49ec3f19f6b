import { literal, sentence } from '../../model/sentence.ts';
import { isRequestOn } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { actionPhrase, actor, matchesNameList, outcomeNote, targetName } from './shared-rbac-objects.ts';

export const kd072DisallowedNamespace: AuditRule = {
  id: 'KD-072',
  title: 'Namespace created outside allow-list',
  severity: 'low',
  mitre: [],
  core: false,
  resources: ['namespaces'],
  trigger:
    '`create` `namespaces`, name not in allow-list (config `detection.allowedNamespaces`, exact or ' +
    '`prefix*`; inactive when not configured); any caller, any response',
  whatHappened:
    'A namespace whose name is not on the configured allow-list was created (or creation was attempted).',
  whyItMatters:
    'Unexpected namespaces escape the policies, quotas and network rules set up per namespace, and are ' +
    'a place to hide workloads.',
  firstResponse: 'Ask the creator what it is for; add the name to the allow-list or delete the namespace.',
  falsePositives: 'New teams or environments not yet added to the allow-list; tools that create namespaces.',
  /** Corpus line 51 (Falco trace: namespace created by some-user), as audit.k8s.io/v1. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'b9f3e5a1-2c4d-4e6f-8a0b-1c2d3e4f5a6b',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces',
    verb: 'create',
    user: { username: 'some-user', groups: ['system:authenticated'] },
    sourceIPs: ['192.168.99.1'],
    objectRef: { resource: 'namespaces', name: 'foo', apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'foo' }, spec: {} },
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event, context) {
    const allowed = context.config.allowedNamespaces;
    if (!Array.isArray(allowed) || !isRequestOn(event, ['create'], ['namespaces'])) return null;
    const name = targetName(event);
    if (name !== undefined && matchesNameList(name, allowed)) return null;
    const shown = name ?? '(unnamed)';
    return {
      summary: sentence`${actor(event)} ${actionPhrase(event)} namespace ${name === undefined ? literal(shown) : shown}, which is not in the allowed namespaces${outcomeNote(event)}.`,
      evidence: { namespaceName: shown },
      namespace: name,
      workload: `namespace/${shown}`,
    };
  },
};
