import type { JsonObject } from '../kube-api/failure.ts';
import { type SeedClock, uidOf } from './objects.ts';

/**
 * Cluster-scoped RBAC: the bootstrap `cluster-admin` ClusterRole and its binding to system:masters
 * (as every cluster has them, labelled as the API server's RBAC defaults), the mistake the demo is
 * built around — the shop's `cart` service account bound to cluster-admin — and a least-privilege
 * ClusterRole for the log agent. Shapes from test/fixtures/eks-audit-clusterrolebinding-cluster-admin.json
 * (falco's attach_cluster_admin_role trace).
 */

const RBAC = 'rbac.authorization.k8s.io/v1';
const DEFAULTS = {
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
};

export function clusterRbacObjects(clock: SeedClock): JsonObject[] {
  const created = clock.ago(60 * 24 * 12);
  const meta = (kind: string, name: string, extra: object = {}) => ({
    name,
    uid: uidOf(kind, name),
    creationTimestamp: created,
    ...extra,
  });
  return [
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: meta('ClusterRole', 'cluster-admin', DEFAULTS),
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: meta('ClusterRoleBinding', 'cluster-admin', DEFAULTS),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: meta('ClusterRoleBinding', 'cart-cluster-admin', {
        creationTimestamp: clock.ago(60 * 24 * 2),
      }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'cart', namespace: 'shop' }],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: meta('ClusterRole', 'log-agent'),
      rules: [{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: meta('ClusterRoleBinding', 'log-agent'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'log-agent' },
      subjects: [{ kind: 'ServiceAccount', name: 'log-agent', namespace: 'monitoring' }],
    },
  ];
}
