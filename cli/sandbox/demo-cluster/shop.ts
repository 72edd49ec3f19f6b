import type { JsonObject } from '../kube-api/failure.ts';
import { NODES } from './nodes.ts';
import { namespaceDefaults, namespaceObject, type SeedClock, serviceAccount, uidOf } from './objects.ts';
import { deployment } from './workloads.ts';

/**
 * Namespace `shop`: the storefront, written the way many teams ship — no NetworkPolicy (so Isolate
 * pod has nothing to fight with, and the quarantine policy is the only one selecting the pod),
 * default security contexts, and the `cart` service account bound to cluster-admin by a
 * ClusterRoleBinding (rbac.ts), credentials in a ConfigMap, a wildcard Role for the on-call group.
 * The pod shapes follow test/support/remediation-cluster.ts (the `web` Deployment of the isolate
 * tests: app=web, tier=frontend, nginx on a named port).
 */

export const SHOP = 'shop';
const DAY = 60 * 24;

export function shopObjects(clock: SeedClock): JsonObject[] {
  const created = clock.ago(9 * DAY);
  return [
    namespaceObject(SHOP, { team: 'shop' }, created),
    ...namespaceDefaults(SHOP, created),
    serviceAccount(SHOP, 'web', created),
    serviceAccount(SHOP, 'cart', created),
    ...deployment(
      {
        namespace: SHOP,
        name: 'web',
        labels: { app: 'web' },
        replicas: 2,
        nodes: NODES,
        age: 3 * DAY,
        template: {
          labels: { app: 'web', tier: 'frontend' },
          spec: {
            serviceAccountName: 'web',
            containers: [
              {
                name: 'nginx',
                image: 'nginx:1.27.3',
                ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
                volumeMounts: [{ name: 'tls', mountPath: '/etc/nginx/tls', readOnly: true }],
              },
            ],
            volumes: [{ name: 'tls', secret: { secretName: 'web-tls', defaultMode: 420 } }],
          },
        },
      },
      clock,
    ),
    ...deployment(
      {
        namespace: SHOP,
        name: 'cart',
        labels: { app: 'cart' },
        replicas: 2,
        nodes: [...NODES].reverse(),
        age: 2 * DAY,
        template: {
          labels: { app: 'cart', tier: 'backend' },
          spec: {
            serviceAccountName: 'cart',
            containers: [
              {
                name: 'cart',
                image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/cart:2.3.1',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                env: [{ name: 'DB_HOST', value: 'cart-db.shop.svc.cluster.local' }],
                envFrom: [{ configMapRef: { name: 'cart-settings' } }],
              },
            ],
          },
        },
      },
      clock,
    ),
    service('web', { app: 'web' }, 80, 'http', created),
    service('cart', { app: 'cart' }, 8080, 'http', created),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cart-settings',
        namespace: SHOP,
        uid: uidOf('ConfigMap', SHOP, 'cart-settings'),
        creationTimestamp: created,
      },
      // A credential kept in plain configuration: what KP-081 flags in manifests.
      data: { CART_TTL_MINUTES: '30', DB_USER: 'cart', DB_PASSWORD: 'Cart-2024-summer!' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'web-tls',
        namespace: SHOP,
        uid: uidOf('Secret', SHOP, 'web-tls'),
        creationTimestamp: created,
      },
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': Buffer.from('-----BEGIN CERTIFICATE-----\nsandbox\n-----END CERTIFICATE-----\n').toString(
          'base64',
        ),
        'tls.key': Buffer.from('sandbox key material, not a real key\n').toString('base64'),
      },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: {
        name: 'shop-oncall',
        namespace: SHOP,
        uid: uidOf('Role', SHOP, 'shop-oncall'),
        creationTimestamp: created,
      },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'shop-oncall',
        namespace: SHOP,
        uid: uidOf('RoleBinding', SHOP, 'shop-oncall'),
        creationTimestamp: created,
      },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'shop-oncall' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'shop-oncall' },
    },
  ];
}

/** A ClusterIP Service as the API server stores it (cluster IP allocated, defaults set). */
export function service(
  name: string,
  selector: Record<string, string>,
  port: number,
  targetPort: string | number,
  created: string,
  namespace = SHOP,
): JsonObject {
  const clusterIP = `172.20.${(name.length * 17 + port) % 250}.${(namespace.length * 31 + name.charCodeAt(0)) % 250}`;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      uid: uidOf('Service', namespace, name),
      creationTimestamp: created,
      labels: { app: name },
    },
    spec: {
      ports: [{ name: 'http', protocol: 'TCP', port, targetPort }],
      selector,
      clusterIP,
      clusterIPs: [clusterIP],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}
