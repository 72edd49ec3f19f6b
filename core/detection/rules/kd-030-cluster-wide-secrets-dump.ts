import { literal, sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess, isSystemPrincipal, namespaceOf, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { actorOf } from './shared-workload-pod.ts';

/**
 * Controllers the sources exclude by name. Both are service accounts, which "non-system" already
 * excludes; the list stays so that the intent survives a change of the system-principal convention.
 */
const EXPECTED_LISTERS = ['namespace-controller', 'kube-state-metrics'];

export const kd030ClusterWideSecretsDump: AuditRule = {
  id: 'KD-030',
  title: 'Cluster-wide secrets dump',
  severity: 'high',
  mitre: ['T1552.007'],
  core: true,
  resources: ['secrets'],
  trigger:
    'verb in {list, watch} on `secrets` with no `objectRef.namespace` (requestURI `/api/v1/secrets…`), ' +
    'success, non-system user (exclude `namespace-controller`, `kube-state-metrics`)',
  whatHappened: 'A person listed (or watched) the secrets of every namespace at once.',
  whyItMatters:
    'One request returned every secret in the cluster — service-account tokens, registry credentials, ' +
    'TLS keys and application passwords. It is the signature of credential harvesting.',
  firstResponse:
    'Treat the cluster’s secrets as exposed: revoke the caller’s credentials, then rotate the secrets ' +
    'that grant the most (cloud credentials, admin tokens) first.',
  falsePositives:
    'Backup and migration tools run by a person; cluster-wide `kubectl get secrets -A` during audits.',
  // Stratus k8s.credential-access.dump-secrets / Panther "Secrets dump all namespaces" (corpus line 140).
  example: exampleEvent({
    level: 'Metadata',
    auditID: 'b5c6d7e8-0030-4f9a-8b1c-2d3e4f5a6b7c',
    requestURI: '/api/v1/secrets?limit=500',
    verb: 'list',
    objectRef: { resource: 'secrets', apiVersion: 'v1' },
    responseStatus: { code: 200 },
  }),
  match(event) {
    if (!isRequestOn(event, ['list', 'watch'], ['secrets']) || namespaceOf(event) !== undefined) return null;
    if (!isSuccess(event)) return null;
    const principal = username(event);
    if (isSystemPrincipal(principal) || EXPECTED_LISTERS.some((name) => principal.endsWith(`:${name}`)))
      return null;
    return {
      summary: sentence`${actorOf(event)} ${literal(event.verb === 'watch' ? 'watched' : 'listed')} secrets across all namespaces.`,
      evidence: { scope: 'all namespaces' },
    };
  },
};
