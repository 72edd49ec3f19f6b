import { ApiFailure, type JsonObject } from './failure.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';

/**
 * The discovery documents of the in-memory API: `/version`, `/api`, `/apis`, `/api/v1` and
 * `/apis/<group>/<version>`, listing exactly the resources it serves.
 *
 * Aggregated discovery is not served (decision D39): kubectl asks `/api` and `/apis` for
 * `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList` first, and client-go's
 * `downloadLegacy`/`downloadAPIs` choose the parser by the response's Content-Type — a plain
 * `application/json` answer is read as `APIVersions` / `APIGroupList`, and the resources are then
 * asked group version by group version, as from an API server older than 1.26.
 */

/**
 * What `/version` answers: the version.Info of upstream Kubernetes v1.32.0 as its API server
 * reports it (kubernetes/kubernetes release v1.32.0).
 */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T17:59:15Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

/** The verbs every served resource supports (no watch, no deletecollection). */
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];

/** Subresources served besides the resource itself, as discovery lists them. */
const SUBRESOURCES: Readonly<Record<string, readonly JsonObject[]>> = {
  pods: [{ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }],
  nodes: [
    {
      name: 'nodes/proxy',
      singularName: '',
      namespaced: false,
      kind: 'NodeProxyOptions',
      verbs: ['create', 'delete', 'get', 'patch', 'update'],
    },
  ],
};

/** The discovery document at `path`, or undefined when `path` is not a discovery path. */
export function discoveryDocument(path: string, types: readonly ResourceType[]): unknown {
  if (path === '/version') return SERVER_VERSION;
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') return groupList(types);
  const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!match) return undefined;
  const group = match[1] ? '' : (match[2] as string);
  const version = match[1] ?? (match[3] as string);
  const served = types.filter((t) => t.group === group && t.version === version);
  if (served.length === 0) {
    throw new ApiFailure(404, 'NotFound', 'the server could not find the requested resource');
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(served[0] as ResourceType),
    resources: served.flatMap((t) => [resourceOf(t), ...(SUBRESOURCES[t.resource] ?? [])]),
  };
}

function groupList(types: readonly ResourceType[]): JsonObject {
  const groups = [...new Set(types.filter((t) => t.group !== '').map((t) => t.group))];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((name) => {
      const versions = [...new Set(types.filter((t) => t.group === name).map((t) => t.version))];
      const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions: list, preferredVersion: list[0] };
    }),
  };
}

function resourceOf(type: ResourceType): JsonObject {
  return {
    name: type.resource,
    singularName: type.kind.toLowerCase(),
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: VERBS,
    ...(type.shortNames?.length ? { shortNames: [...type.shortNames] } : {}),
    ...(type.categories?.length ? { categories: [...type.categories] } : {}),
  };
}
