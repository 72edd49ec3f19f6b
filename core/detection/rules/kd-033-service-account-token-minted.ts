import { sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess, namespaceOf, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { inNamespace, nameOrUnnamed, targetName } from './shared-workload-objects.ts';
import { actorOf } from './shared-workload-pod.ts';
import { isControlPlaneIdentity } from './shared-workload-principals.ts';

export const kd033ServiceAccountTokenMinted: AuditRule = {
  id: 'KD-033',
  title: 'Service-account token minted via TokenRequest',
  severity: 'medium',
  mitre: ['T1528', 'T1098'],
  core: true,
  resources: ['serviceaccounts'],
  trigger:
    '`create` `serviceaccounts` subresource `token`, success, user not `system:kube-controller-manager`, ' +
    '`system:kube-scheduler`, `system:node:*`, `system:serviceaccount:kube-system:*` or `eks:*` (other ' +
    'service accounts do trigger)',
  whatHappened:
    'A token for a service account was issued through the TokenRequest API (kubectl create token).',
  whyItMatters:
    'The caller now holds a bearer token with the service account’s permissions, usable from anywhere ' +
    'until it expires — a quiet way to persist or to borrow a more powerful identity.',
  firstResponse:
    'Check which service account (evidence) and its permissions. If unexpected, delete and re-create the ' +
    'service account (invalidating its tokens) and revoke the caller’s access.',
  falsePositives: 'CI systems and operators minting short-lived tokens for automation.',
  // Panther k8s_serviceaccount_token_created test (corpus line 148), EKS user.
  example: exampleEvent({
    level: 'Metadata',
    auditID: 'd7e8f9a0-0033-4b1c-8d3e-4f5a6b7c8d9e',
    requestURI: '/api/v1/namespaces/production/serviceaccounts/persistence-sa/token',
    verb: 'create',
    objectRef: {
      resource: 'serviceaccounts',
      namespace: 'production',
      name: 'persistence-sa',
      apiVersion: 'v1',
      subresource: 'token',
    },
    responseStatus: { code: 201 },
  }),
  match(event) {
    if (!isRequestOn(event, ['create'], ['serviceaccounts'], 'token') || !isSuccess(event)) return null;
    if (isControlPlaneIdentity(username(event))) return null;
    const account = targetName(event);
    const namespace = namespaceOf(event);
    return {
      summary: sentence`${actorOf(event)} minted a token for service account ${nameOrUnnamed(account)}${inNamespace(namespace)}.`,
      namespace,
      evidence: { serviceAccount: account ?? '' },
    };
  },
};
