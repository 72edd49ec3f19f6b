import { literal, sentence } from '../../model/sentence.ts';
import { asString, getPath, isRequestOn, isSystemPrincipal, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { secretMatch } from './shared-workload-secrets.ts';

const TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';

export const kd036ServiceAccountTokenSecret: AuditRule = {
  id: 'KD-036',
  title: 'Long-lived SA token Secret created',
  severity: 'medium',
  mitre: ['T1528'],
  core: false,
  resources: ['secrets'],
  trigger:
    '`create` `secrets` with `requestObject.type == kubernetes.io/service-account-token`, non-system user',
  whatHappened:
    'A person created a Secret of type service-account-token: the control plane fills it with a token that ' +
    'never expires.',
  whyItMatters:
    'Long-lived tokens survive credential rotation and pod deletion; attackers create them to keep access ' +
    'with a powerful service account.',
  firstResponse:
    'Check which service account the token belongs to (evidence). If unexpected, delete the Secret (the ' +
    'token stops working) and review the service account’s permissions.',
  falsePositives: 'Legacy integrations that still need a static token (prefer TokenRequest).',
  // Stratus k8s.persistence.create-admin-clusterrole token step; shape of falco create_service_account_token_secret.
  example: exampleEvent({
    auditID: 'e8f9a0b1-0036-4c2d-9e4f-5a6b7c8d9e0f',
    requestURI: '/api/v1/namespaces/kube-system/secrets',
    verb: 'create',
    objectRef: {
      resource: 'secrets',
      namespace: 'kube-system',
      name: 'backup-admin-token',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestObject: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'backup-admin-token',
        namespace: 'kube-system',
        annotations: { 'kubernetes.io/service-account.name': 'backup-admin' },
      },
      type: TOKEN_SECRET_TYPE,
    },
  }),
  match(event) {
    if (!isRequestOn(event, ['create'], ['secrets'])) return null;
    if (getPath(event.requestObject, 'type') !== TOKEN_SECRET_TYPE) return null;
    if (isSystemPrincipal(username(event))) return null;
    const account = asString(
      getPath(event.requestObject, 'metadata', 'annotations', 'kubernetes.io/service-account.name'),
    );
    const tail =
      account === undefined
        ? literal(' of type service-account-token')
        : sentence` holding a token for service account ${account}`;
    return secretMatch(event, { tail, evidence: account === undefined ? {} : { serviceAccount: account } });
  },
};
