import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectClusterSnapshot } from '#adapters/kubernetes/snapshot-collector.ts';
import { runAudit } from '#core/posture/engine.ts';
import type { ClusterSnapshot, KubeObject } from '#core/posture/snapshot.ts';
import { corpusManifest } from '#test/support/rbac-objects.ts';

/** Collection path of each kind the double serves (the corpus manifests, grouped by kind). */
const PATHS: Record<string, string> = {
  Pod: '/api/v1/pods',
  Deployment: '/apis/apps/v1/deployments',
  StatefulSet: '/apis/apps/v1/statefulsets',
  DaemonSet: '/apis/apps/v1/daemonsets',
  ReplicaSet: '/apis/apps/v1/replicasets',
  Job: '/apis/batch/v1/jobs',
  CronJob: '/apis/batch/v1/cronjobs',
  Role: '/apis/rbac.authorization.k8s.io/v1/roles',
  ClusterRole: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  RoleBinding: '/apis/rbac.authorization.k8s.io/v1/rolebindings',
  ServiceAccount: '/api/v1/serviceaccounts',
  NetworkPolicy: '/apis/networking.k8s.io/v1/networkpolicies',
  Service: '/api/v1/services',
  Ingress: '/apis/networking.k8s.io/v1/ingresses',
  Namespace: '/api/v1/namespaces',
  Node: '/api/v1/nodes',
  PodDisruptionBudget: '/apis/policy/v1/poddisruptionbudgets',
  MutatingWebhookConfiguration: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
  ValidatingWebhookConfiguration: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
};
/** The one type the caller may not list. */
const FORBIDDEN = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings';
const NODE = 'ip-192-168-17-56.us-west-2.compute.internal';
const TOKEN = 'k8s-aws-v1.test-token';

const CORPUS = Array.from({ length: 30 }, (_, i) => `m${String(i + 1).padStart(2, '0')}.yaml`).flatMap(
  corpusManifest,
);
const NAMESPACES: KubeObject[] = ['default', 'kube-system', 'test'].map((name) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
}));
const NODES: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels: { 'kubernetes.io/os': 'linux' } } },
];
const CONFIGZ = {
  kubeletconfig: {
    authentication: {
      anonymous: { enabled: true },
      webhook: { enabled: true },
      x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' },
    },
    authorization: { mode: 'Webhook' },
    streamingConnectionIdleTimeout: '4h0m0s',
    makeIPTablesUtilChains: true,
    eventRecordQPS: 50,
  },
};

function itemsAt(path: string): KubeObject[] | undefined {
  const kind = Object.entries(PATHS).find(([, p]) => p === path)?.[0];
  if (kind === undefined) return undefined;
  const all = [...CORPUS, ...NAMESPACES, ...NODES].filter((object) => object.kind === kind);
  // Items of a list carry no kind: the collector must add it back.
  return all.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest as KubeObject);
}

interface Recorded {
  path: string;
  limit: string | null;
  cont: string | null;
  authorization: string | undefined;
}

function status(response: ServerResponse, code: number, reason: string, message: string): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
    }),
  );
}

/** A Kubernetes API double: paged list calls (limit / continue), one 403, configz, 404 for the rest. */
function apiServer(recorded: Recorded[]): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    recorded.push({
      path: url.pathname,
      limit: url.searchParams.get('limit'),
      cont: url.searchParams.get('continue'),
      authorization: request.headers.authorization,
    });
    if (url.pathname === FORBIDDEN) {
      status(
        response,
        403,
        'Forbidden',
        'clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "kubeguard" cannot list resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope',
      );
      return;
    }
    if (url.pathname === `/api/v1/nodes/${NODE}/proxy/configz`) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(CONFIGZ));
      return;
    }
    const items = itemsAt(url.pathname);
    if (items === undefined) {
      status(response, 404, 'NotFound', 'the server could not find the requested resource');
      return;
    }
    const limit = Number(url.searchParams.get('limit') ?? items.length) || items.length;
    const offset = Number(url.searchParams.get('continue') ?? 0);
    const page = items.slice(offset, offset + limit);
    const next = offset + limit < items.length ? String(offset + limit) : undefined;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        kind: 'List',
        apiVersion: 'v1',
        metadata: next === undefined ? { resourceVersion: '1' } : { resourceVersion: '1', continue: next },
        items: page,
      }),
    );
  });
}

describe('collectClusterSnapshot against a Kubernetes API double on loopback', () => {
  const recorded: Recorded[] = [];
  const server = apiServer(recorded);
  let snapshot: ClusterSnapshot;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'double', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'kubeguard', token: TOKEN }],
      contexts: [{ name: 'double', cluster: 'double', user: 'kubeguard' }],
      currentContext: 'double',
    });
    snapshot = await collectClusterSnapshot({
      kubeConfig,
      name: 'loopback',
      clock: () => '2026-03-01T00:00:00.000Z',
      pageSize: 2,
    });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('follows continue tokens with the page size as limit until every item is read', () => {
    const podCalls = recorded.filter((call) => call.path === '/api/v1/pods');
    const pods = CORPUS.filter((object) => object.kind === 'Pod');
    expect(podCalls.map((call) => call.cont)).toEqual(
      Array.from({ length: Math.ceil(pods.length / 2) }, (_, i) => (i === 0 ? null : String(i * 2))),
    );
    expect(podCalls.every((call) => call.limit === '2')).toBe(true);
    expect(
      snapshot.objects.filter((object) => object.kind === 'Pod').map((pod) => pod.metadata.name),
    ).toEqual(pods.map((pod) => pod.metadata.name));
  });

  it('sends the bearer token on every call', () => {
    expect(recorded.every((call) => call.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('restores kind and apiVersion on list items', () => {
    const role = snapshot.objects.find((object) => object.kind === 'ClusterRole');
    expect(role).toMatchObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' });
  });

  it('marks the forbidden type unavailable with the reason and keeps the others', () => {
    expect(snapshot.unavailable.rolebindings).toBe('no permission to list clusterrolebindings');
    expect(snapshot.unavailable.roles).toBeUndefined();
    expect(snapshot.objects.some((object) => object.kind === 'ClusterRoleBinding')).toBe(false);
  });

  it('treats a missing CRD (404) and a missing aws-auth as none, not as unavailable', () => {
    expect(snapshot.unavailable.externalsecrets).toBeUndefined();
    expect(snapshot.unavailable.configmaps).toBeUndefined();
  });

  it('reads kubelet configuration through nodes/proxy configz', () => {
    expect(snapshot.kubeletConfigs?.[NODE]).toEqual(CONFIGZ);
  });

  it('marks the AWS-side types unavailable when no AWS client is given', () => {
    expect(snapshot.unavailable['eks:cluster']).toBe('no AWS access for this audit (Kubernetes API only)');
  });

  it('lets the audit run: checks needing the forbidden type are skipped with the reason, the others run', () => {
    const report = runAudit(snapshot);
    const byCheck = (id: string) => report.results.filter((result) => result.checkId === id);
    expect(byCheck('KP-040')).toEqual([
      expect.objectContaining({
        status: 'skip',
        message: 'skipped: rolebindings unavailable: no permission to list clusterrolebindings',
      }),
    ]);
    expect(byCheck('KP-060').some((result) => result.status === 'fail')).toBe(true);
    expect(byCheck('KP-042').some((result) => result.status === 'fail')).toBe(true);
    expect(byCheck('KP-030')).toEqual([
      expect.objectContaining({ status: 'fail', object: { kind: 'Node', name: NODE } }),
    ]);
    expect(byCheck('KP-001')[0]?.message).toBe(
      'skipped: eks:cluster unavailable: no AWS access for this audit (Kubernetes API only)',
    );
  });
});
