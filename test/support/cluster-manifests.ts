import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '#core/model/kube-object.ts';

/**
 * The cluster of issue 14 written as YAML manifests, seeded so every run writes the same bytes:
 * 22,636 objects at scale 1 — 10,000 pod specs (4,000 Deployments, 3,000 Pods, 1,500 StatefulSets,
 * 1,500 CronJobs), 1,000 Namespaces and 1,000 ServiceAccounts, 5,000 RoleBindings and
 * ClusterRoleBindings, 1,200 Roles and ClusterRoles, 1,436 NetworkPolicies and 3,000 Services —
 * about 15 MB of YAML in 20 multi-document files. `scale` shrinks every count (tests use ~0.01).
 */
export const CLUSTER_COUNTS = {
  Deployment: 4_000,
  Pod: 3_000,
  StatefulSet: 1_500,
  CronJob: 1_500,
  Namespace: 1_000,
  ServiceAccount: 1_000,
  RoleBinding: 4_000,
  ClusterRoleBinding: 1_000,
  Role: 1_000,
  ClusterRole: 200,
  NetworkPolicy: 1_436,
  Service: 3_000,
} as const;

export const CLUSTER_FILES = 20;

export type Random = () => number;

/** mulberry32: small, fast and deterministic. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const APPS = ['web', 'api', 'db', 'cache', 'worker', 'auth', 'search', 'queue', 'billing', 'reports'];
const IMAGES = [
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:2.4.1',
  'nginx:1.27.3',
  'nginx',
  'ghcr.io/acme/worker:1.9.0',
  'redis:latest',
  `public.ecr.aws/docker/library/busybox@sha256:${'b'.repeat(64)}`,
];
/** Verb and resource sets of the generated Roles (the posture bench draws from them too). */
export const VERBS = [
  ['get', 'list', 'watch'],
  ['get'],
  ['*'],
  ['create', 'update', 'patch', 'delete'],
  ['get', 'list'],
];
export const RESOURCES = [
  ['pods'],
  ['secrets'],
  ['configmaps'],
  ['pods/exec'],
  ['deployments'],
  ['*'],
  ['services'],
];

function namespaceName(n: number): string {
  return `team-${n}`;
}

function container(random: Random, app: string) {
  const hardened = random() < 0.5;
  return {
    name: app,
    image: pick(random, IMAGES),
    ports: [{ name: 'http', containerPort: 8080 }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      random() < 0.3
        ? { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'password' } } }
        : { name: 'DB_HOST', value: `${app}-db.svc.cluster.local` },
    ],
    resources:
      random() < 0.7
        ? { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } }
        : {},
    securityContext: hardened
      ? {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          runAsUser: 10001,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        }
      : { privileged: random() < 0.05 },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
  };
}

function podSpec(random: Random, app: string, namespace: string) {
  return {
    serviceAccountName: random() < 0.2 ? 'default' : app,
    hostNetwork: random() < 0.02,
    containers: [container(random, app)],
    volumes: [
      { name: 'config', configMap: { name: `${app}-config` } },
      ...(random() < 0.05 ? [{ name: 'logs', hostPath: { path: '/var/log' } }] : []),
    ],
    ...(random() < 0.1 ? { tolerations: [{ key: 'dedicated', operator: 'Equal', value: namespace }] } : {}),
  };
}

function meta(name: string, namespace: string | undefined, labels?: Record<string, string>) {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(labels === undefined ? {} : { labels }),
  };
}

/** Every object of the cluster, in a stable order. */
export function clusterObjects(random: Random, scale = 1): KubeObject[] {
  const count = (kind: keyof typeof CLUSTER_COUNTS) => Math.max(1, Math.round(CLUSTER_COUNTS[kind] * scale));
  const namespaces = count('Namespace');
  const ns = (i: number) => namespaceName(i % namespaces);
  const objects: KubeObject[] = [];
  for (let n = 0; n < namespaces; n++) {
    const name = namespaceName(n);
    const labels: Record<string, string> = { 'kubernetes.io/metadata.name': name };
    if (random() < 0.4) labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(name, undefined, labels) });
  }
  for (let i = 0; i < count('ServiceAccount'); i++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(`${APPS[i % APPS.length]}-${i}`, ns(i)),
      ...(random() < 0.5 ? { automountServiceAccountToken: false } : {}),
    });
  }
  const workload = (kind: 'Deployment' | 'StatefulSet' | 'CronJob' | 'Pod', i: number): KubeObject => {
    const app = `${pick(random, APPS)}-${i}`;
    const namespace = ns(i);
    const labels = { app, tier: pick(random, ['frontend', 'backend']) };
    const template = { metadata: { labels }, spec: podSpec(random, app, namespace) };
    if (kind === 'Pod')
      return { apiVersion: 'v1', kind, metadata: meta(app, namespace, labels), spec: template.spec };
    if (kind === 'CronJob') {
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata: meta(app, namespace, labels),
        spec: {
          schedule: '*/15 * * * *',
          jobTemplate: {
            spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'OnFailure' } } },
          },
        },
      };
    }
    return {
      apiVersion: 'apps/v1',
      kind,
      metadata: meta(app, namespace, labels),
      spec: {
        replicas: 1 + Math.floor(random() * 4),
        selector: { matchLabels: labels },
        ...(kind === 'StatefulSet' ? { serviceName: app } : {}),
        template,
      },
    };
  };
  let serial = 0;
  for (const kind of ['Deployment', 'Pod', 'StatefulSet', 'CronJob'] as const) {
    for (let i = 0; i < count(kind); i++) objects.push(workload(kind, serial++));
  }
  for (let i = 0; i < count('Role'); i++) {
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(`deployer-${i}`, ns(i)),
      rules: [
        { apiGroups: ['', 'apps'], resources: pick(random, RESOURCES), verbs: pick(random, VERBS) },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
      ],
    });
  }
  for (let i = 0; i < count('ClusterRole'); i++) {
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(`platform-${i}`, undefined),
      rules: [{ apiGroups: [''], resources: pick(random, RESOURCES), verbs: pick(random, VERBS) }],
    });
  }
  const roles = count('Role');
  for (let i = 0; i < count('RoleBinding'); i++) {
    const namespace = ns(i);
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(`binding-${i}`, namespace),
      roleRef:
        i % 4 === 3
          ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }
          : { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `deployer-${i % roles}` },
      subjects: [
        i % 2 === 0
          ? {
              kind: 'ServiceAccount',
              name: i % 8 === 0 ? 'default' : `${APPS[i % APPS.length]}-${i}`,
              namespace,
            }
          : { kind: 'Group', name: `${namespace}-devs`, apiGroup: 'rbac.authorization.k8s.io' },
      ],
    });
  }
  const clusterRoles = count('ClusterRole');
  for (let i = 0; i < count('ClusterRoleBinding'); i++) {
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(`platform-binding-${i}`, undefined),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: i % 250 === 0 ? 'cluster-admin' : `platform-${i % clusterRoles}`,
      },
      subjects: [{ kind: 'ServiceAccount', name: `sa-${i}`, namespace: ns(i) }],
    });
  }
  for (let i = 0; i < count('NetworkPolicy'); i++) {
    const namespace = ns(i);
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(i < namespaces ? 'default-deny' : `allow-web-${i}`, namespace),
      spec:
        i < namespaces
          ? { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }
          : {
              podSelector: { matchLabels: { tier: 'backend' } },
              policyTypes: ['Ingress'],
              ingress: [
                { from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ port: 8080 }] },
              ],
            },
    });
  }
  for (let i = 0; i < count('Service'); i++) {
    const roll = random();
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(`svc-${i}`, ns(i)),
      spec: {
        type: roll < 0.05 ? 'NodePort' : roll < 0.1 ? 'LoadBalancer' : 'ClusterIP',
        selector: { app: `${APPS[i % APPS.length]}-${i}` },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      },
    });
  }
  return objects;
}

/**
 * Writes the cluster as `files` multi-document YAML files `cluster-00.yaml` … into `dir`, objects
 * dealt round-robin so every file mixes kinds. Returns the number of objects and bytes written.
 */
export function writeClusterManifests(
  dir: string,
  options: { seed?: number; scale?: number; files?: number } = {},
): { objects: number; bytes: number; files: string[] } {
  const objects = clusterObjects(seededRandom(options.seed ?? 14), options.scale ?? 1);
  const fileCount = options.files ?? CLUSTER_FILES;
  const parts: string[][] = Array.from({ length: fileCount }, () => []);
  objects.forEach((object, i) => {
    parts[i % fileCount]?.push(stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }));
  });
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  const files = parts.map((documents, i) => {
    const file = join(dir, `cluster-${String(i).padStart(2, '0')}.yaml`);
    const text = documents.join('---\n');
    writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
    return file;
  });
  return { objects: objects.length, bytes, files };
}
