import { createHash } from 'node:crypto';
import type { JsonObject } from '../kube-api/failure.ts';

/**
 * Building blocks of the demo cluster's objects, in the shapes the API server returns: deterministic
 * uids, the name suffixes controllers generate, and the fields the API server defaults on every Pod.
 * The Pod shape is the one of the real Pod in test/fixtures/eks-audit-privileged-pod-create.json
 * (falco's create_nginx_pod_privileged trace), with the service-account volume current API servers
 * inject (a projected `kube-api-access-*` volume) in place of the old token Secret.
 */

export const CLUSTER_NAME = 'sandbox-cluster';
export const REGION = 'eu-west-1';
export const ACCOUNT = '111122223333';

/** Timestamps of the seed, as minutes before the moment the cluster is seeded. */
export class SeedClock {
  private readonly now: number;

  constructor(now: Date) {
    this.now = now.getTime();
  }

  ago(minutes: number): string {
    return new Date(this.now - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A version-4-shaped uid, the same for the same object on every start. */
export function uidOf(...parts: string[]): string {
  const hex = digest(parts.join('/')).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The alphabet of generated names (apimachinery's rand.SafeEncodeString: no vowels, no 0/1/3). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** A generated-name suffix: 10 characters for a pod-template-hash, 5 for a pod. */
export function suffixOf(length: number, ...parts: string[]): string {
  const bytes = digest(parts.join('/'));
  return Array.from({ length }, (_, i) => SAFE[(bytes[i] as number) % SAFE.length]).join('');
}

/** An md5 hex digest, as External Secrets Operator's `ObjectHash` labels and annotations carry. */
export function md5Of(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

export function namespaceObject(name: string, labels: Record<string, string>, created: string): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      uid: uidOf('Namespace', name),
      creationTimestamp: created,
      labels: { ...labels, 'kubernetes.io/metadata.name': name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** Each namespace's own `default` ServiceAccount and `kube-root-ca.crt` ConfigMap, as the controllers create them. */
export function namespaceDefaults(namespace: string, created: string): JsonObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'default',
        namespace,
        uid: uidOf('ServiceAccount', namespace, 'default'),
        creationTimestamp: created,
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'kube-root-ca.crt',
        namespace,
        uid: uidOf('ConfigMap', namespace, 'kube-root-ca.crt'),
        creationTimestamp: created,
        annotations: {
          'kubernetes.io/description':
            'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
        },
      },
      data: {
        'ca.crt':
          '-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIdemoSandboxCA\n-----END CERTIFICATE-----\n',
      },
    },
  ];
}

export function serviceAccount(
  namespace: string,
  name: string,
  created: string,
  annotations: Record<string, string> = {},
): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name,
      namespace,
      uid: uidOf('ServiceAccount', namespace, name),
      creationTimestamp: created,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
  };
}

/** The projected service-account token volume the API server adds to a pod that mounts its token. */
export function apiAccessVolume(name: string): JsonObject {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
      defaultMode: 420,
    },
  };
}

/** The container fields the API server defaults (the fixture Pod's values). */
export function defaultedContainer(container: JsonObject, tokenVolume: string | undefined): JsonObject {
  const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts : [];
  return {
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: String(container.image).includes(':') ? 'IfNotPresent' : 'Always',
    ...container,
    volumeMounts: [
      ...mounts,
      ...(tokenVolume === undefined
        ? []
        : [
            { name: tokenVolume, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
          ]),
    ],
  };
}

/** The pod spec fields the API server defaults (the fixture Pod's values). */
export const POD_SPEC_DEFAULTS: JsonObject = {
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  dnsPolicy: 'ClusterFirst',
  securityContext: {},
  schedulerName: 'default-scheduler',
  tolerations: [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
  ],
  priority: 0,
  enableServiceLinks: true,
  preemptionPolicy: 'PreemptLowerPriority',
};
