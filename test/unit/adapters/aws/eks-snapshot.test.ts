import {
  DescribeAccessEntryCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListAddonsCommand,
  ListAssociatedAccessPoliciesCommand,
  ListNodegroupsCommand,
  ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectEksSnapshot } from '#adapters/aws/eks-snapshot.ts';
import { loadAwsResponse } from '#test/support/aws-fixtures.ts';

const eksMock = mockClient(EKSClient);
const eks = new EKSClient({ region: 'us-east-2' });

function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode } });
}

const DENIED = awsError(
  'AccessDeniedException',
  'User: arn:aws:sts::111122223333:assumed-role/kubeguard-audit/run is not authorized to perform: eks:DescribeCluster',
  403,
);

function mockHealthyCluster(): void {
  eksMock.on(DescribeClusterCommand).resolves(loadAwsResponse('eks-describe-cluster-public-restricted.json'));
  const versions = loadAwsResponse<{ clusterVersions: Record<string, unknown>[] }>(
    'eks-describe-cluster-versions.json',
  );
  // Two pages: the paginator must follow nextToken.
  eksMock
    .on(DescribeClusterVersionsCommand)
    .resolves({ clusterVersions: versions.clusterVersions.slice(0, 3), nextToken: 'page-2' })
    .on(DescribeClusterVersionsCommand, { nextToken: 'page-2' })
    .resolves({ clusterVersions: versions.clusterVersions.slice(3) });
  eksMock
    .on(ListAddonsCommand)
    .resolves({ addons: ['kube-proxy'], nextToken: 'more' })
    .on(ListAddonsCommand, { nextToken: 'more' })
    .resolves({ addons: ['vpc-cni'] });
  eksMock
    .on(DescribeAddonCommand, { addonName: 'vpc-cni' })
    .resolves(loadAwsResponse('eks-describe-addon-vpc-cni-netpol-on.json'))
    .on(DescribeAddonCommand, { addonName: 'kube-proxy' })
    .resolves({ addon: { addonName: 'kube-proxy', clusterName: 'my-eks-cluster', status: 'ACTIVE' } });
  eksMock.on(ListAccessEntriesCommand).resolves(loadAwsResponse('eks-list-access-entries.json'));
  eksMock.on(DescribeAccessEntryCommand).callsFake((input: { principalArn: string }) => {
    const entry = loadAwsResponse<{ accessEntry: Record<string, unknown> }>(
      'eks-describe-access-entry-standard.json',
    );
    return { accessEntry: { ...entry.accessEntry, principalArn: input.principalArn } };
  });
  eksMock
    .on(ListAssociatedAccessPoliciesCommand)
    .resolves({ associatedAccessPolicies: [] })
    .on(ListAssociatedAccessPoliciesCommand, { principalArn: 'arn:aws:iam::111122223333:role/Admin' })
    .resolves(loadAwsResponse('eks-list-associated-access-policies-admin-cluster-scope.json'));
  eksMock.on(ListNodegroupsCommand).resolves(loadAwsResponse('eks-list-nodegroups.json'));
  eksMock
    .on(DescribeNodegroupCommand, { nodegroupName: 'my-eks-nodegroup' })
    .resolves(loadAwsResponse('eks-describe-nodegroup.json'))
    .on(DescribeNodegroupCommand, { nodegroupName: 'my-eks-managed-node-group' })
    .resolves(loadAwsResponse('eks-describe-nodegroup-ssh-open.json'));
  eksMock.on(ListPodIdentityAssociationsCommand).resolves({ associations: [] });
}

describe('collectEksSnapshot', () => {
  beforeEach(() => {
    eksMock.reset();
  });

  it('collects the cluster, every page of versions and add-ons, access entries with policies, node groups', async () => {
    mockHealthyCluster();
    const { aws, unavailable } = await collectEksSnapshot(eks, 'my-eks-cluster');
    expect(unavailable).toEqual({});
    expect(aws.cluster?.name).toBe('my-eks-cluster');
    expect(aws.supportedVersions?.map((v) => v.clusterVersion)).toEqual([
      '1.35',
      '1.34',
      '1.33',
      '1.32',
      '1.31',
      '1.30',
      '1.29',
    ]);
    expect(aws.addons?.map((a) => a.addonName)).toEqual(['kube-proxy', 'vpc-cni']);
    expect(aws.accessEntries).toHaveLength(4);
    const admin = aws.accessEntries?.find(
      (e) => e.entry.principalArn === 'arn:aws:iam::111122223333:role/Admin',
    );
    expect(admin?.policies[0]?.policyArn).toBe('arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy');
    expect(aws.nodegroups?.map((n) => n.nodegroupName)).toEqual([
      'my-eks-managed-node-group',
      'my-eks-nodegroup',
    ]);
    expect(aws.cluster?.createdAt).toBeInstanceOf(Date);
  });

  it('marks a denied DescribeCluster unavailable and collects the rest', async () => {
    mockHealthyCluster();
    eksMock.on(DescribeClusterCommand).rejects(DENIED);
    const { aws, unavailable } = await collectEksSnapshot(eks, 'my-eks-cluster');
    expect(unavailable).toEqual({ 'eks:cluster': 'no permission to eks:DescribeCluster' });
    expect(aws.cluster).toBeUndefined();
    expect(aws.addons).toHaveLength(2);
  });

  it('reads a CONFIG_MAP cluster as having no access entries', async () => {
    mockHealthyCluster();
    eksMock
      .on(ListAccessEntriesCommand)
      .rejects(
        awsError(
          'InvalidRequestException',
          "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
          400,
        ),
      );
    const { aws, unavailable } = await collectEksSnapshot(eks, 'my-eks-cluster');
    expect(aws.accessEntries).toEqual([]);
    expect(unavailable['eks:accessEntries']).toBeUndefined();
  });

  it('names other failures with the error and goes on', async () => {
    mockHealthyCluster();
    eksMock.on(ListNodegroupsCommand).rejects(awsError('ServerException', 'internal error', 500));
    const { unavailable } = await collectEksSnapshot(eks, 'my-eks-cluster');
    expect(unavailable['eks:nodegroups']).toBe(
      'eks:ListNodegroups/DescribeNodegroup failed: ServerException: internal error',
    );
  });
});
