import {
  DescribeAccessEntryCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  paginateDescribeClusterVersions,
  paginateListAccessEntries,
  paginateListAddons,
  paginateListAssociatedAccessPolicies,
  paginateListNodegroups,
  paginateListPodIdentityAssociations,
} from '@aws-sdk/client-eks';
import type { AccessEntrySnapshot, AwsSnapshot } from '#core/posture/snapshot.ts';
import { errorName, mapLimited, type Unavailable, unavailableReason } from './collect-support.ts';

export interface EksSnapshotOptions {
  /** Concurrent Describe* calls. @default 5 */
  concurrency?: number;
}

export interface EksCollection {
  aws: AwsSnapshot;
  unavailable: Unavailable;
}

async function collect<T>(pages: AsyncIterable<object>, member: string): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages)
    all.push(...(((page as Record<string, unknown>)[member] as T[] | undefined) ?? []));
  return all;
}

/**
 * Reads what the AWS-side checks need from EKS: the cluster, supported versions, add-ons, access
 * entries with their policies, node groups and Pod Identity associations. Every List* call is
 * paginated with the SDK paginators. A denied or failed call marks its resource type unavailable
 * (the checks reading it are skipped with that reason) and the collection goes on.
 */
export async function collectEksSnapshot(
  eks: EKSClient,
  clusterName: string,
  options: EksSnapshotOptions = {},
): Promise<EksCollection> {
  const concurrency = options.concurrency ?? 5;
  const aws: AwsSnapshot = {};
  const unavailable: Unavailable = {};
  const paging = { client: eks };

  await Promise.all([
    (async () => {
      try {
        const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
        if (cluster !== undefined) aws.cluster = cluster as Record<string, unknown>;
      } catch (error) {
        unavailable['eks:cluster'] = unavailableReason('eks:DescribeCluster', error);
      }
    })(),
    (async () => {
      try {
        aws.supportedVersions = await collect(paginateDescribeClusterVersions(paging, {}), 'clusterVersions');
      } catch (error) {
        unavailable['eks:clusterVersions'] = unavailableReason('eks:DescribeClusterVersions', error);
      }
    })(),
    (async () => {
      try {
        const names = await collect<string>(paginateListAddons(paging, { clusterName }), 'addons');
        aws.addons = await mapLimited(names, concurrency, async (addonName) => {
          const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }));
          return (addon ?? { addonName }) as Record<string, unknown>;
        });
      } catch (error) {
        unavailable['eks:addons'] = unavailableReason('eks:ListAddons/DescribeAddon', error);
      }
    })(),
    (async () => {
      try {
        aws.accessEntries = await accessEntries(eks, clusterName, concurrency);
      } catch (error) {
        // CONFIG_MAP clusters refuse the access-entry APIs: no entries exist, nothing is hidden.
        if (errorName(error) === 'InvalidRequestException') aws.accessEntries = [];
        else unavailable['eks:accessEntries'] = unavailableReason('eks:ListAccessEntries', error);
      }
    })(),
    (async () => {
      try {
        const names = await collect<string>(paginateListNodegroups(paging, { clusterName }), 'nodegroups');
        aws.nodegroups = await mapLimited(names, concurrency, async (nodegroupName) => {
          const { nodegroup } = await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
          return (nodegroup ?? { nodegroupName }) as Record<string, unknown>;
        });
      } catch (error) {
        unavailable['eks:nodegroups'] = unavailableReason('eks:ListNodegroups/DescribeNodegroup', error);
      }
    })(),
    (async () => {
      try {
        aws.podIdentityAssociations = await collect(
          paginateListPodIdentityAssociations(paging, { clusterName }),
          'associations',
        );
      } catch {
        // Optional evidence for KP-027 (IRSA annotations are read too): leave it out.
      }
    })(),
  ]);
  return { aws, unavailable };
}

async function accessEntries(
  eks: EKSClient,
  clusterName: string,
  concurrency: number,
): Promise<AccessEntrySnapshot[]> {
  const paging = { client: eks };
  const principals = await collect<string>(
    paginateListAccessEntries(paging, { clusterName }),
    'accessEntries',
  );
  return mapLimited(principals, concurrency, async (principalArn) => {
    const [{ accessEntry }, policies] = await Promise.all([
      eks.send(new DescribeAccessEntryCommand({ clusterName, principalArn })),
      collect<Record<string, unknown>>(
        paginateListAssociatedAccessPolicies(paging, { clusterName, principalArn }),
        'associatedAccessPolicies',
      ),
    ]);
    return { entry: (accessEntry ?? { principalArn }) as Record<string, unknown>, policies };
  });
}
