import { isRequestOn, isSuccess, isSystemPrincipal, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { targetName } from './shared-workload-objects.ts';
import { secretMatch } from './shared-workload-secrets.ts';

export const kd031SecretRead: AuditRule = {
  id: 'KD-031',
  title: 'Secret read by non-system user',
  severity: 'low',
  mitre: ['T1552.007'],
  core: false,
  resources: ['secrets'],
  trigger:
    'verb in {get, list, watch} on `secrets`, success, non-system user, not `sh.helm.release.*` secrets',
  whatHappened: 'A person (not a controller or service account) read one or more secrets.',
  whyItMatters:
    'People rarely need secret values; reads by humans are worth a trail, and an unusual reader is an ' +
    'early sign of credential harvesting.',
  firstResponse: 'Check that the person needed the secret; rotate it if not.',
  falsePositives: 'Administrators inspecting configuration; `kubectl get secrets` listing names.',
  // test/fixtures/eks-audit-secrets-list.json.
  example: exampleEvent({
    level: 'Metadata',
    auditID: 'd1d2d29c-3642-478f-9ceb-582956e5ecda',
    requestURI: '/api/v1/namespaces/default/secrets?limit=500',
    verb: 'list',
    userAgent: 'kubectl/v1.21.3 (darwin/amd64) kubernetes/ca643a4',
    objectRef: { resource: 'secrets', namespace: 'default', apiVersion: 'v1' },
    responseStatus: { code: 200 },
  }),
  match(event) {
    if (!isRequestOn(event, ['get', 'list', 'watch'], ['secrets'])) return null;
    if (!isSuccess(event) || isSystemPrincipal(username(event))) return null;
    // Helm keeps release state in sh.helm.release.v1.<release>.v<n> secrets; helm CLI users read them.
    if (targetName(event)?.startsWith('sh.helm.release.')) return null;
    return secretMatch(event);
  },
};
