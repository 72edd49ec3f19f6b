import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KubeApiTimeoutError } from '#adapters/kubernetes/http.ts';
import { readClusterObjects } from '#adapters/kubernetes/netpol-source.ts';
import type { NetpolNamespace, NetpolPod, NetworkPolicy } from '#core/netpol/types.ts';
import { type CliRun, runCli } from '#test/support/cli.ts';
import { readFixtureText } from '#test/support/fixtures.ts';

/**
 * `kubeguard netpol --kubeconfig` against a real HTTP server on loopback that answers the three
 * list calls the way the Kubernetes API does: `{kind: PodList, items, metadata: {continue}}`, items
 * without kind/apiVersion, paged by `limit` and `continue`, 403 as a Status object.
 */
interface CorpusCase {
  id: string;
  namespaces: NetpolNamespace[];
  pods: NetpolPod[];
  policies: NetworkPolicy[];
  queries: { from: object; to: object; port: number; protocol: string; expect: 'allow' | 'deny' }[];
}

const CASES = JSON.parse(readFixtureText('corpus/netpol/public-cases.json')) as CorpusCase[];
const CASE = CASES.find((c) => c.id === 'e2e-15-named-port-from-namespace') as CorpusCase;
const TOKEN = 'kubeguard-test-token';

/** The three lists as the API server returns them for one corpus case. */
function listsOf(corpusCase: CorpusCase): Record<string, { kind: string; items: unknown[] }> {
  return {
    '/api/v1/pods': {
      kind: 'PodList',
      items: corpusCase.pods.map((pod) => ({
        metadata: { name: pod.name, namespace: pod.namespace, labels: pod.labels, uid: `uid-${pod.name}` },
        spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.9', ports: pod.ports ?? [] }] },
        status: { phase: 'Running', podIP: pod.ip, podIPs: [{ ip: pod.ip }] },
      })),
    },
    '/api/v1/namespaces': {
      kind: 'NamespaceList',
      items: corpusCase.namespaces.map((ns) => ({
        metadata: { name: ns.name, labels: ns.labels },
        status: { phase: 'Active' },
      })),
    },
    '/apis/networking.k8s.io/v1/networkpolicies': {
      kind: 'NetworkPolicyList',
      items: corpusCase.policies.map(({ metadata, spec }) => ({ metadata, spec })),
    },
  };
}

interface ApiRequest {
  path: string;
  limit: string | null;
  continueToken: string | null;
  authorization: string | undefined;
}

class KubernetesApiDouble {
  readonly requests: ApiRequest[] = [];
  /** Paths answered with 403 Forbidden. */
  readonly forbidden = new Set<string>();
  /** What the lists return; swapped per test. */
  lists = listsOf(CASE);
  private readonly server: Server = createServer((request, response) => this.handle(request, response));

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://double');
    this.requests.push({
      path: url.pathname,
      limit: url.searchParams.get('limit'),
      continueToken: url.searchParams.get('continue'),
      authorization: request.headers.authorization,
    });
    const list = this.lists[url.pathname];
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      this.status(response, 401, 'Unauthorized');
    } else if (this.forbidden.has(url.pathname)) {
      this.status(response, 403, 'Forbidden');
    } else if (list === undefined) {
      this.status(response, 404, 'NotFound');
    } else {
      this.page(url, list, response);
    }
  }

  /** One page of a list: `limit` items from the offset carried in the `continue` token. */
  private page(url: URL, list: { kind: string; items: unknown[] }, response: ServerResponse): void {
    const offset = Number(url.searchParams.get('continue') ?? '0');
    const limit = Number(url.searchParams.get('limit') ?? list.items.length);
    const items = list.items.slice(offset, offset + limit);
    const next = offset + limit < list.items.length ? String(offset + limit) : undefined;
    this.json(response, 200, {
      kind: list.kind,
      apiVersion: list.kind === 'NetworkPolicyList' ? 'networking.k8s.io/v1' : 'v1',
      metadata: { resourceVersion: '4242', ...(next === undefined ? {} : { continue: next }) },
      items,
    });
  }

  private status(response: ServerResponse, code: number, reason: string): void {
    this.json(response, code, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason,
      code,
      message: reason,
    });
  }

  private json(response: ServerResponse, code: number, body: unknown): void {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}

const api = new KubernetesApiDouble();
const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-netpol-kubeconfig-'));
const KUBECONFIG = join(WORK, 'kubeconfig.yaml');

beforeAll(async () => {
  await api.start();
  // client-node refuses plain http unless the cluster entry skips TLS verification.
  writeFileSync(
    KUBECONFIG,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: double',
      `  cluster: {server: "${api.url}", insecure-skip-tls-verify: true}`,
      '- name: nowhere',
      '  cluster: {server: "http://127.0.0.1:1", insecure-skip-tls-verify: true}',
      'users:',
      '- name: tester',
      `  user: {token: ${TOKEN}}`,
      'contexts:',
      '- name: test',
      '  context: {cluster: double, user: tester}',
      '- name: unreachable',
      '  context: {cluster: nowhere, user: tester}',
      'current-context: unreachable',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await api.stop();
  rmSync(WORK, { recursive: true, force: true });
});

beforeEach(() => {
  api.requests.length = 0;
  api.forbidden.clear();
  api.lists = listsOf(CASE);
});

async function run(args: string[], stdin = ''): Promise<CliRun> {
  return runCli(['netpol', ...args], { stdin, cwd: WORK });
}

describe('kubeguard netpol --kubeconfig', () => {
  it(`answers the ${CASE.id} corpus queries from the live lists, with the labelled verdicts`, async () => {
    const stdin = CASE.queries.map((q) => JSON.stringify(q)).join('\n');

    const result = await run(
      ['--kubeconfig', 'kubeconfig.yaml', '--context', 'test', '--queries', '-'],
      stdin,
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const verdicts = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { verdict: string }).verdict);
    expect(verdicts).toEqual(CASE.queries.map((q) => q.expect));
  });

  it('gives every corpus query its labelled verdict when the case is served by the API', async () => {
    const mismatches: string[] = [];
    for (const corpusCase of CASES) {
      api.lists = listsOf(corpusCase);

      const result = await run(
        ['--kubeconfig', KUBECONFIG, '--context', 'test', '--queries', '-'],
        corpusCase.queries.map((q) => JSON.stringify(q)).join('\n'),
      );

      const answers = result.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { verdict?: string });
      corpusCase.queries.forEach((q, i) => {
        if (answers[i]?.verdict !== q.expect)
          mismatches.push(`${corpusCase.id} query ${i}: ${JSON.stringify(answers[i])}`);
      });
    }

    expect(mismatches).toEqual([]);
  });

  it('lists pods, namespaces and policies across all namespaces with the kubeconfig token', async () => {
    await run(['--kubeconfig', KUBECONFIG, '--context', 'test', '--queries', '-'], '');

    expect(api.requests.map((r) => r.path).sort()).toEqual([
      '/api/v1/namespaces',
      '/api/v1/pods',
      '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies',
      '/apis/cilium.io/v2/ciliumnetworkpolicies',
      '/apis/crd.projectcalico.org/v1/globalnetworkpolicies',
      '/apis/crd.projectcalico.org/v1/networkpolicies',
      '/apis/networking.k8s.io/v1/networkpolicies',
      '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies',
      '/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies',
      '/apis/projectcalico.org/v3/globalnetworkpolicies',
      '/apis/projectcalico.org/v3/networkpolicies',
    ]);
    expect(api.requests.every((r) => r.authorization === `Bearer ${TOKEN}` && r.limit === '500')).toBe(true);
  });

  it('follows continue tokens until every page is read', async () => {
    const objects = await readClusterObjects({ kubeconfigFile: KUBECONFIG, context: 'test', pageSize: 2 });

    expect(objects.pods.map((p) => (p.metadata as { name: string }).name)).toEqual(
      CASE.pods.map((p) => p.name),
    );
    expect(objects.pods.every((p) => p.kind === 'Pod' && p.apiVersion === 'v1')).toBe(true);
    const podPages = api.requests.filter((r) => r.path === '/api/v1/pods').map((r) => r.continueToken);
    expect(podPages).toEqual([
      null,
      ...Array.from({ length: Math.ceil(CASE.pods.length / 2) - 1 }, (_, i) => String(2 * (i + 1))),
    ]);
  });

  it('refuses an unknown context, listing the ones the kubeconfig has (exit 2)', async () => {
    const result = await run(['--kubeconfig', KUBECONFIG, '--context', 'prod', '--queries', '-']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `kubeconfig "${KUBECONFIG}" has no context "prod"; its contexts: test, unreachable`,
    );
  });

  it('reports a refused list call with the resource and the permission it needs (exit 3: the source could not be read)', async () => {
    api.forbidden.add('/apis/networking.k8s.io/v1/networkpolicies');

    const result = await run(['--kubeconfig', KUBECONFIG, '--context', 'test', '--queries', '-']);

    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `kubeguard netpol: the Kubernetes API at ${api.url} refused to list networkpolicies (HTTP 403); the identity needs "list" on networkpolicies in all namespaces\n`,
    );
  });

  describe('custom policy kinds', () => {
    /** A query from the first pod of the case to the second, on a port no policy of the case opens. */
    const [first, second] = CASE.pods as [NetpolPod, NetpolPod];
    const query = [
      '--from',
      `${first.namespace}/${first.name}`,
      '--to',
      `${second.namespace}/${second.name}`,
      '--port',
      '7777',
      '--json',
    ];
    const args = ['--kubeconfig', KUBECONFIG, '--context', 'test', ...query];

    it('evaluates the AdminNetworkPolicies the cluster serves', async () => {
      api.lists['/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies'] = {
        kind: 'AdminNetworkPolicyList',
        items: [
          {
            apiVersion: 'policy.networking.k8s.io/v1alpha1',
            kind: 'AdminNetworkPolicy',
            metadata: { name: 'deny-egress-7777', uid: 'uid-anp' },
            spec: {
              priority: 3,
              subject: { namespaces: {} },
              egress: [
                {
                  name: 'deny-7777',
                  action: 'Deny',
                  to: [{ namespaces: {} }],
                  ports: [{ portNumber: { protocol: 'TCP', port: 7777 } }],
                },
              ],
            },
          },
        ],
      };

      const result = await run(args);

      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        verdict: 'deny',
        egress: { verdict: 'deny', decidedBy: ['AdminNetworkPolicy/deny-egress-7777'] },
      });
    });

    it('answers unknown (exit 1) while a Calico policy is served, naming it', async () => {
      api.lists['/apis/crd.projectcalico.org/v1/globalnetworkpolicies'] = {
        kind: 'GlobalNetworkPolicyList',
        items: [
          {
            apiVersion: 'crd.projectcalico.org/v1',
            kind: 'GlobalNetworkPolicy',
            metadata: { name: 'default-deny' },
            spec: { order: 100, selector: 'all()', types: ['Ingress', 'Egress'] },
          },
        ],
      };

      const result = await run(args);

      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({
        verdict: 'unknown',
        ingress: {
          reason:
            'GlobalNetworkPolicy/default-deny could not be evaluated (a Calico policy; kubeguard does not evaluate Calico policies)',
        },
      });
    });

    it('answers unknown (exit 1) when a policy kind may not be listed, naming the kind', async () => {
      api.forbidden.add('/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies');

      const result = await run(args);

      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout).egress).toEqual({
        verdict: 'unknown',
        isolated: false,
        decidedBy: [],
        reason: `CiliumClusterwideNetworkPolicy objects could not be read (the Kubernetes API at ${api.url} refused to list ciliumclusterwidenetworkpolicies.cilium.io (HTTP 403); grant "list" on it to evaluate)`,
      });
    });
  });

  it('reports an API server it cannot reach (exit 3, as audit does), using the current context by default', async () => {
    const result = await run(['--kubeconfig', KUBECONFIG, '--queries', '-']);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^kubeguard netpol: cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:1 to list /,
    );
  });

  it('reports a kubeconfig file it cannot read (exit 2)', async () => {
    const result = await run(['--kubeconfig', 'missing-kubeconfig.yaml', '--queries', '-']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read kubeconfig');
  });
});

describe('the kubeconfig source reads through the one Kubernetes adapter', () => {
  it('returns policies exactly as the API sent them: ingress `from` and fields newer than client-node', async () => {
    const policy = CASE.policies.find((p) => p.spec.ingress?.some((rule) => rule.from !== undefined));
    const future = {
      metadata: { ...policy?.metadata, name: 'with-future-field' },
      spec: { ...policy?.spec, futureField: { addedIn: 'v1.99' } },
    };
    api.lists['/apis/networking.k8s.io/v1/networkpolicies'] = { kind: 'NetworkPolicyList', items: [future] };

    const objects = await readClusterObjects({ kubeconfigFile: KUBECONFIG, context: 'test' });

    expect(objects.networkPolicies).toEqual([
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...future },
    ]);
  });

  it('gives up on an API server that never answers, naming the URL and the timeout', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const server = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const kubeconfig = join(WORK, 'silent.yaml');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: silent\n  cluster: {server: "${server}", insecure-skip-tls-verify: true}`,
        'users:',
        `- name: tester\n  user: {token: ${TOKEN}}`,
        'contexts:',
        '- name: silent\n  context: {cluster: silent, user: tester}',
        'current-context: silent',
        '',
      ].join('\n'),
    );
    try {
      const error = await readClusterObjects({ kubeconfigFile: kubeconfig, requestTimeoutMs: 200 }).catch(
        (thrown: unknown) => thrown,
      );

      expect(error).toBeInstanceOf(KubeApiTimeoutError);
      expect((error as KubeApiTimeoutError).timeoutMs).toBe(200);
      expect((error as Error).message).toMatch(
        new RegExp(`^the Kubernetes API did not answer ${server}/api\\S+ within 200 ms`),
      );
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
