import { describe, expect, it } from 'vitest';
import { externalSecretStorageCheck } from '#core/posture/checks/kp-024-external-secret-storage.ts';
import { defaultServiceAccountCheck } from '#core/posture/checks/kp-044-default-service-account.ts';
import { kp060 } from '#core/posture/checks/kp-060-privileged.ts';
import { runAudit } from '#core/posture/engine.ts';
import { isNotApplicable } from '#core/posture/results.ts';
import { corpusSnapshot, snapshotOf } from './support.ts';

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const SECRET = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db-credentials', namespace: 'shop' },
  type: 'Opaque',
  data: { password: 'czNjcjN0' },
};

function roleBinding(subject: Record<string, string>) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'default-edit', namespace: 'shop' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    subjects: [subject],
  };
}

describe('a check with nothing to look at is not applicable', () => {
  it('reports KP-024 and KP-060 as not applicable (a skip, not a failure) on input without Secrets or pods', () => {
    const report = runAudit(snapshotOf(NAMESPACE), [externalSecretStorageCheck, kp060]);

    expect(report.results.map((r) => [r.checkId, r.status, r.message])).toEqual([
      ['KP-060', 'skip', 'not applicable: no pods or workloads in the input that it applies to'],
      ['KP-024', 'skip', 'not applicable: no Secret and no workload that references one'],
    ]);
    expect(report.results.every(isNotApplicable)).toBe(true);
    expect(report.summary).toEqual({ pass: 0, fail: 0, skip: 2 });
    expect(report.score).toBe(100);
  });

  it('still fails KP-024 when a native Secret exists without external secret storage', () => {
    const [result] = externalSecretStorageCheck.evaluate(snapshotOf(SECRET));

    expect(result).toMatchObject({
      status: 'fail',
      message:
        'no ExternalSecret or SecretProviderClass objects: 1 Secret and 0 workload references to Secrets live only as native Kubernetes Secrets',
    });
  });

  it('fails KP-024 on a workload that reads a Secret (m29 has none; a secretKeyRef variant does)', () => {
    const snapshot = snapshotOf({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        containers: [
          {
            name: 'api',
            image: 'nginx:1.27.3',
            env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
          },
        ],
      },
    });

    expect(externalSecretStorageCheck.evaluate(snapshot).map((r) => r.status)).toEqual(['fail']);
    expect(externalSecretStorageCheck.evaluate(corpusSnapshot('m29.yaml'))).toEqual([]);
  });
});

describe('KP-044 bindings of the implicit default service account', () => {
  it.each([
    ['a ServiceAccount subject', { kind: 'ServiceAccount', name: 'default', namespace: 'shop' }],
    ['a ServiceAccount subject without namespace', { kind: 'ServiceAccount', name: 'default' }],
    [
      'the service account user name',
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:serviceaccount:shop:default' },
    ],
  ])('fails on %s, though no ServiceAccount named default is declared', (_, subject) => {
    const results = defaultServiceAccountCheck.evaluate(snapshotOf(roleBinding(subject)));

    expect(results).toEqual([
      {
        checkId: 'KP-044',
        status: 'fail',
        severity: 'medium',
        object: { kind: 'ServiceAccount', namespace: 'shop', name: 'default' },
        file: 'test.yaml',
        message:
          'default service account of shop (implicit: every namespace has one): it is bound by RoleBinding default-edit → ClusterRole edit',
        remediation: defaultServiceAccountCheck.remediation,
        evidence: { bindings: 'RoleBinding default-edit → ClusterRole edit' },
      },
    ]);
  });

  it('reports a ClusterRoleBinding of another namespace’s default account on that namespace', () => {
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'payments-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'payments' }],
    };

    const results = defaultServiceAccountCheck.evaluate(snapshotOf(binding));

    expect(results.map((r) => [r.status, r.object, r.message])).toEqual([
      [
        'fail',
        { kind: 'ServiceAccount', namespace: 'payments', name: 'default' },
        'default service account of payments (implicit: every namespace has one): it is bound by ClusterRoleBinding payments-admin → ClusterRole cluster-admin',
      ],
    ]);
  });

  it('says nothing of a namespace whose default account is neither declared nor bound', () => {
    expect(defaultServiceAccountCheck.evaluate(snapshotOf(NAMESPACE))).toEqual([]);
  });
});
