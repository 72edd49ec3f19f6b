import { describe, expect, it } from 'vitest';
import { bindingsOf, serviceAccountIdentities } from '#core/posture/rbac.ts';
import { findObject } from '#core/posture/snapshot-index.ts';
import { binding, clusterSnapshot } from '#test/support/rbac-objects.ts';

describe('bindings by subject (indexed once per snapshot)', () => {
  const snapshot = clusterSnapshot([
    binding('ClusterRoleBinding', 'all-service-accounts', { kind: 'ClusterRole', name: 'view' }, [
      { kind: 'Group', name: 'system:serviceaccounts' },
    ]),
    binding(
      'RoleBinding',
      'unrelated',
      { kind: 'ClusterRole', name: 'edit' },
      [{ kind: 'ServiceAccount', name: 'builder', namespace: 'ci' }],
      'ci',
    ),
    binding(
      'RoleBinding',
      'deployer-twice',
      { kind: 'ClusterRole', name: 'edit' },
      [
        { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
        { kind: 'Group', name: 'system:serviceaccounts:ci' },
      ],
      'ci',
    ),
    binding(
      'RoleBinding',
      'deployer-defaulted',
      { kind: 'ClusterRole', name: 'view' },
      [{ kind: 'ServiceAccount', name: 'deployer' }],
      'ci',
    ),
  ]);

  it('returns each binding naming any of the identities once, in snapshot order', () => {
    const names = bindingsOf(snapshot, serviceAccountIdentities('ci', 'deployer')).map((b) => b.name);
    expect(names).toEqual(['all-service-accounts', 'deployer-twice', 'deployer-defaulted']);
  });

  it('keeps service accounts of the same name in other namespaces apart', () => {
    const names = bindingsOf(snapshot, [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'prod' }]);
    expect(names).toEqual([]);
  });
});

describe('findObject', () => {
  const account = (name: string, namespace?: string, automount?: boolean) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: namespace === undefined ? { name } : { name, namespace },
    ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
  });
  const snapshot = clusterSnapshot([
    account('web', 'shop', false),
    account('web', 'shop', true),
    account('web'),
  ]);

  it('finds the first object of that kind, namespace and name', () => {
    expect(findObject(snapshot, 'ServiceAccount', 'shop', 'web')?.automountServiceAccountToken).toBe(false);
  });

  it('puts objects without a namespace in default, and misses other kinds and names', () => {
    expect(findObject(snapshot, 'ServiceAccount', 'default', 'web')?.metadata.name).toBe('web');
    expect(findObject(snapshot, 'Secret', 'shop', 'web')).toBeUndefined();
    expect(findObject(snapshot, 'ServiceAccount', 'shop', 'api')).toBeUndefined();
  });
});
