import { describe, expect, it } from 'vitest';
import { describeSubject, isSystemSubject, rbacModel, ruleAllows, whoCan } from '#core/posture/rbac.ts';
import { auditRequestObject, binding, clusterSnapshot, manifests } from '#test/support/rbac-objects.ts';

describe('RBAC rule matching', () => {
  const rule = (verbs: string[], resources: string[], apiGroups = ['']) => ({
    verbs,
    resources,
    apiGroups,
    resourceNames: [],
  });

  it('matches wildcards in verbs, resources and API groups', () => {
    expect(
      ruleAllows(rule(['*'], ['*'], ['*']), { verb: 'create', resource: 'pods', subresource: 'exec' }),
    ).toBe(true);
    expect(ruleAllows(rule(['get'], ['*']), { verb: 'get', resource: 'secrets' })).toBe(true);
    expect(ruleAllows(rule(['*'], ['secrets'], ['*']), { verb: 'list', resource: 'secrets' })).toBe(true);
  });

  it('does not let a resource cover its subresources, but */subresource does', () => {
    expect(
      ruleAllows(rule(['create'], ['pods']), { verb: 'create', resource: 'pods', subresource: 'exec' }),
    ).toBe(false);
    expect(
      ruleAllows(rule(['create'], ['*/exec']), { verb: 'create', resource: 'pods', subresource: 'exec' }),
    ).toBe(true);
  });

  it('keeps API groups apart', () => {
    expect(
      ruleAllows(rule(['create'], ['deployments']), {
        verb: 'create',
        resource: 'deployments',
        apiGroup: 'apps',
      }),
    ).toBe(false);
  });
});

describe('whoCan', () => {
  it('resolves the Falco secret-reading role through its binding to the subject', () => {
    const role = auditRequestObject(114, 'pod-and-secret-reader');
    const snapshot = clusterSnapshot([
      role,
      binding('ClusterRoleBinding', 'ci-reads', { kind: 'ClusterRole', name: 'pod-and-secret-reader' }, [
        { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
      ]),
    ]);
    const grants = whoCan(snapshot, 'get', 'secrets');
    expect(grants.map((grant) => [describeSubject(grant.subject), grant.scope, grant.path])).toEqual([
      [
        'ServiceAccount ci/deployer',
        'cluster-wide',
        'ClusterRoleBinding ci-reads → ClusterRole pod-and-secret-reader rules[1]',
      ],
    ]);
  });

  it('limits a RoleBinding of a ClusterRole to its namespace and defaults ServiceAccount subjects to it', () => {
    const snapshot = clusterSnapshot([
      auditRequestObject(107),
      binding(
        'RoleBinding',
        'debuggers',
        { kind: 'ClusterRole', name: 'pod-exec-role' },
        [{ kind: 'ServiceAccount', name: 'debugger' }],
        'shop',
      ),
    ]);
    expect(
      whoCan(snapshot, 'create', 'pods', 'exec', { namespace: 'shop' }).map((g) => [g.subject, g.scope]),
    ).toEqual([[{ kind: 'ServiceAccount', name: 'debugger', namespace: 'shop' }, 'namespace shop']]);
    expect(whoCan(snapshot, 'create', 'pods', 'exec', { namespace: 'payments' })).toEqual([]);
  });

  it('does not resolve a RoleBinding to a Role of another namespace', () => {
    const role = {
      ...auditRequestObject(103, 'pod-creator'),
      metadata: { name: 'pod-creator', namespace: 'a' },
    };
    const snapshot = clusterSnapshot([
      role,
      binding(
        'RoleBinding',
        'x',
        { kind: 'Role', name: 'pod-creator' },
        [{ kind: 'User', name: 'alice' }],
        'b',
      ),
    ]);
    expect(whoCan(snapshot, 'create', 'pods')).toEqual([]);
    expect(rbacModel(snapshot).bindings[0]?.role).toBeUndefined();
  });

  it('includes the rules of ClusterRoles selected by an aggregationRule', () => {
    const snapshot = clusterSnapshot([
      ...manifests(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring
aggregationRule:
  clusterRoleSelectors:
  - matchLabels:
      rbac.example.com/aggregate-to-monitoring: "true"
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring-secrets
  labels:
    rbac.example.com/aggregate-to-monitoring: "true"
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list"]
`),
      binding('ClusterRoleBinding', 'prometheus', { kind: 'ClusterRole', name: 'monitoring' }, [
        { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' },
      ]),
    ]);
    const [grant] = whoCan(snapshot, 'list', 'secrets');
    expect(grant?.path).toBe('ClusterRoleBinding prometheus → ClusterRole monitoring-secrets rules[0]');
  });

  it('treats system users and groups as system subjects, but not the anonymous principals or service accounts', () => {
    expect(isSystemSubject({ kind: 'Group', name: 'system:masters' })).toBe(true);
    expect(isSystemSubject({ kind: 'User', name: 'eks:addon-manager' })).toBe(true);
    expect(isSystemSubject({ kind: 'Group', name: 'system:authenticated' })).toBe(false);
    expect(isSystemSubject({ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' })).toBe(
      false,
    );
  });
});
