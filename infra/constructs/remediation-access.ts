import { CfnOutput } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ClusterConfig } from '#core/config/schema.ts';
import { eksArn, evidenceBucketName, type Grant, policyFromGrants } from './posture-audit-access.ts';

/** The Kubernetes group bound to the kubeguard-remediation ClusterRole (deploy/kubernetes/rbac.yaml). */
export const REMEDIATION_KUBERNETES_GROUP = 'kubeguard-remediation';

/** Secrets kubeguard may rotate carry this tag (opt-in): `rotate` (rotation configured) or `generate`. */
export const ROTATION_TAG = 'kubeguard.io/rotation';

function grants(clusters: readonly ClusterConfig[], resourcePrefix: string): Grant[] {
  const regions = [...new Set(clusters.map((cluster) => cluster.region))];
  const secretArns = (p: { partition: string; account: string }) =>
    regions.map((region) => `arn:${p.partition}:secretsmanager:${region}:${p.account}:secret:*`);
  return [
    {
      sid: 'ConnectToConfiguredClusters',
      actions: ['eks:DescribeCluster'],
      resources: (p) => clusters.map((cluster) => eksArn(p, cluster, `cluster/${cluster.name}`)),
    },
    {
      sid: 'StoreForensicBundles',
      actions: ['s3:PutObject'],
      resources: (p) => [`arn:${p.partition}:s3:::${evidenceBucketName(resourcePrefix, p)}/forensics/*`],
      wildcardReason:
        'Every isolation writes a new bundle forensics/<cluster>/<namespace>/<pod>/<id>/…; the wildcard stays ' +
        'under the forensics/ prefix of the evidence bucket.',
    },
    {
      sid: 'RotateOptedInSecrets',
      actions: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:RotateSecret',
        'secretsmanager:PutSecretValue',
      ],
      resources: secretArns,
      conditions: { Null: { [`secretsmanager:ResourceTag/${ROTATION_TAG}`]: 'false' } },
      wildcardReason:
        `Which secret a finding involves is only known at run time; the statement only applies to secrets ` +
        `tagged ${ROTATION_TAG} (an explicit opt-in) in the clusters' regions, and never reads a value.`,
    },
    {
      sid: 'GenerateSecretValues',
      actions: ['secretsmanager:GetRandomPassword'],
      resources: () => ['*'],
      wildcardReason: 'secretsmanager:GetRandomPassword has no resource; it returns a random string only.',
    },
    {
      sid: 'StartRotationFunctions',
      actions: ['lambda:InvokeFunction'],
      resources: (p) =>
        regions.map((region) => `arn:${p.partition}:lambda:${region}:${p.account}:function:*`),
      wildcardReason:
        'RotateSecret needs lambda:InvokeFunction on the secret’s rotation function, which each secret names ' +
        'itself; the wildcard stays inside this account and the clusters’ regions.',
    },
  ];
}

/**
 * The identity remediation runs as (isolate, release, cordon, rotate): an IAM role for the action
 * worker function, and in every configured cluster an EKS access entry that puts it in the
 * `kubeguard-remediation` group — which deploy/kubernetes/rbac.yaml binds to exactly the verbs the
 * actions declare. No EKS access policy is associated: Kubernetes RBAC alone decides.
 */
export class RemediationAccess extends Construct {
  readonly role: Role;
  readonly accessEntries: readonly CfnAccessEntry[];

  constructor(
    scope: Construct,
    id: string,
    props: { clusters: readonly ClusterConfig[]; resourcePrefix: string },
  ) {
    super(scope, id);
    this.role = new Role(this, 'WorkerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'kubeguard remediation worker: isolate, release, cordon, rotate (Kubernetes RBAC: kubeguard-remediation)',
    });
    policyFromGrants(this, 'WorkerPolicy', this.role, grants(props.clusters, props.resourcePrefix));
    this.accessEntries = props.clusters.map(
      (cluster) =>
        new CfnAccessEntry(this, `AccessEntry-${cluster.name}`, {
          clusterName: cluster.name,
          principalArn: this.role.roleArn,
          type: 'STANDARD',
          kubernetesGroups: [REMEDIATION_KUBERNETES_GROUP],
        }),
    );
    new CfnOutput(this, 'RemediationRoleArn', {
      value: this.role.roleArn,
      description: 'kubeguard remediation worker role; apply deploy/kubernetes/rbac.yaml in each cluster',
    });
  }
}
