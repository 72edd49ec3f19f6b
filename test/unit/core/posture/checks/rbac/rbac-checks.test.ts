import { describe, expect, it } from 'vitest';
import type { PostureCheck } from '#core/posture/check.ts';
import { clusterAdminBindingsCheck } from '#core/posture/checks/kp-040-cluster-admin-bindings.ts';
import { secretAccessCheck } from '#core/posture/checks/kp-041-secret-access.ts';
import { wildcardRulesCheck } from '#core/posture/checks/kp-042-wildcard-rules.ts';
import { podCreationCheck } from '#core/posture/checks/kp-043-pod-creation.ts';
import { bindEscalateImpersonateCheck } from '#core/posture/checks/kp-046-bind-escalate-impersonate.ts';
import { persistentVolumeCreationCheck } from '#core/posture/checks/kp-047-persistent-volume-creation.ts';
import { nodeProxyCheck } from '#core/posture/checks/kp-048-node-proxy.ts';
import { webhookConfigurationAccessCheck } from '#core/posture/checks/kp-049-webhook-configuration-access.ts';
import { serviceAccountTokenCreationCheck } from '#core/posture/checks/kp-050-service-account-token-creation.ts';
import { csrApprovalCheck } from '#core/posture/checks/kp-051-csr-approval.ts';
import { podExecAttachCheck } from '#core/posture/checks/kp-052-pod-exec-attach.ts';
import { anonymousBindingsCheck } from '#core/posture/checks/kp-053-anonymous-bindings.ts';
import { deleteAndPortForwardCheck } from '#core/posture/checks/kp-054-delete-and-port-forward.ts';
import type { KubeObject } from '#core/posture/snapshot.ts';
import {
  auditRequestObject,
  binding,
  clusterSnapshot,
  corpusManifest,
  manifests,
} from '#test/support/rbac-objects.ts';

const alice = { kind: 'User' as const, name: 'alice@example.com' };
const deployer = { kind: 'ServiceAccount' as const, name: 'deployer', namespace: 'ci' };

function run(check: PostureCheck, objects: KubeObject[]) {
  return check.evaluate(clusterSnapshot(objects));
}

function statuses(check: PostureCheck, objects: KubeObject[]) {
  return run(check, objects).map((result) => [result.object.kind, result.object.name, result.status]);
}

describe('KP-040 cluster-admin bindings', () => {
  it('flags the corpus ClusterRoleBinding of cluster-admin to a user (m18)', () => {
    const [result] = run(clusterAdminBindingsCheck, corpusManifest('m18.yaml'));
    expect(result).toMatchObject({ status: 'fail', object: { kind: 'ClusterRoleBinding', name: 'test' } });
    expect(result?.message).toBe(
      'ClusterRoleBinding test grants cluster-admin cluster-wide to User testuser',
    );
  });

  it('flags a backdoor binding even when it carries the rbac-defaults label', () => {
    const [result] = run(clusterAdminBindingsCheck, [auditRequestObject(2)]);
    expect(result?.status).toBe('fail');
    expect(result?.message).toContain('User minikube');
  });

  it('passes the default binding of cluster-admin to system:masters', () => {
    const masters = binding(
      'ClusterRoleBinding',
      'cluster-admin',
      { kind: 'ClusterRole', name: 'cluster-admin' },
      [{ kind: 'Group', name: 'system:masters' }],
    );
    expect(statuses(clusterAdminBindingsCheck, [masters])).toEqual([
      ['ClusterRoleBinding', 'cluster-admin', 'pass'],
    ]);
  });

  it('passes the cluster when nothing references cluster-admin (m19)', () => {
    expect(statuses(clusterAdminBindingsCheck, corpusManifest('m19.yaml'))).toEqual([
      ['Cluster', 'my-eks-cluster', 'pass'],
    ]);
  });
});

describe('KP-041 secret access', () => {
  const secretManager = auditRequestObject(120);

  it('names the subject that can read secrets, with the binding → role → rule path', () => {
    const objects = [
      secretManager,
      binding('ClusterRoleBinding', 'sm', { kind: 'ClusterRole', name: 'secret-manager' }, [alice]),
    ];
    const [result] = run(secretAccessCheck, objects);
    expect(result).toMatchObject({ status: 'fail', object: { kind: 'User', name: 'alice@example.com' } });
    expect(result?.message).toBe(
      'User alice@example.com can read Secrets: get secrets cluster-wide via ClusterRoleBinding sm → ClusterRole secret-manager rules[0]',
    );
  });

  it('flags a custom role that grants it before anyone is bound', () => {
    const [result] = run(secretAccessCheck, [auditRequestObject(114, 'reader')]);
    expect(result).toMatchObject({ status: 'fail', object: { kind: 'ClusterRole', name: 'reader' } });
    expect(result?.message).toContain('bound to no subject yet');
  });

  it('passes subjects whose roles do not reach secrets', () => {
    const objects = [
      auditRequestObject(109, 'viewer'),
      binding('RoleBinding', 'view', { kind: 'ClusterRole', name: 'viewer' }, [deployer], 'ci'),
    ];
    expect(statuses(secretAccessCheck, objects)).toEqual([['ServiceAccount', 'deployer', 'pass']]);
  });

  it('ignores system subjects and bindings Kubernetes ships', () => {
    const objects = [
      secretManager,
      binding('ClusterRoleBinding', 'system:controller:sm', { kind: 'ClusterRole', name: 'secret-manager' }, [
        { kind: 'ServiceAccount', name: 'sm-controller', namespace: 'kube-system' },
      ]),
      binding('ClusterRoleBinding', 'nodes-read', { kind: 'ClusterRole', name: 'secret-manager' }, [
        { kind: 'Group', name: 'system:nodes' },
      ]),
    ];
    expect(statuses(secretAccessCheck, objects)).toEqual([['Cluster', 'my-eks-cluster', 'pass']]);
  });

  it('counts the edit ClusterRole: a default role bound to a person still lets them read secrets', () => {
    const edit = manifests(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: edit
  labels:
    kubernetes.io/bootstrapping: rbac-defaults
rules:
- apiGroups: [""]
  resources: ["secrets", "configmaps"]
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]
`);
    const objects = [
      ...edit,
      binding('RoleBinding', 'alice-edit', { kind: 'ClusterRole', name: 'edit' }, [alice], 'shop'),
    ];
    const [result] = run(secretAccessCheck, objects);
    expect(result?.status).toBe('fail');
    expect(result?.message).toContain(
      'namespace shop via RoleBinding shop/alice-edit → ClusterRole edit rules[0]',
    );
  });
});

describe('KP-042 wildcard rules', () => {
  it('flags the corpus ClusterRole with * verbs and resources (m19)', () => {
    const results = run(wildcardRulesCheck, corpusManifest('m19.yaml'));
    expect(results.map((r) => [r.object.name, r.status])).toEqual([
      ['test', 'fail'],
      ['not-used', 'pass'],
    ]);
    expect(results[0]?.message).toBe('ClusterRole test uses "*" in rules[0].verbs, rules[0].resources');
  });

  it('flags * verbs on pods from the Falco trace', () => {
    expect(run(wildcardRulesCheck, [auditRequestObject(6)])[0]?.status).toBe('fail');
  });

  it('leaves system roles alone', () => {
    expect(run(wildcardRulesCheck, [auditRequestObject(168)])).toEqual([]);
  });
});

describe('KP-052 pods/exec and pods/attach', () => {
  it('flags the unbound corpus ClusterRole allowing pods/exec with all verbs (m20)', () => {
    expect(statuses(podExecAttachCheck, corpusManifest('m20.yaml'))).toEqual([
      ['ClusterRole', 'test', 'fail'],
    ]);
  });

  it('does not flag pods/exec with a safe verb (m21)', () => {
    expect(run(podExecAttachCheck, corpusManifest('m21.yaml')).filter((r) => r.status === 'fail')).toEqual(
      [],
    );
  });

  it('flags the subject bound to the Falco pod-exec role, for get (WebSocket) as well as create', () => {
    const objects = [
      auditRequestObject(4, 'exec-get'),
      binding(
        'RoleBinding',
        'oncall',
        { kind: 'ClusterRole', name: 'exec-get' },
        [{ kind: 'Group', name: 'oncall' }],
        'shop',
      ),
    ];
    const [result] = run(podExecAttachCheck, objects);
    expect(result).toMatchObject({ status: 'fail', object: { kind: 'Group', name: 'oncall' } });
    expect(result?.message).toContain('get pods/exec namespace shop');
  });
});

describe('KP-053 anonymous and all-authenticated bindings', () => {
  it('passes the default discovery binding', () => {
    const discovery = binding(
      'ClusterRoleBinding',
      'system:discovery',
      { kind: 'ClusterRole', name: 'system:discovery' },
      [{ kind: 'Group', name: 'system:authenticated' }],
    );
    expect(statuses(anonymousBindingsCheck, [discovery])).toEqual([
      ['ClusterRoleBinding', 'system:discovery', 'pass'],
    ]);
  });

  it('flags a binding that hands a role to system:anonymous', () => {
    const open = binding('ClusterRoleBinding', 'anonymous-view', { kind: 'ClusterRole', name: 'view' }, [
      { kind: 'User', name: 'system:anonymous' },
    ]);
    const [result] = run(anonymousBindingsCheck, [open]);
    expect(result?.status).toBe('fail');
    expect(result?.message).toContain(
      'grants ClusterRole view to User system:anonymous: unauthenticated callers',
    );
  });

  it('flags a look-alike of a default binding that references another role', () => {
    const fake = binding(
      'ClusterRoleBinding',
      'system:discovery',
      { kind: 'ClusterRole', name: 'cluster-admin' },
      [{ kind: 'Group', name: 'system:authenticated' }],
    );
    expect(run(anonymousBindingsCheck, [fake])[0]?.status).toBe('fail');
  });
});

const RBAC = 'rbac.authorization.k8s.io';
const ACCESS_CASES: { check: PostureCheck; rule: Record<string, string[]> }[] = [
  { check: podCreationCheck, rule: { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] } },
  {
    check: bindEscalateImpersonateCheck,
    rule: { apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] },
  },
  {
    check: bindEscalateImpersonateCheck,
    rule: { apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['escalate'] },
  },
  {
    check: persistentVolumeCreationCheck,
    rule: { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['create'] },
  },
  {
    check: nodeProxyCheck,
    rule: { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get', 'list', 'create'] },
  },
  {
    check: webhookConfigurationAccessCheck,
    rule: {
      apiGroups: ['admissionregistration.k8s.io'],
      resources: ['mutatingwebhookconfigurations'],
      verbs: ['patch'],
    },
  },
  {
    check: serviceAccountTokenCreationCheck,
    rule: { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
  },
  {
    check: csrApprovalCheck,
    rule: {
      apiGroups: ['certificates.k8s.io'],
      resources: ['certificatesigningrequests/approval'],
      verbs: ['update'],
    },
  },
  {
    check: deleteAndPortForwardCheck,
    rule: { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] },
  },
];

describe('who-can checks KP-043, KP-046…KP-051, KP-054', () => {
  for (const { check, rule } of ACCESS_CASES) {
    it(`${check.id} flags ${rule.verbs?.join('/')} on ${rule.resources?.join(',')} and passes a read-only subject`, () => {
      const role: KubeObject = {
        apiVersion: `${RBAC}/v1`,
        kind: 'ClusterRole',
        metadata: { name: 'granted' },
        rules: [rule],
      };
      const objects = [
        role,
        auditRequestObject(102, 'node-reader'),
        binding('ClusterRoleBinding', 'granted', { kind: 'ClusterRole', name: 'granted' }, [deployer]),
        binding('ClusterRoleBinding', 'reader', { kind: 'ClusterRole', name: 'node-reader' }, [alice]),
      ];
      expect(statuses(check, objects)).toEqual([
        ['ServiceAccount', 'deployer', 'fail'],
        ['User', 'alice@example.com', 'pass'],
      ]);
    });
  }

  it('KP-048 flags the Falco node-accessor role through its binding', () => {
    const objects = [
      auditRequestObject(100),
      binding('ClusterRoleBinding', 'metrics', { kind: 'ClusterRole', name: 'node-accessor' }, [deployer]),
    ];
    expect(run(nodeProxyCheck, objects)[0]?.message).toContain('get nodes/proxy cluster-wide');
  });
});
