import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectClusterSnapshot } from '#adapters/kubernetes/snapshot-collector.ts';
import { parseManifests } from '#core/manifests/load.ts';
import type { KubeObject } from '#core/model/kube-object.ts';
import type { ClusterSnapshot } from '#core/posture/snapshot.ts';
import { referencedSecretIds } from '#core/secrets/references.ts';
import { loadFixture, readFixtureText } from '#test/support/fixtures.ts';
import {
  externalSecretsResources,
  KubeApiDouble,
  POSTURE_RESOURCES,
  type ResourceType,
} from '#test/support/kube-api-double.ts';
import type { JsonObject } from '#test/support/kube-api-semantics.ts';
import { secretConsumerObjects } from '#test/support/secret-consumer-objects.ts';

/**
 * The posture collector reads through the one Kubernetes adapter: objects arrive exactly as the
 * API server sent them (a NetworkPolicy ingress `from`, fields newer than client-node's models),
 * External Secrets Operator kinds are read in the version the cluster serves (here v1beta1 only,
 * as before ESO 0.17), ClusterExternalSecrets included, and a server that never answers ends in a
 * timeout per type instead of an audit that never returns.
 */

interface CorpusCase {
  id: string;
  policies: JsonObject[];
}

/** A NetworkPolicy of the public corpus whose only rule allows ingress `from` some pods. */
const POLICY = (JSON.parse(readFixtureText('corpus/netpol/public-cases.json')) as CorpusCase[])
  .find((c) => c.id === 'rcp-02-limit-to-app-label')
  ?.policies.find((p) => (p.metadata as { name: string }).name === 'api-allow') as JsonObject;
/** The same, with a field a later Kubernetes release could add, which client-node's models drop. */
const FUTURE_POLICY = {
  ...POLICY,
  metadata: { name: 'api-allow-future', namespace: 'default' },
  spec: { ...(POLICY.spec as object), futureField: { addedIn: 'v1.99' } },
};

/** A real Pod as the API server returned it, with a top-level field newer than the models. */
const POD: JsonObject = {
  ...loadFixture<{ responseObject: JsonObject }>('eks-audit-privileged-pod-create.json').responseObject,
  futureField: { addedIn: 'v1.99' },
};

/** A whole cluster's kinds, with External Secrets Operator serving v1beta1 only (before 0.17). */
const SERVED: ResourceType[] = [...POSTURE_RESOURCES, ...externalSecretsResources('v1beta1')];

/** ESO objects of the fixtures, as a v1beta1-only operator serves them, and a Secrets Manager store. */
function esoObjects(): JsonObject[] {
  const name = 'kubernetes/external-secrets/cluster-external-secret.yaml';
  const scenario = parseManifests(readFixtureText(name), name).objects.map(({ object }) => object);
  const store = {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ClusterSecretStore',
    metadata: { name: 'aws-secretsmanager' },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-west-2' } } },
  };
  return [...secretConsumerObjects(), ...scenario, store]
    .filter((o) =>
      ['ExternalSecret', 'ClusterExternalSecret', 'ClusterSecretStore', 'Namespace'].includes(String(o.kind)),
    )
    .map((o) =>
      String(o.apiVersion).startsWith('external-secrets.io/')
        ? { ...o, apiVersion: 'external-secrets.io/v1beta1' }
        : o,
    ) as unknown as JsonObject[];
}

function kubeConfigFor(server: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'double', server, skipTLSVerify: true }],
    users: [{ name: 'kubeguard', token: 'posture-test' }],
    contexts: [{ name: 'double', cluster: 'double', user: 'kubeguard' }],
    currentContext: 'double',
  });
  return config;
}

function named(snapshot: ClusterSnapshot, kind: string, name: string): KubeObject | undefined {
  return snapshot.objects.find((o) => o.kind === kind && o.metadata.name === name);
}

describe('posture collector through the Kubernetes API double', () => {
  const api = new KubeApiDouble({
    extraResources: SERVED,
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
      POLICY,
      FUTURE_POLICY,
      POD,
      ...esoObjects(),
    ],
  });
  let snapshot: ClusterSnapshot;

  beforeAll(async () => {
    await api.start();
    snapshot = await collectClusterSnapshot({
      kubeConfig: kubeConfigFor(api.url),
      name: 'double',
      clock: () => '2026-03-01T00:00:00.000Z',
      readKubeletConfig: false,
    });
  });

  afterAll(async () => {
    await api.stop();
  });

  it('keeps a NetworkPolicy ingress `from` peer as the API sent it', () => {
    expect(named(snapshot, 'NetworkPolicy', 'api-allow')?.spec).toEqual(POLICY.spec);
  });

  it('keeps fields client-node does not know, in the spec and at the top level', () => {
    expect(named(snapshot, 'NetworkPolicy', 'api-allow-future')?.spec).toEqual(FUTURE_POLICY.spec);
    expect(named(snapshot, 'Pod', String((POD.metadata as { name: string }).name))?.futureField).toEqual({
      addedIn: 'v1.99',
    });
  });

  it('reads External Secrets Operator kinds served as v1beta1 only, ClusterExternalSecrets included', () => {
    expect(snapshot.unavailable.externalsecrets).toBeUndefined();
    expect(
      snapshot.objects
        .filter((o) => o.apiVersion === 'external-secrets.io/v1beta1')
        .map((o) => `${o.kind} ${o.metadata.name}`)
        .sort(),
    ).toEqual([
      'ClusterExternalSecret payments-db',
      'ClusterSecretStore aws-secretsmanager',
      'ExternalSecret batch-settings',
      'ExternalSecret catalog-by-name',
      'ExternalSecret ledger',
      'ExternalSecret payments-api',
      'ExternalSecret payments-db',
      'ExternalSecret unrelated',
    ]);
  });

  it('finds the Secrets Manager secret the ClusterExternalSecret references, for the AWS-side checks', () => {
    const withoutChildren = snapshot.objects.filter((o) => o.kind !== 'ExternalSecret');
    expect(referencedSecretIds(withoutChildren)).toEqual(['MyTestSecret']);
  });

  it('marks nothing unavailable that the double serves', () => {
    const kubernetesSide = Object.entries(snapshot.unavailable).filter(
      ([type]) => !type.includes(':') || type === 'kubelet:config',
    );
    expect(kubernetesSide).toEqual([['kubelet:config', 'kubelet configuration not requested']]);
  });
});

describe('posture collector against an API server that never answers', () => {
  const silent: Server = createServer(() => {});
  let server: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    server = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('gives up on each type after the request timeout and says so', async () => {
    const snapshot = await collectClusterSnapshot({
      kubeConfig: kubeConfigFor(server),
      name: 'silent',
      clock: () => '2026-03-01T00:00:00.000Z',
      requestTimeoutMs: 100,
    });

    expect(snapshot.objects).toEqual([]);
    expect(snapshot.unavailable.pods).toBe(
      `listing pods failed: the Kubernetes API did not answer ${server}/api/v1/pods?limit=500 within 100 ms (to list Pod (list)); check that the server is reachable and healthy, or raise requestTimeoutMs`,
    );
    expect(snapshot.unavailable.configmaps).toMatch(
      /^reading kube-system\/aws-auth failed: the Kubernetes API did not answer/,
    );
  });
});
