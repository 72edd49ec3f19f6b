import { describe, expect, it } from 'vitest';
import {
  captureForensics,
  containerNames,
  LOG_LIMIT_BYTES,
  mountedNames,
  sha256Hex,
  verifyBundle,
  withoutEnvValues,
} from '#core/remediation/forensics.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import type { EvidenceBundle } from '#core/remediation/ports.ts';
import { InMemoryKube } from '#test/support/in-memory-kube.ts';
import { fixturePod, SUSPECT, shopCluster } from '#test/support/remediation-cluster.ts';

/** The forensic bundle: what it names, what it hashes, what it never reads. */

const CAPTURE = {
  namespace: 'shop',
  pod: SUSPECT,
  bundleId: 'pods/shop/x/1-q1',
  capturedAt: '2024-05-01T10:00:00Z',
  capturedBy: 'u',
};

function podWithSpec(spec: object): KubeObject {
  return { ...fixturePod('p', 'shop'), spec };
}

describe('names of Secrets and ConfigMaps a pod uses', () => {
  it('covers projected volumes, env, envFrom, ephemeral containers and image pull secrets, by name and key only', () => {
    const pod = podWithSpec({
      volumes: [
        {
          name: 'bundle',
          projected: { sources: [{ secret: { name: 's-proj' } }, { configMap: { name: 'c-proj' } }] },
        },
      ],
      ephemeralContainers: [{ name: 'debugger', envFrom: [{ secretRef: { name: 's-debug' } }] }],
      containers: [
        {
          name: 'app',
          env: [{ name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'c-env', key: 'level' } } }],
        },
      ],
      imagePullSecrets: [{ name: 'registry' }],
    });

    expect(mountedNames(pod)).toEqual({
      secrets: [
        { name: 's-proj', usedBy: ['projected volume bundle'] },
        { name: 's-debug', usedBy: ['envFrom of container debugger'] },
        { name: 'registry', usedBy: ['imagePullSecrets'] },
      ],
      configMaps: [
        { name: 'c-proj', usedBy: ['projected volume bundle'] },
        { name: 'c-env', usedBy: ['env LEVEL of container app (key level)'] },
      ],
    });
  });

  it('lists init, regular and ephemeral containers for logs', () => {
    const pod = podWithSpec({
      initContainers: [{ name: 'init' }],
      containers: [{ name: 'app' }],
      ephemeralContainers: [{ name: 'debug' }],
    });

    expect(containerNames(pod)).toEqual(['init', 'app', 'debug']);
  });
});

describe('forensic capture', () => {
  it('records what it could not read and why, and still captures the rest', async () => {
    const kube = new InMemoryKube(shopCluster());
    kube.fail('get Node', 403, 'Forbidden');
    kube.fail('list RoleBinding', 403, 'Forbidden');

    const bundle = await captureForensics(CAPTURE, kube);

    expect(bundle.manifest.missing).toEqual(
      expect.arrayContaining([
        { item: 'node.json', reason: 'FORBIDDEN: get Node refused (HTTP 403 Forbidden)' },
        { item: 'rbac.json', reason: 'FORBIDDEN: list RoleBinding refused (HTTP 403 Forbidden)' },
      ]),
    );
    expect(bundle.files.map((f) => f.path)).toContain('pod.json');
  });

  it('fails when the pod itself cannot be read: there is no evidence without it', async () => {
    const kube = new InMemoryKube(shopCluster());

    await expect(captureForensics({ ...CAPTURE, pod: 'gone' }, kube)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('keeps the last bytes of an oversized log and says it was cut', async () => {
    const kube = new InMemoryKube(shopCluster());
    kube.setLog(
      { namespace: 'shop', pod: SUSPECT, container: 'nginx', previous: false },
      `${'a'.repeat(LOG_LIMIT_BYTES)}tail`,
    );

    const bundle = await captureForensics(CAPTURE, kube);
    const log = bundle.files.find((f) => f.path === 'logs/nginx.log')?.content ?? '';

    expect(log.startsWith(`[kubeguard: log cut to its last ${LOG_LIMIT_BYTES} bytes]\n`)).toBe(true);
    expect(log.endsWith('tail')).toBe(true);
  });

  it('never reads a Secret or ConfigMap', async () => {
    const kube = new InMemoryKube(shopCluster());
    kube.fail('get Secret', 500, 'must not be called');
    kube.fail('list Secret', 500, 'must not be called');
    kube.fail('get ConfigMap', 500, 'must not be called');

    const bundle = await captureForensics(CAPTURE, kube);

    expect(bundle.files.some((f) => f.content.includes('hunter2'))).toBe(false);
    expect(bundle.manifest.missing.filter((m) => m.reason.includes('must not be called'))).toEqual([]);
  });
});

describe('no secret values in the forensic bundle', () => {
  /** A value kubeguard generated for a secret, then pasted into a manifest by hand. */
  const GENERATED = 'Zq8vN3kPw7RtY2mXc5LbH9sJd4FgA6eU';
  const ECHOES = [GENERATED, GENERATED.slice(0, 12), Buffer.from(GENERATED).toString('base64')];
  const hashed = `sha256:${sha256Hex(GENERATED)}`;

  /** The shop cluster with the value inline in the pod, its ReplicaSet's template and kubectl's record. */
  function clusterWithInlineValue(): InMemoryKube {
    const inline = (container: Record<string, unknown>) => ({
      ...container,
      env: [
        { name: 'DB_PASSWORD', value: GENERATED },
        { name: 'DB_HOST', valueFrom: { configMapKeyRef: { name: 'web-env', key: 'host' } } },
      ],
    });
    return new InMemoryKube(
      shopCluster().map((object) => {
        if (object.metadata.name === SUSPECT) {
          const spec = object.spec as { containers: Record<string, unknown>[] };
          const applied = JSON.stringify({ kind: 'Pod', spec: { containers: spec.containers.map(inline) } });
          return {
            ...object,
            metadata: {
              ...object.metadata,
              annotations: { 'kubectl.kubernetes.io/last-applied-configuration': applied },
            },
            spec: { ...spec, containers: spec.containers.map(inline) },
          };
        }
        if (object.kind === 'ReplicaSet') {
          return {
            ...object,
            spec: {
              ...(object.spec as object),
              template: { spec: { containers: [inline({ name: 'nginx', image: 'nginx' })] } },
            },
          };
        }
        return object;
      }),
    );
  }

  function file(bundle: EvidenceBundle, path: string): string {
    return bundle.files.find((f) => f.path === path)?.content ?? '';
  }

  it('keeps env[].value as its SHA-256 in pod.json, owners.json and the last-applied configuration', async () => {
    const bundle = await captureForensics(CAPTURE, clusterWithInlineValue());

    const pod = JSON.parse(file(bundle, 'pod.json'));
    expect(pod.spec.containers[0].env).toEqual([
      { name: 'DB_PASSWORD', value: hashed },
      { name: 'DB_HOST', valueFrom: { configMapKeyRef: { name: 'web-env', key: 'host' } } },
    ]);
    const applied = JSON.parse(pod.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    expect(applied.spec.containers[0].env[0]).toEqual({ name: 'DB_PASSWORD', value: hashed });
    const [replicaSet] = JSON.parse(file(bundle, 'owners.json')).owners;
    expect(replicaSet.spec.template.spec.containers[0].env[0]).toEqual({
      name: 'DB_PASSWORD',
      value: hashed,
    });
  });

  it.each(ECHOES.map((echo, i) => [['the value', 'its first 12 characters', 'its base64'][i], echo]))(
    'lets %s appear nowhere in the bundle or its manifest',
    async (_what, echo) => {
      const bundle = await captureForensics(CAPTURE, clusterWithInlineValue());

      expect(JSON.stringify(bundle)).not.toContain(echo);
    },
  );

  it('hashes a last-applied configuration that is not JSON as a whole', () => {
    const annotation = `not json ${GENERATED}`;

    expect(
      withoutEnvValues({
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': annotation } },
      }),
    ).toEqual({
      metadata: {
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': `sha256:${sha256Hex(annotation)}`,
        },
      },
    });
  });
});

describe('forensic capture of the planned pod only', () => {
  it('refuses a pod recreated under the same name since the plan', async () => {
    await expect(
      captureForensics({ ...CAPTURE, uid: 'uid-of-the-planned-pod' }, new InMemoryKube(shopCluster())),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'replaced',
      message: `Pod shop/${SUSPECT} was replaced after the plan (uid uid-of-the-planned-pod → b1f0c6a2-5d1e-4c3b-9a8e-0f1e2d3c4b5a); nothing was captured or written: plan the action again to act on the pod that exists now`,
    });
  });
});

describe('bundle verification before storing', () => {
  const bundle: EvidenceBundle = {
    id: 'pods/shop/web/1-q1',
    files: [{ path: 'pod.json', content: '{}\n', contentType: 'application/json' }],
    manifest: {
      bundleId: 'pods/shop/web/1-q1',
      target: { kind: 'Pod', namespace: 'shop', name: 'web' },
      capturedAt: '2024-05-01T10:00:00Z',
      capturedBy: 'u',
      files: [{ path: 'pod.json', sha256: sha256Hex('{}\n'), bytes: 3 }],
      missing: [],
    },
  };

  it('accepts a bundle whose manifest hashes match its files', () => {
    expect(() => verifyBundle(bundle)).not.toThrow();
  });

  it('refuses a file whose content differs from its manifest hash', () => {
    const tampered = { ...bundle, files: [{ ...bundle.files[0], content: '{"x":1}\n' }] } as EvidenceBundle;

    expect(() => verifyBundle(tampered)).toThrow(/content differs: pod\.json/);
  });

  it.each(['../escape', '/abs', 'a//b', 'logs/./x'])('refuses the path %s', (path) => {
    const unsafe = { ...bundle, files: [{ ...bundle.files[0], path }] } as EvidenceBundle;

    expect(() => verifyBundle(unsafe)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
