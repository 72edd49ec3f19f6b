import { describe, expect, it } from 'vitest';
import { kd049DefaultSaAdmin as rule } from '../../../../../core/detection/rules/kd-049-default-sa-admin.ts';
import { corpusEvent, detect, exampleOf, SERVICE_ACCOUNT, variant } from './rule-test-support.ts';

/** Corpus line 2 (Falco trace: ClusterRoleBinding to cluster-admin) re-pointed at a default service account. */
const clusterAdminToDefault = () =>
  variant(corpusEvent(2), {
    requestObject: { subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' }] },
  });

describe('KD-049 admin access granted to a default service account', () => {
  it('flags its example', () => {
    const detection = detect(rule, exampleOf(rule));

    expect(detection).toMatchObject({
      ruleId: 'KD-049',
      namespace: 'default',
      workload: 'rolebinding/default-admin',
    });
    expect(detection?.summary).toBe(
      'admin@example.com created rolebinding default/default-admin binding ClusterRole admin to ServiceAccount default/default.',
    );
  });

  it('flags cluster-admin bound to a default service account cluster-wide', () => {
    expect(detect(rule, clusterAdminToDefault())?.evidence).toMatchObject({
      roleRef: 'ClusterRole cluster-admin',
      subjects: 'ServiceAccount kube-system/default',
    });
  });

  it('flags it whoever the caller is (no principal clause)', () => {
    expect(detect(rule, variant(clusterAdminToDefault(), SERVICE_ACCOUNT))).toBeDefined();
  });

  it('ignores other service accounts and a User called default', () => {
    const named = variant(clusterAdminToDefault(), {
      requestObject: { subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: 'ci' }] },
    });
    const user = variant(clusterAdminToDefault(), {
      requestObject: { subjects: [{ kind: 'User', name: 'default' }] },
    });
    expect(detect(rule, named)).toBeUndefined();
    expect(detect(rule, user)).toBeUndefined();
  });

  it('ignores roles other than cluster-admin and admin', () => {
    const edit = variant(clusterAdminToDefault(), { requestObject: { roleRef: { name: 'edit' } } });
    expect(detect(rule, edit)).toBeUndefined();
  });

  it('ignores updates (create only)', () => {
    expect(detect(rule, variant(clusterAdminToDefault(), { verb: 'update' }))).toBeUndefined();
  });
});
