import { describe, expect, it } from 'vitest';
import {
  captureForensics,
  containerNames,
  LOG_LIMIT_BYTES,
  mountedNames,
  sha256Hex,
  verifyBundle,
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
