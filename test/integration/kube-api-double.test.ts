import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFixture } from '#test/support/fixtures.ts';
import { type JsonObject, KubeApiDouble } from '#test/support/kube-api-double.ts';

/**
 * The Kubernetes API double is itself a specification of the REST semantics kubeguard relies on:
 * every behaviour the remediation tests lean on is pinned here against plain HTTP and client-node.
 */

/** A real Pod as the API server returned it (the responseObject of an audited create). */
function fixturePod(overrides: {
  name: string;
  labels?: Record<string, string>;
  nodeName?: string;
}): JsonObject {
  const pod = loadFixture<{ responseObject: JsonObject }>(
    'eks-audit-privileged-pod-create.json',
  ).responseObject;
  const metadata = pod.metadata as JsonObject;
  metadata.name = overrides.name;
  metadata.labels = overrides.labels ?? metadata.labels;
  if (overrides.nodeName) (pod.spec as JsonObject).nodeName = overrides.nodeName;
  return pod;
}

const NAMESPACE: JsonObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } };

let api: KubeApiDouble;

beforeEach(async () => {
  api = await new KubeApiDouble({
    objects: [
      NAMESPACE,
      fixturePod({ name: 'web-1', labels: { app: 'web', tier: 'front' }, nodeName: 'node-a' }),
      fixturePod({ name: 'web-2', labels: { app: 'web', tier: 'back' }, nodeName: 'node-b' }),
      fixturePod({ name: 'db-1', labels: { app: 'db' }, nodeName: 'node-a' }),
    ],
  }).start();
});

afterEach(async () => {
  await api.stop();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(`${api.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': contentType } }),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text;
  return { status: response.status, body: json };
}

function names(list: { items: JsonObject[] }): string[] {
  return list.items.map((item) => (item.metadata as JsonObject).name as string);
}

describe('Kubernetes API double: reads', () => {
  it('returns a seeded object with its kind, apiVersion and a resourceVersion', async () => {
    const { status, body } = await call('GET', '/api/v1/namespaces/default/pods/web-1');

    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web-1' } });
    expect(body.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it('answers a missing object with a 404 Status naming it', async () => {
    const { status, body } = await call('GET', '/api/v1/namespaces/default/pods/ghost');

    expect(status).toBe(404);
    expect(body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'pods "ghost" not found',
    });
  });

  it.each([
    ['app=web', ['web-1', 'web-2']],
    ['app==web,tier=front', ['web-1']],
    ['app!=web', ['db-1']],
    ['tier in (back,middle)', ['web-2']],
    ['app notin (web)', ['db-1']],
    ['tier', ['web-1', 'web-2']],
    ['!tier', ['db-1']],
  ])('lists pods matching the label selector %s', async (selector, expected) => {
    const { body } = await call(
      'GET',
      `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`,
    );

    expect(names(body)).toEqual(expected);
  });

  it('lists pods on a node by the spec.nodeName field selector, across namespaces', async () => {
    const { body } = await call('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a');

    expect(body.kind).toBe('PodList');
    expect(names(body)).toEqual(['db-1', 'web-1']);
    expect(body.items[0]).not.toHaveProperty('kind');
  });

  it('refuses a field selector the API server does not support', async () => {
    const { status, body } = await call('GET', '/api/v1/pods?fieldSelector=spec.hostNetwork%3Dtrue');

    expect(status).toBe(400);
    expect(body.message).toBe('field label not supported: spec.hostNetwork');
  });

  it('pages a list with limit and continue', async () => {
    const first = await call('GET', '/api/v1/namespaces/default/pods?limit=2');
    const second = await call(
      'GET',
      `/api/v1/namespaces/default/pods?limit=2&continue=${first.body.metadata.continue}`,
    );

    expect(names(first.body)).toEqual(['db-1', 'web-1']);
    expect(names(second.body)).toEqual(['web-2']);
    expect(second.body.metadata.continue).toBeUndefined();
  });

  it('serves discovery for exactly the resources it implements', async () => {
    const groups = await call('GET', '/apis');
    const core = await call('GET', '/api/v1');

    expect(groups.body.groups.map((g: { name: string }) => g.name)).toEqual([
      'networking.k8s.io',
      'rbac.authorization.k8s.io',
      'apps',
      'batch',
      'policy',
    ]);
    expect(core.body.resources.map((r: { name: string }) => r.name)).toContain('pods/log');
    expect((await call('GET', '/apis/cert-manager.io/v1')).status).toBe(404);
  });
});

describe('Kubernetes API double: writes', () => {
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };

  it('creates an object once and answers 409 AlreadyExists the second time', async () => {
    const path = '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies';
    const first = await call('POST', path, policy);
    const second = await call('POST', path, policy);

    expect(first.status).toBe(201);
    expect(first.body.metadata).toMatchObject({ name: 'deny', namespace: 'default', generation: 1 });
    expect(second).toMatchObject({ status: 409, body: { reason: 'AlreadyExists' } });
  });

  it('refuses to create in a namespace that does not exist', async () => {
    const { status, body } = await call(
      'POST',
      '/apis/networking.k8s.io/v1/namespaces/gone/networkpolicies',
      policy,
    );

    expect(status).toBe(404);
    expect(body.message).toBe('namespaces "gone" not found');
  });

  it('merges a strategic merge patch and bumps the resourceVersion', async () => {
    const before = await call('GET', '/api/v1/namespaces/default/pods/web-1');
    const { status, body } = await call(
      'PATCH',
      '/api/v1/namespaces/default/pods/web-1',
      { metadata: { labels: { quarantine: 'q1', tier: null } } },
      'application/strategic-merge-patch+json',
    );

    expect(status).toBe(200);
    expect(body.metadata.labels).toEqual({ app: 'web', quarantine: 'q1' });
    expect(Number(body.metadata.resourceVersion)).toBeGreaterThan(
      Number(before.body.metadata.resourceVersion),
    );
  });

  it('merges containers by name in a strategic merge patch and replaces them in a merge patch', async () => {
    const path = '/api/v1/namespaces/default/pods/web-1';
    const strategic = await call(
      'PATCH',
      path,
      { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      'application/strategic-merge-patch+json',
    );
    const merge = await call(
      'PATCH',
      path,
      { spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } },
      'application/merge-patch+json',
    );

    expect(strategic.body.spec.containers[0]).toMatchObject({
      name: 'nginx',
      image: 'nginx:1.27',
      imagePullPolicy: 'Always',
    });
    expect(merge.body.spec.containers).toEqual([{ name: 'nginx', image: 'nginx:1.28' }]);
  });

  it('applies a JSON patch, and answers 422 when its test operation fails', async () => {
    const path = '/api/v1/namespaces/default/pods/web-1';
    const applied = await call(
      'PATCH',
      path,
      [
        { op: 'test', path: '/metadata/labels/app', value: 'web' },
        { op: 'add', path: '/metadata/labels/kubeguard.io~1quarantine', value: 'q1' },
        { op: 'remove', path: '/metadata/labels/tier' },
      ],
      'application/json-patch+json',
    );
    const failed = await call(
      'PATCH',
      path,
      [{ op: 'test', path: '/metadata/labels/app', value: 'db' }],
      'application/json-patch+json',
    );

    expect(applied.body.metadata.labels).toEqual({ app: 'web', 'kubeguard.io/quarantine': 'q1' });
    expect(failed).toMatchObject({ status: 422, body: { reason: 'Invalid' } });
  });

  it('answers 415 to a patch in any other content type', async () => {
    const { status, body } = await call(
      'PATCH',
      '/api/v1/namespaces/default/pods/web-1',
      { metadata: {} },
      'application/json',
    );

    expect(status).toBe(415);
    expect(body.reason).toBe('UnsupportedMediaType');
  });

  it('answers 409 Conflict to a patch carrying a stale resourceVersion', async () => {
    const path = '/api/v1/namespaces/default/pods/web-1';
    const stale = (await call('GET', path)).body.metadata.resourceVersion;
    await call('PATCH', path, { metadata: { labels: { a: '1' } } }, 'application/merge-patch+json');

    const { status, body } = await call(
      'PATCH',
      path,
      { metadata: { resourceVersion: stale, labels: { b: '2' } } },
      'application/merge-patch+json',
    );

    expect(status).toBe(409);
    expect(body.reason).toBe('Conflict');
    expect(api.object('pods', 'default', 'web-1')?.metadata).not.toHaveProperty('labels.b');
  });

  it('answers 422 to a patch naming another metadata.uid, which is immutable', async () => {
    const path = '/api/v1/namespaces/default/pods/web-1';
    const uid = (await call('GET', path)).body.metadata.uid;

    const other = await call(
      'PATCH',
      path,
      { metadata: { uid: 'uid-of-a-deleted-pod', labels: { b: '2' } } },
      'application/strategic-merge-patch+json',
    );
    const same = await call(
      'PATCH',
      path,
      { metadata: { uid, labels: { c: '3' } } },
      'application/merge-patch+json',
    );

    expect(other).toMatchObject({
      status: 422,
      body: {
        reason: 'Invalid',
        message:
          'Pod "web-1" is invalid: metadata.uid: Invalid value: "uid-of-a-deleted-pod": field is immutable',
      },
    });
    expect(same.status).toBe(200);
    expect(api.object('pods', 'default', 'web-1')?.metadata).toMatchObject({ uid, labels: { c: '3' } });
  });

  it('deletes an object, after which it is not found', async () => {
    const deleted = await call('DELETE', '/api/v1/namespaces/default/pods/db-1');
    const after = await call('GET', '/api/v1/namespaces/default/pods/db-1');

    expect(deleted.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'db-1' } });
    expect(after.status).toBe(404);
  });

  it('refuses a delete whose uid precondition does not hold', async () => {
    const { status } = await call('DELETE', '/api/v1/namespaces/default/pods/db-1', {
      preconditions: { uid: 'someone-else' },
    });

    expect(status).toBe(409);
    expect(api.object('pods', 'default', 'db-1')).toBeDefined();
  });

  it('answers 403 for a forbidden (verb, resource) pair and records the request', async () => {
    api.forbid({ verb: 'create', resource: 'networkpolicies' });

    const { status, body } = await call(
      'POST',
      '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies',
      policy,
    );

    expect(status).toBe(403);
    expect(body.message).toBe(
      'networkpolicies is forbidden: User "kubeguard" cannot create resource "networkpolicies" in API group "networking.k8s.io" in the namespace "default"',
    );
    expect(api.writes()).toMatchObject([{ verb: 'create', resource: 'networkpolicies', status: 403 }]);
  });
});

describe('Kubernetes API double: a role with exact rules', () => {
  it('answers 403 to every verb and resource outside allowOnly, subresources included', async () => {
    api.allowOnly([
      { verb: 'get', resource: 'pods' },
      { verb: 'get', resource: 'pods/log' },
    ]);

    const get = await call('GET', '/api/v1/namespaces/default/pods/web-1');
    const log = await call('GET', '/api/v1/namespaces/default/pods/web-1/log?container=nginx');
    const list = await call('GET', '/api/v1/namespaces/default/pods');
    const patch = await call(
      'PATCH',
      '/api/v1/namespaces/default/pods/web-1',
      {},
      'application/merge-patch+json',
    );

    expect([get.status, log.status, list.status, patch.status]).toEqual([200, 200, 403, 403]);
  });
});

describe('Kubernetes API double: pod logs', () => {
  it('returns the current and the previous log of a container', async () => {
    api.setLog('default', 'web-1', 'nginx', 'now\n');
    api.setLog('default', 'web-1', 'nginx', 'before the restart\n', { previous: true });

    const current = await call('GET', '/api/v1/namespaces/default/pods/web-1/log?container=nginx');
    const previous = await call(
      'GET',
      '/api/v1/namespaces/default/pods/web-1/log?container=nginx&previous=true',
    );

    expect(current).toEqual({ status: 200, body: 'now\n' });
    expect(previous).toEqual({ status: 200, body: 'before the restart\n' });
  });

  it('answers 400 when there is no previous container, as the kubelet does', async () => {
    const { status, body } = await call(
      'GET',
      '/api/v1/namespaces/default/pods/web-1/log?container=nginx&previous=true',
    );

    expect(status).toBe(400);
    expect(body.message).toBe('previous terminated container "nginx" in pod "web-1" not found');
  });

  it('answers 403 on pods/log when that subresource is forbidden', async () => {
    api.forbid({ verb: 'get', resource: 'pods/log' });

    const { status } = await call('GET', '/api/v1/namespaces/default/pods/web-1/log?container=nginx');

    expect(status).toBe(403);
  });
});

describe('Kubernetes API double: through client-node', () => {
  function client(token?: string): CoreV1Api {
    const config = new KubeConfig();
    config.loadFromOptions(api.kubeConfigOptions(token));
    return config.makeApiClient(CoreV1Api);
  }

  it('serves client-node reads and sends its bearer token', async () => {
    const pod = await client('t0ken').readNamespacedPod({ name: 'web-1', namespace: 'default' });

    expect(pod.metadata?.labels).toEqual({ app: 'web', tier: 'front' });
    expect(api.requests.at(-1)?.authorization).toBe('Bearer t0ken');
  });

  it('sees the strategic merge content type client-node sends when told to', async () => {
    await client().patchNamespacedPod(
      { name: 'web-1', namespace: 'default', body: { metadata: { labels: { x: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );

    expect(api.requests.at(-1)).toMatchObject({
      verb: 'patch',
      contentType: 'application/strategic-merge-patch+json',
      body: { metadata: { labels: { x: 'y' } } },
      status: 200,
    });
  });

  it('rejects with 401 a token other than the configured one', async () => {
    const guarded = await new KubeApiDouble({ token: 'right', objects: [NAMESPACE] }).start();
    const config = new KubeConfig();
    config.loadFromOptions(guarded.kubeConfigOptions('wrong'));

    await expect(config.makeApiClient(CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 401 });
    await guarded.stop();
  });
});
