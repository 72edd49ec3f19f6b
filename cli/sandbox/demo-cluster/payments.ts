import type { JsonObject } from '../kube-api/failure.ts';
import { NODES } from './nodes.ts';
import {
  ACCOUNT,
  md5Of,
  namespaceDefaults,
  namespaceObject,
  REGION,
  type SeedClock,
  serviceAccount,
  uidOf,
} from './objects.ts';
import { service } from './shop.ts';
import { deployment } from './workloads.ts';

/**
 * Namespace `payments`: the well-kept one. Pod Security `restricted` enforced, a default-deny
 * NetworkPolicy with an allowance from the shop's frontend and DNS egress, a hardened
 * `payments-api` Deployment whose credentials come from Secrets Manager through External Secrets
 * Operator: the ExternalSecret `payments-api` (the v1 object of
 * test/fixtures/kubernetes/secret-consumers/cluster.yaml, fetching `MyTestSecret`) writes the Secret
 * `payments-api-credentials`, which the Deployment reads as env (`valueFrom.secretKeyRef`) and as a
 * volume. The Secret carries what ESO puts on a Secret it owns: the `reconcile.external-secrets.io/`
 * managed and created-by labels, the data-hash annotation and the ExternalSecret as controller.
 */

export const PAYMENTS = 'payments';
const DAY = 60 * 24;

/** The Secrets Manager secret behind the ExternalSecret (test/fixtures/aws/secretsmanager-describe-secret-rotating.json). */
export const PAYMENTS_SECRET = {
  name: 'MyTestSecret',
  arn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt',
} as const;

const NETWORKING = 'networking.k8s.io/v1';

export function paymentsObjects(clock: SeedClock): JsonObject[] {
  const created = clock.ago(20 * DAY);
  const synced = clock.ago(45);
  const externalSecretUid = uidOf('ExternalSecret', PAYMENTS, 'payments-api');
  const data = {
    username: Buffer.from('payments_app').toString('base64'),
    password: Buffer.from('sandbox-only-not-a-real-password').toString('base64'),
  };
  return [
    namespaceObject(
      PAYMENTS,
      {
        team: 'payments',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
      created,
    ),
    ...namespaceDefaults(PAYMENTS, created),
    serviceAccount(PAYMENTS, 'payments-api', created, {
      'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCOUNT}:role/payments-api`,
    }),
    ...deployment(
      {
        namespace: PAYMENTS,
        name: 'payments-api',
        labels: { app: 'payments-api' },
        replicas: 2,
        nodes: NODES,
        age: 5 * DAY,
        template: {
          labels: { app: 'payments-api' },
          spec: {
            serviceAccountName: 'payments-api',
            automountServiceAccountToken: false,
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: { app: 'payments-api' } },
              },
            ],
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 10001,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'api',
                image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api:3.4.1`,
                imagePullPolicy: 'Always',
                ports: [{ name: 'https', containerPort: 8443, protocol: 'TCP' }],
                env: [
                  {
                    name: 'DB_USERNAME',
                    valueFrom: { secretKeyRef: { name: 'payments-api-credentials', key: 'username' } },
                  },
                ],
                volumeMounts: [
                  { name: 'credentials', mountPath: '/etc/payments/credentials', readOnly: true },
                ],
                resources: {
                  limits: { cpu: '500m', memory: '512Mi' },
                  requests: { cpu: '250m', memory: '256Mi' },
                },
                livenessProbe: probe('/healthz'),
                readinessProbe: probe('/ready'),
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
            volumes: [
              { name: 'credentials', secret: { secretName: 'payments-api-credentials', defaultMode: 256 } },
            ],
          },
        },
      },
      clock,
    ),
    service('payments-api', { app: 'payments-api' }, 8443, 'https', created, PAYMENTS),
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: {
        name: 'payments-api',
        namespace: PAYMENTS,
        uid: uidOf('PodDisruptionBudget', PAYMENTS, 'payments-api'),
        creationTimestamp: created,
        generation: 1,
      },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'payments-api' } } },
      status: {
        currentHealthy: 2,
        desiredHealthy: 1,
        disruptionsAllowed: 1,
        expectedPods: 2,
        observedGeneration: 1,
      },
    },
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: {
        name: 'aws-secretsmanager',
        namespace: PAYMENTS,
        uid: uidOf('SecretStore', PAYMENTS, 'aws-secretsmanager'),
        creationTimestamp: created,
        generation: 1,
      },
      spec: {
        provider: {
          aws: {
            service: 'SecretsManager',
            region: 'us-west-2',
            auth: { jwt: { serviceAccountRef: { name: 'payments-api' } } },
          },
        },
      },
      status: {
        capabilities: 'ReadWrite',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Valid',
            message: 'store validated',
            lastTransitionTime: created,
          },
        ],
      },
    },
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        name: 'payments-api',
        namespace: PAYMENTS,
        uid: externalSecretUid,
        creationTimestamp: created,
        generation: 1,
      },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { name: 'aws-secretsmanager', kind: 'SecretStore' },
        target: { name: 'payments-api-credentials', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: [
          { secretKey: 'username', remoteRef: { key: PAYMENTS_SECRET.name, property: 'username' } },
          { secretKey: 'password', remoteRef: { key: PAYMENTS_SECRET.name, property: 'password' } },
        ],
      },
      status: {
        binding: { name: 'payments-api-credentials' },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'SecretSynced',
            message: 'secret synced',
            lastTransitionTime: synced,
          },
        ],
        refreshTime: synced,
        syncedResourceVersion: `1-${md5Of(`${PAYMENTS}/payments-api/1`)}`,
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'payments-api-credentials',
        namespace: PAYMENTS,
        uid: uidOf('Secret', PAYMENTS, 'payments-api-credentials'),
        creationTimestamp: created,
        labels: {
          'reconcile.external-secrets.io/created-by': md5Of(`${PAYMENTS}/payments-api`),
          'reconcile.external-secrets.io/managed': 'true',
        },
        annotations: { 'reconcile.external-secrets.io/data-hash': md5Of(JSON.stringify(data)) },
        ownerReferences: [
          {
            apiVersion: 'external-secrets.io/v1',
            kind: 'ExternalSecret',
            name: 'payments-api',
            uid: externalSecretUid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      type: 'Opaque',
      immutable: false,
      data,
    },
    networkPolicy('default-deny', created, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy('allow-from-frontend', created, {
      podSelector: { matchLabels: { app: 'payments-api' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
              podSelector: { matchLabels: { tier: 'frontend' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8443 }],
        },
      ],
    }),
    networkPolicy('allow-dns-egress', created, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: {
        name: 'config-reader',
        namespace: PAYMENTS,
        uid: uidOf('Role', PAYMENTS, 'config-reader'),
        creationTimestamp: created,
      },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'payments-api-config-reader',
        namespace: PAYMENTS,
        uid: uidOf('RoleBinding', PAYMENTS, 'payments-api-config-reader'),
        creationTimestamp: created,
      },
      subjects: [{ kind: 'ServiceAccount', name: 'payments-api', namespace: PAYMENTS }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-reader' },
    },
  ];
}

function probe(path: string): JsonObject {
  return {
    httpGet: { path, port: 'https', scheme: 'HTTPS' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  };
}

function networkPolicy(name: string, created: string, spec: JsonObject): JsonObject {
  return {
    apiVersion: NETWORKING,
    kind: 'NetworkPolicy',
    metadata: {
      name,
      namespace: PAYMENTS,
      uid: uidOf('NetworkPolicy', PAYMENTS, name),
      creationTimestamp: created,
      generation: 1,
    },
    spec,
  };
}
