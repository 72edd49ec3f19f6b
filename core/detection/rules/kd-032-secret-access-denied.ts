import { literal } from '../../model/sentence.ts';
import { isDenied, isRequestOn, isSystemPrincipal, statusCode, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { secretMatch } from './shared-workload-secrets.ts';

export const kd032SecretAccessDenied: AuditRule = {
  id: 'KD-032',
  title: 'Secret access denied / not found',
  severity: 'medium',
  mitre: ['T1552.007'],
  core: true,
  resources: ['secrets'],
  trigger:
    '`get` `secrets`, response code in {401, 403, 404} (or, without a response status, authorization ' +
    'decision `forbid`), non-system user',
  whatHappened: 'A person tried to read a secret and was refused, or asked for a secret that does not exist.',
  whyItMatters:
    'Guessing secret names or probing namespaces one has no access to is typical of someone exploring ' +
    'stolen credentials.',
  firstResponse:
    'Check whether the person should have access. Repeated attempts across names or namespaces: revoke ' +
    'the credentials and investigate where they came from.',
  falsePositives: 'Misconfigured deployments or scripts referencing a secret before it is created.',
  // Panther k8s_secret_access_denied test "Secret access denied" (corpus line 126), EKS user.
  example: exampleEvent({
    level: 'Metadata',
    auditID: 'c6d7e8f9-0032-4a0b-9c2d-3e4f5a6b7c8d',
    requestURI: '/api/v1/namespaces/production/secrets/db-password',
    verb: 'get',
    objectRef: { resource: 'secrets', namespace: 'production', name: 'db-password', apiVersion: 'v1' },
    responseStatus: {
      code: 403,
      reason: 'Forbidden',
      status: 'Failure',
      message:
        'secrets "db-password" is forbidden: User "kubernetes-admin" cannot get resource "secrets" in API group "" in the namespace "production"',
    },
    annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
  }),
  match(event) {
    if (!isRequestOn(event, ['get'], ['secrets']) || isSystemPrincipal(username(event))) return null;
    const code = statusCode(event);
    if (!(isDenied(event) || code === 404)) return null;
    const outcome = code === 404 ? 'not found' : code === undefined ? 'forbidden' : `refused with ${code}`;
    return secretMatch(event, {
      action: literal('tried to read'),
      tail: literal(` (${outcome})`),
      evidence: { outcome },
    });
  },
};
