import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runAudit, runCheck } from '../../core/posture/engine.ts';
import { OFFLINE_UNAVAILABLE } from '../../core/posture/manifest-snapshot.ts';
import { ALL_CHECKS } from '../../core/posture/registry.ts';
import type { ClusterSnapshot, KubeObject } from '../../core/posture/snapshot.ts';
import { pick, type Random, RESOURCES, seededRandom, VERBS } from '../../test/support/cluster-manifests.ts';
import type { BenchSuite, Figure } from '../figure.ts';

/**
 * A posture audit (every registered check) of a generated cluster: 10,000 pods from 2,000 Deployments
 * (with their ReplicaSets) in 1,000 namespaces, 5,000 RBAC bindings with their roles, Services,
 * NetworkPolicies, ConfigMaps and PodDisruptionBudgets. Each run is a fresh Node process (this file
 * run directly), so the peak RSS is the audit's and not the bench runner's. Generation is seeded and
 * not timed; the audit of a fresh snapshot is (caches are per snapshot, so nothing is pre-warmed).
 */
const NAMESPACES = 1_000;
const DEPLOYMENTS_PER_NAMESPACE = 2;
const PODS_PER_DEPLOYMENT = 5;
const ROLE_BINDINGS_PER_NAMESPACE = 4;
const CLUSTER_ROLE_BINDINGS = 1_000;
const RUNS = 3;

interface ChildFigures {
  auditMs: number;
  peakRssMb: number;
  objects: number;
  pods: number;
  bindings: number;
  results: number;
  checks: number;
  /** Time per check category (breakdown run). */
  categoryMs: Record<string, number>;
  /** The three slowest checks [id, ms] (breakdown run). */
  slowest: [string, number][];
}

export const suite: BenchSuite = {
  name: 'posture',
  run: async () => {
    const runs: ChildFigures[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measureInChild());
    const times = runs.map((r) => r.auditMs).sort((a, b) => a - b);
    const first = runs[0] as ChildFigures;
    return [
      {
        name: `audit ${first.pods.toLocaleString('en-US')} pods, ${first.bindings.toLocaleString('en-US')} bindings (median of ${RUNS})`,
        value: (times[Math.floor(RUNS / 2)] as number) / 1000,
        unit: 's',
        target: '<= 2 s',
      },
      {
        name: 'audit peak RSS (max of runs, whole process)',
        value: Math.max(...runs.map((r) => r.peakRssMb)),
        unit: 'MB',
        target: '<= 256 MB',
      },
      { name: 'checks run', value: first.checks, unit: 'checks', target: '' },
      { name: 'results reported', value: first.results, unit: 'results', target: '' },
      ...Object.entries(first.categoryMs).map(([category, ms]) => ({
        name: `  of which ${category} checks`,
        value: ms / 1000,
        unit: 's',
        target: '',
      })),
      ...first.slowest.map(([id, ms]) => ({
        name: `  slowest: ${id}`,
        value: ms / 1000,
        unit: 's',
        target: '',
      })),
    ] satisfies Figure[];
  },
};

async function measureInChild(): Promise<ChildFigures> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url)],
    {
      maxBuffer: 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as ChildFigures;
}

const APPS = ['web', 'api', 'db', 'cache', 'worker', 'auth', 'search', 'queue'];
const IMAGES = [
  'nginx:1.27.3',
  'nginx',
  'ghcr.io/acme/api:2.4.1',
  'redis:latest',
  `busybox@sha256:${'b'.repeat(64)}`,
];
function owner(kind: string, name: string, apiVersion = 'apps/v1') {
  return [{ apiVersion, kind, name, uid: `${kind}-${name}`, controller: true, blockOwnerDeletion: true }];
}

/** What varies between workloads, drawn once per Deployment so its ReplicaSet and pods share it. */
interface Traits {
  image: string;
  hardened: boolean;
  privileged: boolean;
  secretEnv: boolean;
  resources: boolean;
  hostNetwork: boolean;
  hostPath: boolean;
}

function drawTraits(random: Random): Traits {
  return {
    image: pick(random, IMAGES),
    hardened: random() < 0.5,
    privileged: random() < 0.05,
    secretEnv: random() < 0.3,
    resources: random() < 0.7,
    hostNetwork: random() < 0.02,
    hostPath: random() < 0.05,
  };
}

function container(traits: Traits, app: string) {
  return {
    name: app,
    image: traits.image,
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      traits.secretEnv
        ? { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'password' } } }
        : { name: 'DB_HOST', value: `${app}-db` },
    ],
    resources: traits.resources
      ? { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } }
      : {},
    securityContext: traits.hardened
      ? {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        }
      : { privileged: traits.privileged },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
  };
}

/** A fresh pod spec per object, as a collector parsing API responses would hold. */
function podSpec(traits: Traits, app: string) {
  return {
    serviceAccountName: app,
    hostNetwork: traits.hostNetwork,
    containers: [container(traits, app)],
    volumes: [
      { name: 'config', configMap: { name: `${app}-config` } },
      ...(traits.hostPath ? [{ name: 'logs', hostPath: { path: '/var/log' } }] : []),
    ],
  };
}

/** A Deployment, its ReplicaSet and its pods, as `kubectl get -o yaml` shows them. */
function workload(random: Random, namespace: string, index: number): KubeObject[] {
  const app = `${pick(random, APPS)}-${index}`;
  const labels = { app, tier: pick(random, ['frontend', 'backend']) };
  const traits = drawTraits(random);
  const replicaSetName = `${app}-7c5ddbdf54`;
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace, labels },
    spec: {
      replicas: PODS_PER_DEPLOYMENT,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: podSpec(traits, app) },
    },
  };
  const replicaSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: replicaSetName,
      namespace,
      labels: { ...labels, 'pod-template-hash': '7c5ddbdf54' },
      ownerReferences: owner('Deployment', app),
    },
    spec: { replicas: PODS_PER_DEPLOYMENT, template: { metadata: { labels }, spec: podSpec(traits, app) } },
  };
  const pods: KubeObject[] = Array.from({ length: PODS_PER_DEPLOYMENT }, (_, p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${replicaSetName}-${p.toString(36).padStart(5, 'x')}`,
      namespace,
      labels: { ...labels, 'pod-template-hash': '7c5ddbdf54' },
      ownerReferences: owner('ReplicaSet', replicaSetName),
    },
    spec: podSpec(traits, app),
    status: { phase: 'Running', podIP: `10.${index >> 8}.${index & 0xff}.${p}` },
  }));
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app, namespace },
    spec: {
      type: random() < 0.05 ? 'NodePort' : random() < 0.05 ? 'LoadBalancer' : 'ClusterIP',
      selector: labels,
      ports: [{ port: 80, targetPort: 8080 }],
    },
  };
  const serviceAccount: KubeObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: app, namespace },
  };
  const extras: KubeObject[] = [service, serviceAccount];
  if (random() < 0.5) {
    extras.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: app, namespace },
      spec: { minAvailable: 1, selector: { matchLabels: labels } },
    });
  }
  return [deployment, replicaSet, ...pods, ...extras];
}

function namespaceObjects(random: Random, n: number): KubeObject[] {
  const name = `team-${n}`;
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: {
          'kubernetes.io/metadata.name': name,
          ...(random() < 0.4 ? { 'pod-security.kubernetes.io/enforce': 'baseline' } : {}),
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: name },
      data: { LOG_LEVEL: 'info', 'app.properties': 'feature.x=true\nretries=3\n' },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'deployer', namespace: name },
      rules: [{ apiGroups: ['', 'apps'], resources: pick(random, RESOURCES), verbs: pick(random, VERBS) }],
    },
  ];
  if (random() < 0.6) {
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: name },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
  for (let d = 0; d < DEPLOYMENTS_PER_NAMESPACE; d++)
    objects.push(...workload(random, name, n * DEPLOYMENTS_PER_NAMESPACE + d));
  for (let b = 0; b < ROLE_BINDINGS_PER_NAMESPACE; b++) {
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `binding-${b}`, namespace: name },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: b === 3 ? 'ClusterRole' : 'Role',
        name: b === 3 ? 'view' : 'deployer',
      },
      subjects: [
        b % 2 === 0
          ? { kind: 'ServiceAccount', name: 'default', namespace: name }
          : { kind: 'Group', name: `team-${n}-devs`, apiGroup: 'rbac.authorization.k8s.io' },
      ],
    });
  }
  return objects;
}

function clusterWide(random: Random): KubeObject[] {
  const roles: KubeObject[] = Array.from({ length: 100 }, (_, i) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `platform-${i}` },
    rules: [{ apiGroups: [''], resources: pick(random, RESOURCES), verbs: pick(random, VERBS) }],
  }));
  const bindings: KubeObject[] = Array.from({ length: CLUSTER_ROLE_BINDINGS }, (_, i) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `platform-binding-${i}` },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: i % 250 === 0 ? 'cluster-admin' : `platform-${i % 100}`,
    },
    subjects: [{ kind: 'ServiceAccount', name: `sa-${i}`, namespace: `team-${i % NAMESPACES}` }],
  }));
  return [...roles, ...bindings];
}

export function generateCluster(random: Random): ClusterSnapshot {
  const objects: KubeObject[] = [];
  for (let n = 0; n < NAMESPACES; n++) objects.push(...namespaceObjects(random, n));
  objects.push(...clusterWide(random));
  return {
    name: 'bench-cluster',
    takenAt: '2025-06-01T12:00:00Z',
    objects,
    unavailable: { ...OFFLINE_UNAVAILABLE },
  };
}

// Run directly (by measureInChild): generate, audit once, print the figures as JSON.
if (import.meta.main) {
  const collect = () => (globalThis as { gc?: () => void }).gc?.();
  let snapshot: ClusterSnapshot | undefined = generateCluster(seededRandom(42));
  // Generation garbage is not the audit's: collect it first (the child runs with --expose-gc).
  collect();
  const start = performance.now();
  const report = runAudit(snapshot, ALL_CHECKS);
  const auditMs = performance.now() - start;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const objects = snapshot.objects;
  const figures: ChildFigures = {
    auditMs,
    peakRssMb,
    objects: objects.length,
    pods: objects.filter((o) => o.kind === 'Pod').length,
    bindings: objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding').length,
    results: report.results.length,
    checks: report.checks.length,
    categoryMs: {},
    slowest: [],
  };
  // Breakdown on a fresh snapshot (caches are per snapshot): which checks the time goes to.
  snapshot = undefined;
  collect();
  const fresh = generateCluster(seededRandom(42));
  collect();
  const perCheck: [string, number][] = [];
  for (const check of ALL_CHECKS) {
    const checkStart = performance.now();
    runCheck(check, fresh);
    const ms = performance.now() - checkStart;
    perCheck.push([check.id, ms]);
    figures.categoryMs[check.category] = (figures.categoryMs[check.category] ?? 0) + ms;
  }
  figures.slowest = perCheck.sort((a, b) => b[1] - a[1]).slice(0, 3);
  process.stdout.write(JSON.stringify(figures));
}
