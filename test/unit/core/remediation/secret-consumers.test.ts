import { describe, expect, it } from 'vitest';
import type { KubeObject } from '#core/model/kube-object.ts';
import {
  findSecretConsumers,
  namesSecret,
  type SecretConsumers,
} from '#core/remediation/secret-consumers.ts';
import { SCENARIO_SECRET, secretConsumerObjects } from '#test/support/secret-consumer-objects.ts';

function consumers(objects: KubeObject[] = secretConsumerObjects()): SecretConsumers {
  return findSecretConsumers(SCENARIO_SECRET, objects);
}

function named(uses: { kind: string; namespace: string; name: string }[]): string[] {
  return uses.map((use) => `${use.kind} ${use.namespace}/${use.name}`);
}

/** One scenario object, changed by `edit`. */
function withObject(kind: string, name: string, edit: (object: KubeObject) => void): KubeObject[] {
  const objects = secretConsumerObjects();
  const object = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (object === undefined) throw new Error(`no ${kind} ${name} in the scenario`);
  edit(object);
  return objects;
}

describe('namesSecret', () => {
  it('accepts the name, the full ARN and the partial ARN without the random suffix', () => {
    expect(namesSecret('MyTestSecret', SCENARIO_SECRET)).toBe(true);
    expect(namesSecret(SCENARIO_SECRET.arn, SCENARIO_SECRET)).toBe(true);
    expect(
      namesSecret('arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret', SCENARIO_SECRET),
    ).toBe(true);
  });

  it('rejects other secrets, prefixes, other accounts and non-strings', () => {
    expect(namesSecret('MyTestSecret2', SCENARIO_SECRET)).toBe(false);
    expect(namesSecret('MyTest', SCENARIO_SECRET)).toBe(false);
    expect(
      namesSecret(
        'arn:aws:secretsmanager:us-west-2:999999999999:secret:MyTestSecret-Ca8JGt',
        SCENARIO_SECRET,
      ),
    ).toBe(false);
    expect(namesSecret(undefined, SCENARIO_SECRET)).toBe(false);
    expect(namesSecret({ key: 'MyTestSecret' }, SCENARIO_SECRET)).toBe(false);
  });
});

describe('ExternalSecrets that fetch the secret', () => {
  it('finds remoteRef keys by name and partial ARN, extract keys by ARN and find by name regexp', () => {
    const found = consumers().externalSecrets;
    expect(found.map((use) => [use.apiVersion, use.name, use.references, use.targetSecret])).toEqual([
      [
        'external-secrets.io/v1',
        'payments-api',
        ['spec.data[0].remoteRef.key', 'spec.data[1].remoteRef.key'],
        'payments-api-credentials',
      ],
      ['external-secrets.io/v1beta1', 'ledger', ['spec.dataFrom[0].extract.key'], 'ledger'],
      ['external-secrets.io/v1', 'batch-settings', ['spec.data[0].remoteRef.key'], 'batch-settings'],
      ['external-secrets.io/v1', 'catalog-by-name', ['spec.dataFrom[0].find'], 'catalog'],
    ]);
  });

  it('warns that force-sync may not refresh an ExternalSecret with refreshInterval 0', () => {
    const found = consumers().externalSecrets;
    expect(found.find((use) => use.name === 'batch-settings')?.refreshCaveat).toContain('refreshInterval 0');
    expect(found.find((use) => use.name === 'payments-api')?.refreshCaveat).toBeUndefined();
  });

  it('warns the same for refreshPolicy CreatedOnce', () => {
    const objects = withObject('ExternalSecret', 'payments-api', (object) => {
      (object.spec as Record<string, unknown>).refreshPolicy = 'CreatedOnce';
    });
    expect(consumers(objects).externalSecrets[0]?.refreshCaveat).toContain('CreatedOnce');
  });

  it('evaluates find by tags and path against the secret', () => {
    const objects = withObject('ExternalSecret', 'catalog-by-name', (object) => {
      (object.spec as Record<string, unknown>).dataFrom = [
        { find: { tags: { FirstTag: 'SomeValue' } } },
        { find: { path: 'MyTest', tags: { FirstTag: 'OtherValue' } } },
      ];
    });
    const catalog = consumers(objects).externalSecrets.find((use) => use.name === 'catalog-by-name');
    expect(catalog?.references).toEqual(['spec.dataFrom[0].find']);
  });

  it('answers a find regexp that backtracks exponentially: ^(.|.)*!$ against a 64-character name', () => {
    const secret = {
      name: `prod-${'a'.repeat(59)}`,
      arn: `arn:aws:secretsmanager:us-west-2:123456789012:secret:prod-${'a'.repeat(59)}-Ab12Cd`,
    };
    const objects = withObject('ExternalSecret', 'catalog-by-name', (object) => {
      (object.spec as Record<string, unknown>).dataFrom = [{ find: { name: { regexp: '^(.|.)*!$' } } }];
    });
    const result = findSecretConsumers(secret, objects);
    expect(secret.name).toHaveLength(64);
    expect(result.externalSecrets).toEqual([]);
    expect(result.undetermined).toEqual([]);
  });

  it('evaluates a find regexp with nested quantifiers (linear on RE2)', () => {
    const objects = withObject('ExternalSecret', 'catalog-by-name', (object) => {
      (object.spec as Record<string, unknown>).dataFrom = [
        { find: { name: { regexp: '^([A-Z][a-z]+)+$' } } },
      ];
    });
    const result = consumers(objects);
    expect(result.externalSecrets.find((use) => use.name === 'catalog-by-name')?.references).toEqual([
      'spec.dataFrom[0].find',
    ]);
    expect(result.undetermined).toEqual([]);
  });

  it('reports a find regexp RE2 refuses (a backreference) as undetermined, naming the pattern and why', () => {
    const objects = withObject('ExternalSecret', 'catalog-by-name', (object) => {
      (object.spec as Record<string, unknown>).dataFrom = [{ find: { name: { regexp: '^(My)\\1' } } }];
    });
    const result = consumers(objects);
    expect(named(result.externalSecrets)).not.toContain('ExternalSecret payments/catalog-by-name');
    expect(result.undetermined).toEqual([
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        namespace: 'payments',
        name: 'catalog-by-name',
        reason:
          'spec.dataFrom[0].find: name regexp "^(My)\\\\1" was not evaluated: not RE2 syntax (error parsing regexp: invalid escape sequence: `\\1`), which the operator refuses too; check by hand whether it matches the secret',
      },
    ]);
  });

  it('ignores other kinds named ExternalSecret outside external-secrets.io', () => {
    const objects = withObject('ExternalSecret', 'payments-api', (object) => {
      object.apiVersion = 'kubernetes-client.io/v1';
    });
    expect(named(consumers(objects).externalSecrets)).not.toContain('ExternalSecret payments/payments-api');
  });
});

describe('SecretProviderClasses that mount the secret', () => {
  it('finds the AWS object in the parameters.objects YAML string and the Secret it syncs', () => {
    expect(consumers().secretProviderClasses).toEqual([
      {
        apiVersion: 'secrets-store.csi.x-k8s.io/v1',
        kind: 'SecretProviderClass',
        namespace: 'payments',
        name: 'checkout-aws-secrets',
        references: ['spec.parameters.objects[0].objectName'],
        syncedSecrets: ['checkout-db'],
      },
    ]);
  });

  it('matches an ARN objectName without objectType, as the AWS provider infers it', () => {
    const objects = withObject('SecretProviderClass', 'other-aws-secrets', (object) => {
      (object.spec as { parameters: Record<string, unknown> }).parameters.objects =
        `- objectName: "${SCENARIO_SECRET.arn}"\n`;
    });
    expect(named(consumers(objects).secretProviderClasses)).toContain(
      'SecretProviderClass payments/other-aws-secrets',
    );
  });

  it('ignores Parameter Store objects with the same name', () => {
    const objects = withObject('SecretProviderClass', 'checkout-aws-secrets', (object) => {
      (object.spec as { parameters: Record<string, unknown> }).parameters.objects =
        '- objectName: "MyTestSecret"\n  objectType: "ssmparameter"\n';
    });
    expect(consumers(objects).secretProviderClasses).toEqual([]);
  });

  it('reports objects that are not valid YAML as undetermined', () => {
    const objects = withObject('SecretProviderClass', 'checkout-aws-secrets', (object) => {
      (object.spec as { parameters: Record<string, unknown> }).parameters.objects = '- objectName: [unclosed';
    });
    expect(consumers(objects).undetermined).toEqual([
      expect.objectContaining({
        name: 'checkout-aws-secrets',
        reason: expect.stringContaining('not valid YAML'),
      }),
    ]);
  });
});

describe('workloads that read the secret', () => {
  it('lists every Kubernetes Secret the operators write from it', () => {
    expect(consumers().kubernetesSecrets.map((use) => [use.name, use.writtenBy.kind])).toEqual([
      ['payments-api-credentials', 'ExternalSecret'],
      ['ledger', 'ExternalSecret'],
      ['batch-settings', 'ExternalSecret'],
      ['catalog', 'ExternalSecret'],
      ['checkout-db', 'SecretProviderClass'],
    ]);
  });

  it('finds Deployments, StatefulSets and DaemonSets through env, envFrom, secret, projected and CSI volumes', () => {
    const found = consumers().workloads;
    expect(
      found.map((use) => [`${use.kind} ${use.name}`, use.references.map((r) => `${r.via} ${r.path}`)]),
    ).toEqual([
      ['Deployment payments-api', ['env spec.template.spec.containers[0].env[0]']],
      ['StatefulSet ledger', ['envFrom spec.template.spec.containers[0].envFrom[0]']],
      ['DaemonSet log-shipper', ['secret volume spec.template.spec.volumes[0]']],
      ['Deployment checkout', ['csi volume spec.template.spec.volumes[0]']],
      ['Deployment reports', ['env spec.template.spec.containers[0].env[0]']],
      ['Deployment batch', ['projected volume spec.template.spec.volumes[0].projected.sources[0]']],
    ]);
  });

  it('leaves out a workload reading a same-named Secret in another namespace, and unrelated ones', () => {
    const found = named(consumers().workloads);
    expect(found).not.toContain('Deployment other/other-app');
    expect(found).not.toContain('Deployment payments/unrelated-app');
  });

  it('resolves a pod through its ReplicaSet to the Deployment when the Deployment is not listed', () => {
    const objects = secretConsumerObjects().filter(
      (object) => !(object.kind === 'Deployment' && object.metadata?.name === 'payments-api'),
    );
    const deployment = consumers(objects).workloads.find((use) => use.name === 'payments-api');
    expect(deployment?.kind).toBe('Deployment');
    expect(deployment?.references).toEqual([
      expect.objectContaining({
        via: 'env',
        foundOn: expect.objectContaining({ name: 'payments-api-7c9d8f6b5-x2kq9' }),
      }),
    ]);
  });

  it('reports a naked pod and a Job pod as not restartable, with what to do', () => {
    expect(consumers().unrestartable.map((use) => [use.name, use.reason])).toEqual([
      ['debug-shell', 'naked pod (no controller): cannot restart: delete/recreate manually'],
      [
        'ledger-migrate-8xk2p',
        'owned by Job ledger-migrate: a running Job is not restarted; its next run reads the new value',
      ],
    ]);
  });

  it('skips finished pods', () => {
    const objects = withObject('Pod', 'debug-shell', (object) => {
      object.status = { phase: 'Succeeded' };
    });
    expect(named(consumers(objects).unrestartable)).not.toContain('Pod payments/debug-shell');
  });

  it('says when a template change will not restart the pods by itself', () => {
    const objects = withObject('DaemonSet', 'log-shipper', (object) => {
      (object.spec as Record<string, unknown>).updateStrategy = { type: 'OnDelete' };
    });
    const found = consumers(objects).workloads;
    expect(found.find((use) => use.name === 'log-shipper')?.restartCaveat).toContain('OnDelete');
    expect(found.find((use) => use.name === 'batch')?.restartCaveat).toContain('paused');
    expect(found.find((use) => use.name === 'payments-api')?.restartCaveat).toBeUndefined();
  });

  it('finds nothing to restart when nothing in the cluster uses the secret', () => {
    const result = findSecretConsumers(
      {
        name: 'prod/payments/api-key',
        arn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments/api-key-Xy12Ab',
      },
      secretConsumerObjects(),
    );
    expect(result).toEqual({
      externalSecrets: [],
      clusterExternalSecrets: [],
      secretProviderClasses: [],
      kubernetesSecrets: [],
      workloads: [],
      unrestartable: [],
      undetermined: [],
    });
  });

  it('survives hostile shapes: wrong types, nulls and missing metadata', () => {
    // Shapes a hostile cluster (or a broken manifest) can produce, typed as what the reader returns.
    const hostile = [
      {
        kind: 'ExternalSecret',
        apiVersion: 'external-secrets.io/v1',
        metadata: { name: 'x' },
        spec: { data: 'nope' },
      },
      {
        kind: 'ExternalSecret',
        apiVersion: 'external-secrets.io/v1',
        metadata: { name: 'y' },
        spec: { dataFrom: [null, 3] },
      },
      {
        kind: 'SecretProviderClass',
        apiVersion: 'secrets-store.csi.x-k8s.io/v1',
        metadata: { name: 'z' },
        spec: { provider: 'aws', parameters: { objects: 42 } },
      },
      { kind: 'Deployment', apiVersion: 'apps/v1', metadata: {}, spec: null },
      {
        kind: 'Pod',
        metadata: { name: 'p', ownerReferences: 'x' },
        spec: { containers: [{ env: [{ valueFrom: null }] }] },
      },
    ] as unknown as KubeObject[];
    const result = findSecretConsumers(SCENARIO_SECRET, [...secretConsumerObjects(), ...hostile]);
    expect(result.undetermined).toEqual([
      expect.objectContaining({
        name: 'z',
        reason: 'spec.parameters.objects: expected a YAML list of objects',
      }),
    ]);
    expect(result.workloads).toHaveLength(6);
  });
});
