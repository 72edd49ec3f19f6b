import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeClient } from '#adapters/kubernetes/client.ts';
import type { KubeguardError } from '#core/errors.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import type { KubeClient } from '#core/remediation/ports.ts';
import { loadFixture } from '#test/support/fixtures.ts';
import { KubeApiDouble } from '#test/support/kube-api-double.ts';

/** A real Pod as the API server returned it, renamed and relabelled. */
function pod(name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  const object = loadFixture<{ responseObject: KubeObject }>(
    'eks-audit-privileged-pod-create.json',
  ).responseObject;
  object.metadata = { ...object.metadata, name, labels };
  return { ...object, ...extra };
}

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } };

const ALLOW_FROM_FRONTEND = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-frontend', namespace: 'default' },
  spec: {
    podSelector: { matchLabels: { app: 'nginx' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }] }],
  },
};

let api: KubeApiDouble;
let client: KubeClient;

function kubeConfig(token = 'client-test'): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions(api.kubeConfigOptions(token));
  return config;
}

async function failure(promise: Promise<unknown>): Promise<KubeguardError> {
  return promise.then(
    () => expect.unreachable('the call succeeded'),
    (error: KubeguardError) => error,
  );
}

beforeEach(async () => {
  api = await new KubeApiDouble({
    objects: [
      NAMESPACE,
      pod('web-1', { app: 'nginx' }, { futureField: { addedIn: 'v1.99' } }),
      pod('web-2', { app: 'nginx' }),
      pod('web-3', { app: 'other' }),
      ALLOW_FROM_FRONTEND,
    ],
  }).start();
  client = createKubeClient({ kubeConfig: kubeConfig(), pageSize: 2 });
});

afterEach(async () => {
  await api.stop();
});

describe('Kubernetes client: reads', () => {
  it('returns objects exactly as the API sent them, fields unknown to client-node included', async () => {
    const read = await client.get({ kind: 'Pod', namespace: 'default', name: 'web-1' });

    expect(read).toEqual(api.object('pods', 'default', 'web-1'));
    expect(read.futureField).toEqual({ addedIn: 'v1.99' });
  });

  it('keeps `from` in NetworkPolicy ingress rules (client-node models rename it `_from`)', async () => {
    const [policy] = await client.list({ kind: 'NetworkPolicy', namespace: 'default' });

    expect(policy?.spec).toEqual(ALLOW_FROM_FRONTEND.spec);
  });

  it('follows continue tokens and puts kind and apiVersion back on list items', async () => {
    const pods = await client.list({ kind: 'Pod', namespace: 'default' });

    expect(pods.map((p) => p.metadata.name)).toEqual(['web-1', 'web-2', 'web-3']);
    expect(pods.every((p) => p.kind === 'Pod' && p.apiVersion === 'v1')).toBe(true);
    expect(api.requests.filter((r) => r.verb === 'list').map((r) => r.query.limit)).toEqual(['2', '2']);
  });

  it('sends label and field selectors', async () => {
    const pods = await client.list({
      kind: 'Pod',
      labelSelector: 'app in (nginx),app!=other',
      fieldSelector: 'metadata.name!=web-2',
    });

    expect(pods.map((p) => p.metadata.name)).toEqual(['web-1']);
    expect(api.requests.at(-1)?.path).toBe('/api/v1/pods');
  });

  it('reads the current and the previous log of a container', async () => {
    api.setLog('default', 'web-1', 'nginx', 'GET / 200\n');
    api.setLog('default', 'web-1', 'nginx', 'crashed\n', { previous: true });

    const current = await client.podLog({
      namespace: 'default',
      pod: 'web-1',
      container: 'nginx',
      previous: false,
    });
    const previous = await client.podLog({
      namespace: 'default',
      pod: 'web-1',
      container: 'nginx',
      previous: true,
    });

    expect([current, previous]).toEqual(['GET / 200\n', 'crashed\n']);
  });

  it('fails with INVALID_ARGUMENT (400) when a container has no previous instance', async () => {
    const error = await failure(
      client.podLog({ namespace: 'default', pod: 'web-2', container: 'nginx', previous: true }),
    );

    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatchObject({ status: 400, reason: 'BadRequest' });
  });
});

describe('Kubernetes client: writes', () => {
  it.each([
    ['strategic-merge', 'application/strategic-merge-patch+json', { metadata: { labels: { q: '1' } } }],
    ['merge', 'application/merge-patch+json', { metadata: { labels: { q: '1' } } }],
    ['json', 'application/json-patch+json', [{ op: 'add', path: '/metadata/labels/q', value: '1' }]],
  ] as const)(
    'sends a %s patch with Content-Type %s and the body as given',
    async (type, contentType, body) => {
      const patched = await client.patch(
        { kind: 'Pod', namespace: 'default', name: 'web-2' },
        { type, body },
      );

      expect(patched.metadata.labels).toEqual({ app: 'nginx', q: '1' });
      expect(api.requests.at(-1)).toMatchObject({
        verb: 'patch',
        contentType,
        body,
        query: { fieldManager: 'kubeguard' },
      });
    },
  );

  it('patches a node, which is cluster-scoped', async () => {
    api.seed({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'ip-10-0-1-2' }, spec: {} });

    const node = await client.patch(
      { kind: 'Node', name: 'ip-10-0-1-2' },
      { type: 'strategic-merge', body: { spec: { unschedulable: true } } },
    );

    expect(node.spec).toEqual({ unschedulable: true });
    expect(api.requests.at(-1)?.path).toBe('/api/v1/nodes/ip-10-0-1-2');
  });

  it('creates an object by sending its JSON unchanged', async () => {
    const policy = { ...ALLOW_FROM_FRONTEND, metadata: { name: 'copy', namespace: 'default' } };

    const created = await client.create(policy);

    expect(api.requests.at(-1)).toMatchObject({
      verb: 'create',
      resource: 'networkpolicies',
      body: policy,
      status: 201,
    });
    expect(created.metadata.uid).toBeDefined();
  });

  it('deletes with preconditions and reports a failed precondition as CONFLICT', async () => {
    const error = await failure(
      client.delete(
        { kind: 'NetworkPolicy', namespace: 'default', name: 'allow-frontend' },
        { uid: 'not-this-one' },
      ),
    );
    const uid = api.object('networkpolicies', 'default', 'allow-frontend')?.metadata as { uid: string };
    await client.delete(
      { kind: 'NetworkPolicy', namespace: 'default', name: 'allow-frontend' },
      { uid: uid.uid },
    );

    expect(error).toMatchObject({ code: 'CONFLICT', details: { status: 409, reason: 'Conflict' } });
    expect(api.object('networkpolicies', 'default', 'allow-frontend')).toBeUndefined();
  });

  it('refuses kinds it does not write, before any request', async () => {
    const error = await failure(client.delete({ kind: 'Pod', namespace: 'default', name: 'web-1' }));

    expect(error.code).toBe('UNSUPPORTED');
    expect(api.writes()).toEqual([]);
  });
});

describe('Kubernetes client: errors', () => {
  it('maps 404 to NOT_FOUND with the status and reason', async () => {
    const error = await failure(client.get({ kind: 'Pod', namespace: 'default', name: 'gone' }));

    expect(error).toMatchObject({ code: 'NOT_FOUND', details: { status: 404, reason: 'NotFound' } });
    expect(error.message).toContain('pods "gone" not found');
  });

  it('maps 403 to FORBIDDEN and names the verb and resource the ClusterRole lacks', async () => {
    api.forbid({ verb: 'create', resource: 'networkpolicies' });

    const error = await failure(
      client.create({ ...ALLOW_FROM_FRONTEND, metadata: { name: 'x', namespace: 'default' } }),
    );

    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { status: 403, reason: 'Forbidden' } });
    expect(error.message).toContain('needs "create" on networkpolicies');
  });

  it('maps 409 AlreadyExists and a stale resourceVersion to CONFLICT', async () => {
    const exists = await failure(client.create(ALLOW_FROM_FRONTEND));
    const stale = await failure(
      client.patch(
        { kind: 'Pod', namespace: 'default', name: 'web-1' },
        { type: 'merge', body: { metadata: { resourceVersion: '1', labels: { x: 'y' } } } },
      ),
    );

    expect(exists.details).toMatchObject({ status: 409, reason: 'AlreadyExists' });
    expect(stale).toMatchObject({ code: 'CONFLICT', details: { status: 409, reason: 'Conflict' } });
  });

  it('maps a failed JSON patch test to INVALID_ARGUMENT (422)', async () => {
    const error = await failure(
      client.patch(
        { kind: 'Pod', namespace: 'default', name: 'web-1' },
        { type: 'json', body: [{ op: 'test', path: '/metadata/labels/app', value: 'changed' }] },
      ),
    );

    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { status: 422, reason: 'Invalid' } });
  });

  it('reports an unreachable API server as UPSTREAM', async () => {
    const config = new KubeConfig();
    config.loadFromOptions({
      ...api.kubeConfigOptions(),
      clusters: [{ name: 'double', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    });

    const error = await failure(createKubeClient({ kubeConfig: config }).get({ kind: 'Node', name: 'n' }));

    expect(error.code).toBe('UPSTREAM');
    expect(error.message).toContain('cannot reach the Kubernetes API at http://127.0.0.1:1');
  });
});

describe('Kubernetes client: credentials', () => {
  it('asks the KubeConfig source before every request, so a renewed token is used', async () => {
    const tokens = ['first', 'second'];
    const renewing = createKubeClient({ kubeConfig: () => kubeConfig(tokens.shift() ?? 'later') });

    await renewing.get({ kind: 'Pod', namespace: 'default', name: 'web-1' });
    await renewing.get({ kind: 'Pod', namespace: 'default', name: 'web-1' });

    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer first', 'Bearer second']);
  });
});
