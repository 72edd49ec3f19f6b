import { describe, expect, it } from 'vitest';
import { parseManifests } from '#core/manifests/load.ts';
import type { KubeObject } from '#core/model/kube-object.ts';
import { findSecretConsumers } from '#core/remediation/secret-consumers.ts';
import { clusterExternalSecretTargets } from '#core/secrets/external-secrets.ts';
import { referencedSecretIds } from '#core/secrets/references.ts';
import { readFixtureText } from '#test/support/fixtures.ts';
import { SCENARIO_SECRET } from '#test/support/secret-consumer-objects.ts';

/** test/fixtures/kubernetes/external-secrets/cluster-external-secret.yaml (see its README). */
function scenario(): KubeObject[] {
  const name = 'kubernetes/external-secrets/cluster-external-secret.yaml';
  const parsed = parseManifests(readFixtureText(name), name);
  if (parsed.errors.length > 0) throw new Error(`${name}: ${JSON.stringify(parsed.errors)}`);
  return parsed.objects.map(({ object }) => structuredClone(object) as KubeObject);
}

function only(kind: string, name: string, objects = scenario()): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
}

const CES = {
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterExternalSecret',
  namespace: '',
  name: 'payments-db',
};

describe('ClusterExternalSecret target namespaces', () => {
  it('ORs its provisioned namespaces and what its selectors select', () => {
    const objects = scenario();
    const namespaces = objects.filter((o) => o.kind === 'Namespace');

    expect(
      clusterExternalSecretTargets(only('ClusterExternalSecret', 'payments-db', objects), namespaces),
    ).toEqual({
      namespaces: ['payments', 'reporting'],
    });
  });

  it('selects namespaces by name through `namespaces` and every namespace with an empty selector', () => {
    const objects = scenario();
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    const ces = only('ClusterExternalSecret', 'payments-db', objects);
    const byName = {
      ...ces,
      spec: { ...(ces.spec as object), namespaceSelectors: [], namespaces: ['sandbox'] },
    };
    const everything = { ...ces, spec: { ...(ces.spec as object), namespaceSelectors: [{}] } };
    const nothing = { ...ces, spec: { ...(ces.spec as object), namespaceSelectors: [null] }, status: {} };

    expect(clusterExternalSecretTargets(byName, namespaces).namespaces).toEqual(['payments', 'sandbox']);
    expect(clusterExternalSecretTargets(everything, namespaces).namespaces).toEqual([
      'payments',
      'reporting',
      'sandbox',
    ]);
    expect(clusterExternalSecretTargets(nothing, namespaces).namespaces).toEqual([]);
  });

  it('says its selectors were not evaluated when namespaces were not listed', () => {
    expect(clusterExternalSecretTargets(only('ClusterExternalSecret', 'payments-db'), undefined)).toEqual({
      namespaces: ['payments'],
      incomplete: 'its namespace selectors were not evaluated: namespaces were not listed',
    });
  });
});

describe('consumers of a secret fetched by a ClusterExternalSecret', () => {
  it('names the ClusterExternalSecret, its namespaces and the annotation that force-syncs them all', () => {
    expect(findSecretConsumers(SCENARIO_SECRET, scenario()).clusterExternalSecrets).toEqual([
      {
        ...CES,
        references: ['spec.externalSecretSpec.data[0].remoteRef.key'],
        externalSecretName: 'payments-db',
        namespaces: ['payments', 'reporting'],
        forceSyncAnnotation: 'external-secrets.io/force-sync',
      },
    ]);
  });

  it('finds the ExternalSecret it created and the one it will create, each managed by it', () => {
    const uses = findSecretConsumers(SCENARIO_SECRET, scenario()).externalSecrets;

    expect(uses).toEqual([
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        namespace: 'payments',
        name: 'payments-db',
        references: ['spec.data[0].remoteRef.key'],
        targetSecret: 'payments-db',
        managedBy: CES,
      },
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        namespace: 'reporting',
        name: 'payments-db',
        references: ['spec.externalSecretSpec.data[0].remoteRef.key'],
        targetSecret: 'payments-db',
        managedBy: CES,
      },
    ]);
  });

  it('restarts the workloads reading its Secret in the selected namespaces only', () => {
    const workloads = findSecretConsumers(SCENARIO_SECRET, scenario()).workloads;

    expect(workloads.map((use) => `${use.kind} ${use.namespace}/${use.name}`)).toEqual([
      'Deployment payments/payments-worker',
      'Deployment reporting/nightly-report',
    ]);
  });

  it('is read in external-secrets.io/v1beta1 as in v1', () => {
    const objects = scenario().map((o) =>
      o.apiVersion === 'external-secrets.io/v1' ? { ...o, apiVersion: 'external-secrets.io/v1beta1' } : o,
    );

    const result = findSecretConsumers(SCENARIO_SECRET, objects);

    expect(result.clusterExternalSecrets.map((use) => [use.apiVersion, use.namespaces])).toEqual([
      ['external-secrets.io/v1beta1', ['payments', 'reporting']],
    ]);
    expect(result.workloads).toHaveLength(2);
  });

  it('reports its namespaces as undetermined when namespaces were not listed, keeping the provisioned ones', () => {
    const result = findSecretConsumers(
      SCENARIO_SECRET,
      scenario().filter((o) => o.kind !== 'Namespace'),
    );

    expect(result.undetermined).toEqual([
      { ...CES, reason: 'its namespace selectors were not evaluated: namespaces were not listed' },
    ]);
    expect(result.workloads.map((use) => use.name)).toEqual(['payments-worker']);
  });

  it('reports a find pattern RE2 refuses once, on the ClusterExternalSecret', () => {
    const objects = scenario().filter((o) => !(o.kind === 'ExternalSecret'));
    const ces = only('ClusterExternalSecret', 'payments-db', objects);
    (ces.spec as { externalSecretSpec: Record<string, unknown> }).externalSecretSpec.dataFrom = [
      { find: { name: { regexp: '^(My)\\1' } } },
    ];

    expect(findSecretConsumers(SCENARIO_SECRET, objects).undetermined).toEqual([
      {
        ...CES,
        reason:
          'spec.externalSecretSpec.dataFrom[0].find: name regexp "^(My)\\\\1" was not evaluated: not RE2 syntax (error parsing regexp: invalid escape sequence: `\\1`), which the operator refuses too; check by hand whether it matches the secret',
      },
    ]);
  });
});

describe('secrets a ClusterExternalSecret references (posture)', () => {
  it('counts its keys when its store is a Secrets Manager ClusterSecretStore', () => {
    const store = {
      apiVersion: 'external-secrets.io/v1beta1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'aws-secretsmanager' },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-west-2' } } },
    };
    const objects = scenario().filter((o) => o.kind !== 'ExternalSecret');

    expect(referencedSecretIds(objects)).toEqual([]);
    expect(referencedSecretIds([...objects, store])).toEqual(['MyTestSecret']);
  });
});
