import { isRequestOn, isSuccess, isSystemPrincipal, namespaceOf, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { secretMatch } from './shared-workload-secrets.ts';

export const kd034SecretModified: AuditRule = {
  id: 'KD-034',
  title: 'Secret created / modified / deleted by non-system user',
  severity: 'low',
  mitre: ['T1552.007'],
  core: false,
  resources: ['secrets'],
  trigger:
    'verb in {create, update, patch, delete} on `secrets`, success, non-system user, namespace other than kube-system',
  whatHappened: 'A person created, changed or deleted a secret.',
  whyItMatters:
    'Secrets changed by hand bypass the usual pipeline: a replaced credential can redirect an application, ' +
    'a deleted one can break it.',
  firstResponse: 'Check the change with its author and against your secret source of truth.',
  falsePositives: 'Manual secret management (kubectl create secret) in teams without a secrets operator.',
  // falcosecurity/falco test/trace_files/k8s_audit/create_secret.json (corpus line 33).
  example: exampleEvent({
    level: 'Metadata',
    auditID: '55a81824-ab56-46c5-8b02-96336f5e78d7',
    requestURI: '/api/v1/namespaces/default/secrets',
    verb: 'create',
    userAgent: 'kubectl/v1.17.3 (darwin/amd64) kubernetes/06ad960',
    objectRef: { resource: 'secrets', namespace: 'default', name: 'example-secret', apiVersion: 'v1' },
    responseStatus: { code: 201 },
  }),
  match(event) {
    if (!isRequestOn(event, ['create', 'update', 'patch', 'delete'], ['secrets'])) return null;
    if (!isSuccess(event) || isSystemPrincipal(username(event))) return null;
    if (namespaceOf(event) === 'kube-system') return null;
    return secretMatch(event);
  },
};
