import { Aws, Validations } from 'aws-cdk-lib';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ClusterConfig } from '#core/config/schema.ts';
import { ConfigError } from '#core/errors.ts';

/**
 * The posture audit's AWS read access and the evidence bucket's name. ARNs are written once, as
 * templates over the pseudo parameters: with CloudFormation tokens for the policy, and with the
 * `<AWS::…>` placeholders cdk-nag prints, so each wildcard's acknowledgment names exactly that ARN.
 */
export interface Pseudo {
  partition: string;
  account: string;
  region: string;
}

export const CFN_PSEUDO: Pseudo = { partition: Aws.PARTITION, account: Aws.ACCOUNT_ID, region: Aws.REGION };
const NAG_PSEUDO: Pseudo = {
  partition: '<AWS::Partition>',
  account: '<AWS::AccountId>',
  region: '<AWS::Region>',
};

/**
 * `<prefix>-evidence-<account>-<region>`, lower case: a fixed name, so the audit's role can name the
 * bucket's `audits/*` keys without importing the bucket's ARN from the stateful stack.
 */
export function evidenceBucketName(prefix: string, pseudo: Pseudo = CFN_PSEUDO): string {
  const lower = prefix.toLowerCase();
  // 63 characters at most: 12 for the account, up to 14 for the region, 11 for the rest.
  if (!/^[a-z0-9][a-z0-9-]{0,25}$/.test(lower)) {
    throw new ConfigError(
      `stack prefix "${prefix}" cannot start an S3 bucket name; use up to 26 letters, digits or hyphens`,
    );
  }
  return `${lower}-evidence-${pseudo.account}-${pseudo.region}`;
}

export interface Grant {
  sid: string;
  actions: string[];
  resources: (pseudo: Pseudo) => string[];
  /** Why a wildcard in these resources is needed (every wildcard gets this acknowledgment). */
  wildcardReason?: string;
  /** IAM conditions that narrow the grant further. */
  conditions?: Record<string, Record<string, unknown>>;
}

export function eksArn(pseudo: Pseudo, cluster: ClusterConfig, resource: string): string {
  return `arn:${pseudo.partition}:eks:${cluster.region}:${pseudo.account}:${resource}`;
}

function grants(clusters: readonly ClusterConfig[], bucketPrefix: string): Grant[] {
  // Member accounts' clusters are read through the member role (infra/stacks/member-account-stack.ts).
  return [
    ...clusterReadGrants(clusters.filter((cluster) => cluster.account === undefined)),
    {
      sid: 'StoreAuditExports',
      actions: ['s3:PutObject'],
      resources: (p) => [`arn:${p.partition}:s3:::${evidenceBucketName(bucketPrefix, p)}/audits/*`],
      wildcardReason:
        'Each audit writes new keys audits/<cluster>/<time>/report.{json,md,csv}; the wildcard stays under ' +
        'the audits/ prefix of the evidence bucket.',
    },
  ];
}

/**
 * What the posture audit reads in the account of `clusters` (all in one account, the pseudo
 * parameters' account): the clusters by ARN, GuardDuty and Secrets Manager metadata in their regions,
 * Inspector's findings (the posture audit's supply-chain checks and the image-findings function).
 */
export function clusterReadGrants(clusters: readonly ClusterConfig[]): Grant[] {
  if (clusters.length === 0) return [];
  const regions = [...new Set(clusters.map((cluster) => cluster.region))];
  return [
    {
      sid: 'DescribeConfiguredClusters',
      actions: [
        'eks:DescribeCluster',
        'eks:ListAddons',
        'eks:ListAccessEntries',
        'eks:ListNodegroups',
        'eks:ListPodIdentityAssociations',
      ],
      resources: (p) => clusters.map((cluster) => eksArn(p, cluster, `cluster/${cluster.name}`)),
    },
    {
      sid: 'DescribeClusterParts',
      actions: [
        'eks:DescribeAddon',
        'eks:DescribeAccessEntry',
        'eks:ListAssociatedAccessPolicies',
        'eks:DescribeNodegroup',
      ],
      resources: (p) =>
        clusters.flatMap((cluster) => [
          eksArn(p, cluster, `addon/${cluster.name}/*`),
          eksArn(p, cluster, `access-entry/${cluster.name}/*`),
          eksArn(p, cluster, `nodegroup/${cluster.name}/*`),
        ]),
      wildcardReason:
        'Add-on, access-entry and node-group ARNs end in names and ids created with them; the wildcard ' +
        'stays inside one configured cluster.',
    },
    {
      sid: 'ReadRegionWideSettings',
      actions: ['eks:DescribeClusterVersions', 'guardduty:ListDetectors', 'inspector2:ListFindings'],
      resources: () => ['*'],
      wildcardReason:
        'eks:DescribeClusterVersions, guardduty:ListDetectors and inspector2:ListFindings support no ' +
        'resource-level permissions; they only read region-wide settings (supported Kubernetes versions, ' +
        'detector ids) and Inspector’s findings on the account’s ECR images.',
    },
    {
      sid: 'ReadGuardDutyDetectors',
      actions: ['guardduty:GetDetector'],
      resources: (p) =>
        regions.map((region) => `arn:${p.partition}:guardduty:${region}:${p.account}:detector/*`),
      wildcardReason:
        'Detector ids are only known at run time (ListDetectors); the wildcard stays inside the clusters’ regions.',
    },
    {
      sid: 'DescribeReferencedSecrets',
      actions: ['secretsmanager:DescribeSecret'],
      resources: (p) =>
        regions.map((region) => `arn:${p.partition}:secretsmanager:${region}:${p.account}:secret:*`),
      wildcardReason:
        'The secrets a cluster references (ExternalSecrets, SecretProviderClasses) are only known at run ' +
        'time; DescribeSecret reads rotation metadata, never a secret value.',
    },
  ];
}

/**
 * The audit's read access as its own policy on the role: every configured cluster by ARN, GuardDuty
 * and Secrets Manager in the clusters' regions, and `s3:PutObject` under `audits/` of the evidence
 * bucket; each remaining wildcard acknowledged with its reason.
 */
export function postureAuditPolicy(
  scope: Construct,
  id: string,
  options: { role: IRole; clusters: readonly ClusterConfig[]; resourcePrefix: string },
): Policy {
  return policyFromGrants(scope, id, options.role, grants(options.clusters, options.resourcePrefix));
}

/**
 * What the action worker adds for `/k8s audit` and Show details: the posture audit's own grants
 * (the same collectors and exports), and reading reports back under `audits/` of the evidence bucket.
 */
export function onDemandAuditPolicy(
  scope: Construct,
  id: string,
  options: { role: IRole; clusters: readonly ClusterConfig[]; resourcePrefix: string },
): Policy {
  return policyFromGrants(scope, id, options.role, [
    ...grants(options.clusters, options.resourcePrefix),
    {
      sid: 'ReadAuditReports',
      actions: ['s3:GetObject'],
      resources: (p) => [`arn:${p.partition}:s3:::${evidenceBucketName(options.resourcePrefix, p)}/audits/*`],
      wildcardReason:
        'Show details reads the report.json of the audit its button names (audits/<cluster>/<time>/); the ' +
        'wildcard stays under the audits/ prefix of the evidence bucket.',
    },
  ]);
}

/**
 * A policy on `role` with one statement per grant; every wildcard resource is acknowledged to
 * cdk-nag with its grant's reason, by the exact ARN template cdk-nag reports.
 */
export function policyFromGrants(scope: Construct, id: string, role: IRole, all: readonly Grant[]): Policy {
  const policy = new Policy(scope, id, {
    roles: [role],
    statements: all.map(
      (grant) =>
        new PolicyStatement({
          sid: grant.sid,
          actions: grant.actions,
          resources: grant.resources(CFN_PSEUDO),
          ...(grant.conditions === undefined ? {} : { conditions: grant.conditions }),
        }),
    ),
  });
  const acknowledgments = all.flatMap((grant) =>
    grant.wildcardReason === undefined
      ? []
      : grant
          .resources(NAG_PSEUDO)
          .filter((resource) => resource.includes('*'))
          .map((resource) => ({
            id: `AwsSolutions-IAM5[Resource::${resource}]`,
            reason: grant.wildcardReason as string,
          })),
  );
  Validations.of(policy).acknowledge(...acknowledgments);
  return policy;
}
