import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClient, type KubeApiClient } from '#adapters/kubernetes/client.ts';
import { KubeApiTimeoutError } from '#adapters/kubernetes/http.ts';
import { parseManifests } from '#core/manifests/load.ts';
import { readFixtureText } from '#test/support/fixtures.ts';
import { externalSecretsResources, KubeApiDouble } from '#test/support/kube-api-double.ts';
import type { JsonObject } from '#test/support/kube-api-semantics.ts';
import { secretConsumerObjects } from '#test/support/secret-consumer-objects.ts';

/** The fixtures' ExternalSecrets and ClusterExternalSecret (and namespaces) as `version` objects. */
function esoObjects(version: 'v1' | 'v1beta1'): JsonObject[] {
  const name = 'kubernetes/external-secrets/cluster-external-secret.yaml';
  const scenario = parseManifests(readFixtureText(name), name).objects.map(({ object }) => object);
  return [...secretConsumerObjects(), ...scenario]
    .filter((o) => ['ExternalSecret', 'ClusterExternalSecret', 'Namespace'].includes(String(o.kind)))
    .map((o) =>
      String(o.apiVersion).startsWith('external-secrets.io/')
        ? { ...o, apiVersion: `external-secrets.io/${version}` }
        : o,
    ) as unknown as JsonObject[];
}

let api: KubeApiDouble | undefined;
let silent: Server | undefined;

async function clientFor(
  double: KubeApiDouble,
  options: { requestTimeoutMs?: number } = {},
): Promise<KubeApiClient> {
  api = await double.start();
  const config = new KubeConfig();
  config.loadFromOptions(api.kubeConfigOptions());
  return createKubeClient({ kubeConfig: config, pageSize: 2, ...options });
}

afterEach(async () => {
  await api?.stop();
  api = undefined;
  silent?.closeAllConnections();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
  silent = undefined;
});

describe('Kubernetes reader: External Secrets Operator served as v1beta1 only (before 0.17)', () => {
  it('lists ExternalSecrets at v1beta1 when v1 is not served, found through discovery', async () => {
    const client = await clientFor(
      new KubeApiDouble({
        extraResources: externalSecretsResources('v1beta1'),
        objects: esoObjects('v1beta1'),
      }),
    );

    const listed = await client.list({ kind: 'ExternalSecret', namespace: 'payments' });

    expect(listed.map((o) => [o.apiVersion, o.metadata.name])).toEqual([
      ['external-secrets.io/v1beta1', 'batch-settings'],
      ['external-secrets.io/v1beta1', 'catalog-by-name'],
      ['external-secrets.io/v1beta1', 'ledger'],
      ['external-secrets.io/v1beta1', 'payments-api'],
      ['external-secrets.io/v1beta1', 'payments-db'],
      ['external-secrets.io/v1beta1', 'unrelated'],
    ]);
    expect(api?.requests.map((r) => r.path).slice(0, 3)).toEqual([
      '/apis/external-secrets.io/v1',
      '/apis/external-secrets.io/v1beta1',
      '/apis/external-secrets.io/v1beta1/namespaces/payments/externalsecrets',
    ]);
  });

  it('reads and force-syncs one at the version the server serves', async () => {
    const client = await clientFor(
      new KubeApiDouble({
        extraResources: externalSecretsResources('v1beta1'),
        objects: esoObjects('v1beta1'),
      }),
    );

    const ledger = await client.get({ kind: 'ExternalSecret', namespace: 'payments', name: 'ledger' });
    await client.patch(
      { kind: 'ExternalSecret', namespace: 'payments', name: 'ledger' },
      { type: 'merge', body: { metadata: { annotations: { 'force-sync': '1772366400' } } } },
    );

    expect(ledger.apiVersion).toBe('external-secrets.io/v1beta1');
    expect(api?.writes().map((w) => w.path)).toEqual([
      '/apis/external-secrets.io/v1beta1/namespaces/payments/externalsecrets/ledger',
    ]);
  });

  it('asks discovery once per client', async () => {
    const client = await clientFor(
      new KubeApiDouble({
        extraResources: externalSecretsResources('v1beta1'),
        objects: esoObjects('v1beta1'),
      }),
    );

    await client.list({ kind: 'ExternalSecret' });
    await client.list({ kind: 'ExternalSecret', namespace: 'payments' });

    expect(api?.requests.filter((r) => r.verb === undefined).map((r) => r.path)).toEqual([
      '/apis/external-secrets.io/v1',
      '/apis/external-secrets.io/v1beta1',
    ]);
  });

  it('says the operator is not installed when no version is served (NOT_FOUND)', async () => {
    const client = await clientFor(new KubeApiDouble());

    const error = await client.list({ kind: 'ExternalSecret' }).catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      message: `the Kubernetes API at ${api?.url} does not serve ExternalSecret (external-secrets.io/v1, external-secrets.io/v1beta1): External Secrets Operator is not installed`,
    });
  });
});

describe('Kubernetes reader: ClusterExternalSecret', () => {
  it.each(['v1', 'v1beta1'] as const)(
    'lists ClusterExternalSecrets, cluster-scoped, at %s',
    async (version) => {
      const client = await clientFor(
        new KubeApiDouble({
          extraResources: externalSecretsResources(version),
          objects: esoObjects(version),
        }),
      );

      const listed = await client.list({ kind: 'ClusterExternalSecret' });

      expect(listed).toEqual([
        expect.objectContaining({
          apiVersion: `external-secrets.io/${version}`,
          kind: 'ClusterExternalSecret',
          metadata: expect.objectContaining({ name: 'payments-db' }),
          status: expect.objectContaining({ provisionedNamespaces: ['payments'] }),
        }),
      ]);
      expect(api?.requests.at(-1)?.path).toBe(`/apis/external-secrets.io/${version}/clusterexternalsecrets`);
    },
  );

  it('force-syncs it with the external-secrets.io/force-sync annotation, as a merge patch', async () => {
    const client = await clientFor(
      new KubeApiDouble({ extraResources: externalSecretsResources('v1'), objects: esoObjects('v1') }),
    );

    const patched = await client.patch(
      { kind: 'ClusterExternalSecret', name: 'payments-db' },
      {
        type: 'merge',
        body: { metadata: { annotations: { 'external-secrets.io/force-sync': '1772366400' } } },
      },
    );

    expect(patched.metadata.annotations).toEqual({ 'external-secrets.io/force-sync': '1772366400' });
  });
});

describe('Kubernetes reader: one kind failing does not stop the others', () => {
  it('reports a 403 on one kind as "no permission to list X" and lists the rest', async () => {
    const double = new KubeApiDouble({ objects: esoObjects('v1').filter((o) => o.kind === 'Namespace') });
    double.forbid({ verb: 'list', resource: 'clusterrolebindings' });
    const client = await clientFor(double);

    const outcomes = await client.listEach([
      { kind: 'Namespace' },
      { kind: 'ClusterRoleBinding' },
      { kind: 'ExternalSecret' },
      { kind: 'RoleBinding', namespace: 'payments' },
    ]);

    expect(
      outcomes.map((o) =>
        'objects' in o
          ? `${o.query.kind}: ${o.objects.length}`
          : `${o.query.kind}: ${o.reason} (${o.notInstalled})`,
      ),
    ).toEqual([
      'Namespace: 3',
      'ClusterRoleBinding: no permission to list clusterrolebindings (false)',
      'ExternalSecret: External Secrets Operator is not installed (no externalsecrets) (true)',
      'RoleBinding: 0',
    ]);
  });
});

describe('Kubernetes reader: request timeout', () => {
  /** A loopback server that accepts connections and never answers. */
  async function silentServer(): Promise<string> {
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  }

  it('gives up on a server that never answers, naming the URL and the timeout', async () => {
    const server = await silentServer();
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'silent', server, skipTLSVerify: true }],
      users: [{ name: 'kubeguard', token: 'never-answered' }],
      contexts: [{ name: 'silent', cluster: 'silent', user: 'kubeguard' }],
      currentContext: 'silent',
    });
    const client = createKubeClient({ kubeConfig: config, requestTimeoutMs: 200 });

    const error = await client.list({ kind: 'Pod' }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(KubeApiTimeoutError);
    expect(error).toMatchObject({
      code: 'UPSTREAM',
      url: `${server}/api/v1/pods?limit=500`,
      timeoutMs: 200,
      message: `the Kubernetes API did not answer ${server}/api/v1/pods?limit=500 within 200 ms (to list Pod (list)); check that the server is reachable and healthy, or raise requestTimeoutMs`,
    });
  });
});
