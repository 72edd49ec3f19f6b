import type { ActionContext } from '#core/remediation/action.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import type { EvidenceBundle, EvidenceReceipt, EvidenceStore, KubeClient } from '#core/remediation/ports.ts';
import { loadFixture } from './fixtures.ts';

/**
 * A small "shop" cluster for remediation tests, in the shapes the API server returns: a Deployment
 * `web` (3 replicas) → ReplicaSet `web-5cdcc99dbf` → the suspect pod `web-5cdcc99dbf-rgw6z` (the
 * real Pod of fixture eks-audit-privileged-pod-create.json, moved into namespace shop), a Service
 * and a PodDisruptionBudget selecting app=web, a frontend pod, two NetworkPolicies (one attached
 * to app=web, one namespace-wide DNS egress allowance), RBAC bound to the pod's service account,
 * a node, and an aws-node DaemonSet whose network policy agent is on.
 */

export const SUSPECT = 'web-5cdcc99dbf-rgw6z';
export const NODE = 'ip-10-0-1-23.eu-west-1.compute.internal';
export const NOW = '2024-05-01T10:00:00Z';

export function fixturePod(name: string, namespace: string, overrides: Partial<KubeObject> = {}): KubeObject {
  const pod = loadFixture<{ responseObject: KubeObject }>(
    'eks-audit-privileged-pod-create.json',
  ).responseObject;
  const { selfLink: _selfLink, generateName: _generateName, ...metadata } = pod.metadata;
  return {
    ...pod,
    ...overrides,
    metadata: { ...metadata, name, namespace, ...(overrides.metadata ?? {}) },
  } as KubeObject;
}

function suspectPod(): KubeObject {
  const base = fixturePod(SUSPECT, 'shop');
  const spec = base.spec as Record<string, unknown>;
  const [nginx] = spec.containers as Record<string, unknown>[];
  return {
    ...base,
    metadata: {
      ...base.metadata,
      uid: 'b1f0c6a2-5d1e-4c3b-9a8e-0f1e2d3c4b5a',
      labels: { app: 'web', 'pod-template-hash': '5cdcc99dbf', tier: 'frontend' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-5cdcc99dbf',
          uid: 'rs-uid-web-5cdcc99dbf',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...spec,
      nodeName: NODE,
      serviceAccountName: 'web',
      serviceAccount: 'web',
      volumes: [
        ...(spec.volumes as unknown[]),
        { name: 'tls', secret: { secretName: 'web-tls', defaultMode: 420 } },
        { name: 'settings', configMap: { name: 'web-settings', defaultMode: 420 } },
      ],
      initContainers: [{ name: 'migrate', image: 'registry.example/shop/migrate:1.4' }],
      containers: [
        {
          ...nginx,
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'web-db', key: 'password' } } },
            { name: 'MODE', value: 'production' },
          ],
          envFrom: [{ configMapRef: { name: 'web-env' } }],
        },
      ],
    },
    status: { phase: 'Running', podIP: '10.0.1.15', qosClass: 'BestEffort' },
  };
}

const NETWORKING = 'networking.k8s.io/v1';

export function shopCluster(): KubeObject[] {
  return [
    namespace('shop', { team: 'shop' }),
    namespace('kube-system', {}),
    namespace('monitoring', { team: 'observability' }),
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: NODE,
        labels: { 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': 'eu-west-1a' },
      },
      spec: { providerID: 'aws:///eu-west-1a/i-0abc123def4567890' },
      status: { addresses: [{ type: 'InternalIP', address: '10.0.1.23' }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', uid: 'deploy-uid-web', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web', tier: 'frontend' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
        },
      },
      status: { replicas: 3, readyReplicas: 3, availableReplicas: 3 },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'web-5cdcc99dbf',
        namespace: 'shop',
        uid: 'rs-uid-web-5cdcc99dbf',
        labels: { app: 'web', 'pod-template-hash': '5cdcc99dbf' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'deploy-uid-web', controller: true },
        ],
      },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5cdcc99dbf' } } },
      status: { replicas: 3, readyReplicas: 3 },
    },
    suspectPod(),
    fixturePod('storefront-0', 'shop', {
      metadata: { name: 'storefront-0', labels: { role: 'frontend' } },
    } as Partial<KubeObject>),
    fixturePod('coredns-6d4b75cb6d-8kx2q', 'kube-system', {
      metadata: { name: 'coredns-6d4b75cb6d-8kx2q', labels: { 'k8s-app': 'kube-dns' } },
      status: { phase: 'Running', podIP: '10.0.1.2' },
    } as Partial<KubeObject>),
    fixturePod('prometheus-0', 'monitoring', {
      metadata: { name: 'prometheus-0', labels: { app: 'prometheus' } },
    } as Partial<KubeObject>),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        selector: { app: 'web' },
        ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }],
        type: 'ClusterIP',
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { selector: { app: 'db' }, ports: [{ port: 5432, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
      status: { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 },
    },
    {
      apiVersion: NETWORKING,
      kind: 'NetworkPolicy',
      metadata: { name: 'web-from-frontend', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ port: 'http' }] },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'web', namespace: 'shop' },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'config-reader', namespace: 'shop' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'web-config-reader', namespace: 'shop' },
      subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-reader' },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'other-reader', namespace: 'shop' },
      subjects: [{ kind: 'ServiceAccount', name: 'other', namespace: 'shop' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-reader' },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'all-sa-discovery' },
      subjects: [{ kind: 'Group', name: 'system:serviceaccounts', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sa-discovery' },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'sa-discovery' },
      rules: [{ nonResourceURLs: ['/version'], verbs: ['get'] }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web-db', namespace: 'shop' },
      type: 'Opaque',
      data: { password: Buffer.from('hunter2-not-for-evidence').toString('base64') },
    },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${SUSPECT}.17c1`, namespace: 'shop' },
      involvedObject: {
        kind: 'Pod',
        namespace: 'shop',
        name: SUSPECT,
        uid: 'b1f0c6a2-5d1e-4c3b-9a8e-0f1e2d3c4b5a',
      },
      reason: 'Started',
      message: 'Started container nginx',
      type: 'Normal',
    },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'storefront-0.17c2', namespace: 'shop' },
      involvedObject: { kind: 'Pod', namespace: 'shop', name: 'storefront-0', uid: 'other' },
      reason: 'Started',
      type: 'Normal',
    },
    awsNode(true),
  ];
}

/** A namespace-wide policy that lets every pod in shop resolve names: it still selects a detached pod. */
export function dnsEgressPolicy(): KubeObject {
  return {
    apiVersion: NETWORKING,
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-dns-egress', namespace: 'shop' },
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
          ports: [{ protocol: 'UDP', port: 53 }],
        },
      ],
    },
  };
}

/** The VPC CNI DaemonSet as EKS installs it, with its node agent's network policy flag. */
export function awsNode(networkPolicy: boolean): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'aws-node', namespace: 'kube-system', labels: { 'k8s-app': 'aws-node' } },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'aws-node' } },
      template: {
        metadata: { labels: { 'k8s-app': 'aws-node' } },
        spec: {
          hostNetwork: true,
          containers: [
            {
              name: 'aws-node',
              image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.6',
            },
            {
              name: 'aws-eks-nodeagent',
              image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/aws-network-policy-agent:v1.2.4',
              args: [
                '--enable-ipv6=false',
                `--enable-network-policy=${networkPolicy}`,
                '--enable-cloudwatch-logs=false',
                '--metrics-bind-addr=:8162',
              ],
            },
          ],
        },
      },
    },
  };
}

function namespace(name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { ...labels, 'kubernetes.io/metadata.name': name } },
  };
}

/** Stores bundles in memory; `beforeStore` runs first (e.g. to assert nothing was written yet). */
export class InMemoryEvidenceStore implements EvidenceStore {
  readonly bundles: EvidenceBundle[] = [];
  beforeStore: (() => void) | undefined;
  failWith: Error | undefined;

  async put(bundle: EvidenceBundle): Promise<EvidenceReceipt> {
    this.beforeStore?.();
    if (this.failWith) throw this.failWith;
    this.bundles.push(bundle);
    return { bundleId: bundle.id, location: `memory://${bundle.id}/`, manifestSha256: 'not-computed' };
  }
}

export function actionContext(
  kube: KubeClient,
  evidence: EvidenceStore = new InMemoryEvidenceStore(),
): ActionContext {
  return { kube, evidence, clock: () => NOW, actor: 'slack:U024BE7LH' };
}
