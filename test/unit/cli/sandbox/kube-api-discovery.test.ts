import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoCluster, startDemoCluster } from '#cli/sandbox/demo-cluster/index.ts';

/**
 * What kubectl asks the demo cluster before `get`, `describe` and `label`: the discovery documents,
 * over HTTP, in the formats of the API server (meta/v1 APIVersions, APIGroupList, APIResourceList;
 * version.Info), and the legacy answer to an aggregated-discovery Accept header, which client-go
 * reads by its Content-Type and falls back from.
 */

let cluster: DemoCluster;

beforeAll(async () => {
  cluster = await startDemoCluster({ now: new Date('2026-12-01T12:00:00Z') });
});

afterAll(async () => {
  await cluster.stop();
});

const AGGREGATED =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

async function get(path: string, accept = 'application/json, */*') {
  const response = await fetch(`${cluster.url}${path}`, { headers: { accept } });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    // biome-ignore lint/suspicious/noExplicitAny: discovery documents are read field by field below
    body: (await response.json()) as any,
  };
}

interface Resource {
  name: string;
  shortNames?: string[];
  categories?: string[];
}

const table = (resources: Resource[]) =>
  resources.map((r) => [r.name, (r.shortNames ?? []).join(','), (r.categories ?? []).join(',')]);

describe('the demo cluster serves discovery as the API server does', () => {
  it('answers /version with a version.Info', async () => {
    expect((await get('/version')).body).toEqual({
      major: '1',
      minor: '32',
      gitVersion: 'v1.32.0',
      gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53',
      gitTreeState: 'clean',
      buildDate: '2024-12-11T17:59:15Z',
      goVersion: 'go1.23.3',
      compiler: 'gc',
      platform: 'linux/amd64',
    });
  });

  it('answers an aggregated-discovery request to /api and /apis with the legacy documents as application/json', async () => {
    const api = await get('/api', AGGREGATED);
    const apis = await get('/apis', AGGREGATED);

    expect(api).toEqual({
      status: 200,
      contentType: 'application/json',
      body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
    });
    expect(apis.contentType).toBe('application/json');
    expect(apis.body.kind).toBe('APIGroupList');
    expect(
      apis.body.groups.map((g: { name: string; preferredVersion: { groupVersion: string } }) => [
        g.name,
        g.preferredVersion.groupVersion,
      ]),
    ).toEqual([
      ['networking.k8s.io', 'networking.k8s.io/v1'],
      ['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io/v1'],
      ['apps', 'apps/v1'],
      ['batch', 'batch/v1'],
      ['policy', 'policy/v1'],
      ['admissionregistration.k8s.io', 'admissionregistration.k8s.io/v1'],
      ['external-secrets.io', 'external-secrets.io/v1'],
    ]);
  });

  it('lists the core resources with their short names, categories and subresources', async () => {
    const core = await get('/api/v1');

    expect(core.body.kind).toBe('APIResourceList');
    expect(core.body.groupVersion).toBe('v1');
    expect(table(core.body.resources)).toEqual([
      ['pods', 'po', 'all'],
      ['pods/log', '', ''],
      ['namespaces', 'ns', ''],
      ['nodes', 'no', ''],
      ['nodes/proxy', '', ''],
      ['services', 'svc', 'all'],
      ['events', 'ev', ''],
      ['serviceaccounts', 'sa', ''],
      ['secrets', '', ''],
      ['configmaps', 'cm', ''],
    ]);
    expect(core.body.resources[0]).toEqual({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
      shortNames: ['po'],
      categories: ['all'],
    });
  });

  it('lists each group version: networking, apps and External Secrets Operator', async () => {
    expect(table((await get('/apis/networking.k8s.io/v1')).body.resources)).toEqual([
      ['networkpolicies', 'netpol', ''],
      ['ingresses', 'ing', ''],
    ]);
    expect(table((await get('/apis/apps/v1')).body.resources)).toEqual([
      ['deployments', 'deploy', 'all'],
      ['replicasets', 'rs', 'all'],
      ['statefulsets', 'sts', 'all'],
      ['daemonsets', 'ds', 'all'],
    ]);
    expect(table((await get('/apis/external-secrets.io/v1')).body.resources)).toEqual([
      ['externalsecrets', 'es', 'external-secrets'],
      ['clusterexternalsecrets', 'ces', 'external-secrets'],
      ['secretstores', 'ss', 'external-secrets'],
      ['clustersecretstores', 'css', 'external-secrets'],
    ]);
  });

  it('answers 404 with a Status for a group version it does not serve', async () => {
    expect(await get('/apis/external-secrets.io/v1beta1')).toEqual({
      status: 404,
      contentType: 'application/json',
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        code: 404,
      },
    });
  });

  it('serves the kubelet configuration of each node through the node proxy', async () => {
    const configz = await get('/api/v1/nodes/ip-10-0-1-23.eu-west-1.compute.internal/proxy/configz');

    expect(configz.status).toBe(200);
    expect(configz.body.kubeletconfig.authentication.anonymous).toEqual({ enabled: false });
    expect((await get('/api/v1/nodes/ip-10-9-9-9.eu-west-1.compute.internal/proxy/configz')).status).toBe(
      404,
    );
  });
});
