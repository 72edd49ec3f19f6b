import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { adminAccessEntriesCheck } from '#core/posture/checks/kp-012-admin-access-entries.ts';
import { awsAuthMappings, awsAuthMastersCheck } from '#core/posture/checks/kp-013-aws-auth-masters.ts';
import type { AccessEntrySnapshot, KubeObject } from '#core/posture/snapshot.ts';
import { awsSnapshot, loadAwsResponse } from '#test/support/aws-fixtures.ts';

function entry(
  describeFixture: string,
  policiesFixture?: string,
  principalArn?: string,
): AccessEntrySnapshot {
  const described = loadAwsResponse<{ accessEntry: Record<string, unknown> }>(describeFixture).accessEntry;
  const policies =
    policiesFixture === undefined
      ? []
      : loadAwsResponse<{ associatedAccessPolicies: Record<string, unknown>[] }>(policiesFixture)
          .associatedAccessPolicies;
  return { entry: principalArn === undefined ? described : { ...described, principalArn }, policies };
}

describe('KP-012 cluster-admin access entries', () => {
  it('flags AmazonEKSClusterAdminPolicy at cluster scope and names the principal', () => {
    const accessEntries = [
      entry(
        'eks-describe-access-entry-standard.json',
        'eks-list-associated-access-policies-cluster-admin.json',
        'arn:aws:iam::111122223333:role/github-actions-deployer',
      ),
    ];
    const [result] = adminAccessEntriesCheck.evaluate(awsSnapshot({ accessEntries }));
    expect(result).toMatchObject({
      status: 'fail',
      object: { kind: 'AccessEntry', name: 'arn:aws:iam::111122223333:role/github-actions-deployer' },
    });
    expect(result?.message).toContain('AmazonEKSClusterAdminPolicy at accessScope.type "cluster"');
  });

  it('flags AmazonEKSAdminPolicy at cluster scope', () => {
    const accessEntries = [
      entry(
        'eks-describe-access-entry-standard.json',
        'eks-list-associated-access-policies-admin-cluster-scope.json',
      ),
    ];
    expect(adminAccessEntriesCheck.evaluate(awsSnapshot({ accessEntries }))[0]?.status).toBe('fail');
  });

  it('passes a namespace-scoped edit policy', () => {
    const accessEntries = [
      entry('eks-describe-access-entry-standard.json', 'eks-list-associated-access-policies-namespaced.json'),
    ];
    const [result] = adminAccessEntriesCheck.evaluate(awsSnapshot({ accessEntries }));
    expect(result?.status).toBe('pass');
    expect(result?.message).toContain('AmazonEKSEditPolicy');
  });

  it('passes a node-role entry (EC2_LINUX) without treating it as a human', () => {
    const [result] = adminAccessEntriesCheck.evaluate(
      awsSnapshot({ accessEntries: [entry('eks-describe-access-entry-ec2-linux.json')] }),
    );
    expect(result?.status).toBe('pass');
    expect(result?.message).toContain('EC2_LINUX');
  });

  it('gives no result when the cluster has no access entries (CONFIG_MAP mode)', () => {
    expect(adminAccessEntriesCheck.evaluate(awsSnapshot({ accessEntries: [] }))).toEqual([]);
  });
});

/** The aws-auth ConfigMap in the format of the EKS user guide (mapRoles / mapUsers YAML strings). */
const AWS_AUTH = parse(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - groups:
      - system:bootstrappers
      - system:nodes
      rolearn: arn:aws:iam::111122223333:role/my-node-role
      username: system:node:{{EC2PrivateDNSName}}
    - groups:
      - system:masters
      rolearn: arn:aws:iam::111122223333:role/Admin
      username: admin
  mapUsers: |
    - groups:
      - eks-console-dashboard-restricted-access-group
      userarn: arn:aws:iam::111122223333:user/my-user
      username: my-user
`) as KubeObject;

describe('KP-013 aws-auth system:masters', () => {
  it('reads mapRoles and mapUsers', () => {
    const { mappings, errors } = awsAuthMappings(AWS_AUTH);
    expect(errors).toEqual([]);
    expect(mappings.map((m) => m.path)).toEqual(['mapRoles[0]', 'mapRoles[1]', 'mapUsers[0]']);
  });

  it('flags the role mapped to system:masters and passes the others', () => {
    const results = awsAuthMastersCheck.evaluate(awsSnapshot({}, { objects: [AWS_AUTH] }));
    expect(results.map((r) => r.status)).toEqual(['pass', 'fail', 'pass']);
    const failure = results.find((r) => r.status === 'fail');
    expect(failure?.message).toContain(
      'data.mapRoles[1] maps arn:aws:iam::111122223333:role/Admin to group system:masters',
    );
    expect(failure?.object).toEqual({ kind: 'ConfigMap', namespace: 'kube-system', name: 'aws-auth' });
  });

  it('reports mapRoles that is not valid YAML', () => {
    const broken = { ...AWS_AUTH, data: { mapRoles: '- rolearn: [unclosed' } };
    const [result] = awsAuthMastersCheck.evaluate(awsSnapshot({}, { objects: [broken] }));
    expect(result?.status).toBe('fail');
    expect(result?.message).toContain('data.mapRoles is not valid YAML');
  });

  it('ignores ConfigMaps named aws-auth outside kube-system', () => {
    const elsewhere = { ...AWS_AUTH, metadata: { name: 'aws-auth', namespace: 'default' } };
    expect(awsAuthMastersCheck.evaluate(awsSnapshot({}, { objects: [elsewhere] }))).toEqual([]);
  });
});
