import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { collectClusterSnapshot } from '#adapters/kubernetes/snapshot-collector.ts';
import { parseManifests } from '#core/manifests/load.ts';
import { kp110 } from '#core/posture/checks/kp-110-image-signature-verification.ts';
import { runCheck } from '#core/posture/engine.ts';
import type { ClusterSnapshot } from '#core/posture/snapshot.ts';
import { readFixtureText } from '#test/support/fixtures.ts';
import { type JsonObject, KubeApiDouble, type ResourceType } from '#test/support/kube-api-double.ts';

/**
 * The collection of `admissionpolicies` for KP-110 against the Kubernetes API double: Kyverno,
 * Gatekeeper and Ratify kinds served as custom resources (or not installed: 404), the policies of
 * test/fixtures/kubernetes/signature-policies as the API returns them.
 */
const custom = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced = false,
): ResourceType => ({
  group,
  version,
  resource,
  kind,
  namespaced,
  custom: true,
});

const KYVERNO = [
  custom('kyverno.io', 'v1', 'clusterpolicies', 'ClusterPolicy'),
  custom('kyverno.io', 'v1', 'policies', 'Policy', true),
];
const GATEKEEPER_RATIFY = [
  custom('templates.gatekeeper.sh', 'v1', 'constrainttemplates', 'ConstraintTemplate'),
  custom('constraints.gatekeeper.sh', 'v1beta1', 'ratifyverification', 'RatifyVerification'),
  custom('config.ratify.deislabs.io', 'v1beta1', 'verifiers', 'Verifier'),
  custom('config.ratify.deislabs.io', 'v1beta1', 'namespacedverifiers', 'NamespacedVerifier', true),
];

function fixture(name: string, apiVersion?: string): JsonObject[] {
  return parseManifests(readFixtureText(`kubernetes/signature-policies/${name}`), name).objects.map(
    (loaded) => {
      const object = structuredClone(loaded.object) as JsonObject;
      // The API server answers at the version listed (templates.gatekeeper.sh/v1 for the v1beta1 sample).
      return apiVersion === undefined ? object : { ...object, apiVersion };
    },
  );
}

const WORKLOADS: JsonObject[] = ['default', 'shop'].flatMap((namespace) => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx' }] },
      },
    },
  },
]);

let api: KubeApiDouble | undefined;

async function collect(
  resources: ResourceType[],
  objects: JsonObject[],
  forbid?: string,
): Promise<ClusterSnapshot> {
  api = await new KubeApiDouble({ extraResources: resources, objects: [...WORKLOADS, ...objects] }).start();
  if (forbid !== undefined) api.forbid({ verb: 'list', resource: forbid });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions(api.kubeConfigOptions());
  return collectClusterSnapshot({
    kubeConfig,
    name: 'loopback',
    clock: () => '2026-12-03T06:00:00.000Z',
    readKubeletConfig: false,
  });
}

afterEach(async () => {
  await api?.stop();
  api = undefined;
});

describe('admission policies in the cluster snapshot (KP-110)', () => {
  it('reads Kyverno ClusterPolicies with their kind and apiVersion, and KP-110 evaluates them', async () => {
    const snapshot = await collect(KYVERNO, fixture('kyverno-verify-image-background-audit.yaml'));

    expect(snapshot.unavailable.admissionpolicies).toBeUndefined();
    expect(
      snapshot.objects.filter((o) => o.kind === 'ClusterPolicy').map((o) => [o.apiVersion, o.metadata.name]),
    ).toEqual([['kyverno.io/v1', 'keyed-basic-policy']]);
    expect(runCheck(kp110, snapshot)[0]?.message).toBe(
      'no admission policy enforces image signature verification (ClusterPolicy "keyed-basic-policy": failureAction is Audit); workloads run unverified in 2 namespaces: default, shop',
    );
  });

  it('reads the Gatekeeper templates, the constraints of the ones calling Ratify, and Ratify verifiers', async () => {
    const snapshot = await collect(GATEKEEPER_RATIFY, [
      ...fixture('ratify-template.yaml', 'templates.gatekeeper.sh/v1'),
      ...fixture('ratify-constraint.yaml'),
      ...fixture('ratify-verifiers-aws-signer.yaml'),
    ]);

    expect(snapshot.unavailable.admissionpolicies).toBeUndefined();
    expect(
      snapshot.objects
        .filter((o) => ['ConstraintTemplate', 'RatifyVerification', 'Verifier'].includes(o.kind))
        .map((o) => o.kind)
        .sort(),
    ).toEqual(['ConstraintTemplate', 'RatifyVerification', 'Verifier', 'Verifier']);
    expect(runCheck(kp110, snapshot)[0]?.message).toBe(
      '1 of 2 namespaces that run workloads is not covered by an enforcing signature policy: shop (enforcing: RatifyVerification "ratify-constraint" (Ratify via Gatekeeper, verifier notation with AWS Signer))',
    );
  });

  it('reads no policy engine installed (404 on every kind) as none, not as unavailable', async () => {
    const snapshot = await collect([], []);

    expect(snapshot.unavailable.admissionpolicies).toBeUndefined();
    expect(runCheck(kp110, snapshot)[0]?.message).toBe(
      'no admission policy verifies image signatures (Kyverno verifyImages, Ratify with Gatekeeper); workloads run unverified in 2 namespaces: default, shop',
    );
  });

  it('marks admissionpolicies unavailable with the reason when a kind may not be listed, and KP-110 is skipped', async () => {
    const snapshot = await collect(
      KYVERNO,
      fixture('kyverno-keyed-basic-namespace-selector.yaml'),
      'clusterpolicies',
    );

    expect(snapshot.unavailable.admissionpolicies).toBe('no permission to list clusterpolicies.kyverno.io');
    expect(runCheck(kp110, snapshot)[0]?.message).toBe(
      'skipped: admissionpolicies unavailable: no permission to list clusterpolicies.kyverno.io',
    );
  });
});
