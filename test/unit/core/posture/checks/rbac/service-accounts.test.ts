import { describe, expect, it } from 'vitest';
import { defaultServiceAccountCheck } from '#core/posture/checks/kp-044-default-service-account.ts';
import { serviceAccountTokenMountCheck } from '#core/posture/checks/kp-045-service-account-token-mount.ts';
import { workloadTakeoverRolesCheck } from '#core/posture/checks/kp-055-workload-takeover-roles.ts';
import type { KubeObject } from '#core/posture/snapshot.ts';
import {
  auditRequestObject,
  binding,
  clusterSnapshot,
  corpusManifest,
  manifests,
} from '#test/support/rbac-objects.ts';

const DEPLOYMENT = manifests(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: nginx:1.27
`);

function defaultAccount(namespace: string, automount?: boolean): KubeObject {
  const account: KubeObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default', namespace },
  };
  if (automount !== undefined) account.automountServiceAccountToken = automount;
  return account;
}

describe('KP-044 default service accounts', () => {
  it('flags a default service account that mounts its token', () => {
    const [result] = defaultServiceAccountCheck.evaluate(clusterSnapshot([defaultAccount('shop')]));
    expect(result?.status).toBe('fail');
    expect(result?.message).toBe(
      'default service account of shop: automountServiceAccountToken is not set (want false)',
    );
  });

  it('flags a default service account named by a binding', () => {
    const objects = [
      defaultAccount('shop', false),
      auditRequestObject(121, 'deploy-patcher'),
      binding(
        'RoleBinding',
        'patch',
        { kind: 'ClusterRole', name: 'deploy-patcher' },
        [{ kind: 'ServiceAccount', name: 'default' }],
        'shop',
      ),
    ];
    const [result] = defaultServiceAccountCheck.evaluate(clusterSnapshot(objects));
    expect(result?.message).toContain('it is bound by RoleBinding patch → ClusterRole deploy-patcher');
  });

  it('passes a default service account without token or bindings', () => {
    expect(
      defaultServiceAccountCheck.evaluate(clusterSnapshot([defaultAccount('shop', false)]))[0]?.status,
    ).toBe('pass');
  });

  it('flags a pod running as the default service account with its token', () => {
    const pod = corpusManifest('m16.yaml')[0] as KubeObject;
    const spec = pod.spec as Record<string, unknown>;
    delete spec.serviceAccountName;
    const [result] = defaultServiceAccountCheck.evaluate(clusterSnapshot([pod]));
    expect(result).toMatchObject({ status: 'fail', object: { kind: 'Pod', name: 'test-pod' } });
  });
});

describe('KP-045 service-account token mounting', () => {
  it('flags the corpus pod whose automount true overrides its service account (m16)', () => {
    const [result] = serviceAccountTokenMountCheck.evaluate(clusterSnapshot(corpusManifest('m16.yaml')));
    expect(result).toMatchObject({ status: 'fail', object: { kind: 'Pod', name: 'test-pod' } });
    expect(result?.message).toContain('spec.automountServiceAccountToken');
  });

  it('passes the corpus pod whose automount false overrides its service account (m17)', () => {
    expect(
      serviceAccountTokenMountCheck.evaluate(clusterSnapshot(corpusManifest('m17.yaml')))[0]?.status,
    ).toBe('pass');
  });

  it('takes the service account setting when the pod says nothing', () => {
    const account: KubeObject = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'web', namespace: 'shop' },
      automountServiceAccountToken: false,
    };
    expect(serviceAccountTokenMountCheck.evaluate(clusterSnapshot([account, ...DEPLOYMENT]))[0]?.status).toBe(
      'pass',
    );
  });

  it('passes a mounted token when the service account has API permissions', () => {
    const objects = [
      ...DEPLOYMENT,
      auditRequestObject(109, 'lister'),
      binding(
        'RoleBinding',
        'web-list',
        { kind: 'ClusterRole', name: 'lister' },
        [{ kind: 'ServiceAccount', name: 'web' }],
        'shop',
      ),
    ];
    const [result] = serviceAccountTokenMountCheck.evaluate(clusterSnapshot(objects));
    expect(result?.status).toBe('pass');
    expect(result?.message).toContain('RoleBinding web-list');
  });
});

describe('KP-055 workloads with cluster-takeover roles', () => {
  it('flags a workload whose service account is bound to a * / * / * ClusterRole', () => {
    const objects = [
      ...DEPLOYMENT,
      auditRequestObject(113),
      binding('ClusterRoleBinding', 'web-admin', { kind: 'ClusterRole', name: 'super-admin' }, [
        { kind: 'ServiceAccount', name: 'web', namespace: 'shop' },
      ]),
    ];
    const [result] = workloadTakeoverRolesCheck.evaluate(clusterSnapshot(objects));
    expect(result).toMatchObject({ status: 'fail', object: { kind: 'Deployment', name: 'web' } });
    expect(result?.message).toContain(
      'which can use every verb on every resource via ClusterRoleBinding web-admin → ClusterRole super-admin rules[0]',
    );
  });

  it('counts grants to the groups every service account belongs to', () => {
    const objects = [
      ...DEPLOYMENT,
      auditRequestObject(120),
      binding('ClusterRoleBinding', 'all-sa-secrets', { kind: 'ClusterRole', name: 'secret-manager' }, [
        { kind: 'Group', name: 'system:serviceaccounts' },
      ]),
    ];
    expect(workloadTakeoverRolesCheck.evaluate(clusterSnapshot(objects))[0]?.message).toContain(
      'get secrets',
    );
  });

  it('passes a workload limited to a namespaced role', () => {
    const objects = [
      ...DEPLOYMENT,
      auditRequestObject(113),
      binding(
        'RoleBinding',
        'web-admin',
        { kind: 'ClusterRole', name: 'super-admin' },
        [{ kind: 'ServiceAccount', name: 'web' }],
        'shop',
      ),
    ];
    expect(workloadTakeoverRolesCheck.evaluate(clusterSnapshot(objects))[0]?.status).toBe('pass');
  });
});
