import { CfnOutput, Stack } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ClusterConfig } from '#core/config/schema.ts';
import { ConfigError } from '#core/errors.ts';
import { physicalNames } from '../names.ts';
import { eksArn, evidenceBucketName, type Grant, policyFromGrants } from './posture-audit-access.ts';

/** The Kubernetes group bound to the kubeguard-remediation ClusterRole (deploy/kubernetes/rbac.yaml). */
export const REMEDIATION_KUBERNETES_GROUP = 'kubeguard-remediation';

/**
 * Secrets kubeguard may change carry this tag (opt-in), and its value says how:
 * `rotate` — rotation is configured and RotateSecret starts it; `generate` — kubeguard stores a
 * generated value with PutSecretValue. core/remediation/rotate-secret-plan.ts makes the same choice.
 */
export const ROTATION_TAG = 'kubeguard.io/rotation';
const TAG_CONDITION_KEY = `secretsmanager:ResourceTag/${ROTATION_TAG}`;

/**
 * cdk-nag reports a wildcard ARN once per policy, so the three `…:secret:*` statements share one
 * acknowledgment, which says what each of them allows.
 */
const SECRET_WILDCARD_REASON =
  'Which secret a finding involves is only known at run time, so the resource is every secret of the ' +
  `clusters' regions, narrowed by the ${ROTATION_TAG} tag value (StringEquals): DescribeSecret (metadata, never ` +
  'a value) where it is rotate or generate; RotateSecret only where it is rotate; PutSecretValue only where ' +
  'it is generate. Untagged secrets, and secrets tagged otherwise, are out of reach.';

function grants(
  clusters: readonly ClusterConfig[],
  resourcePrefix: string,
  rotationFunctionArns: readonly string[],
): Grant[] {
  // Member accounts' clusters are acted on through the member role (infra/stacks/member-account-stack.ts).
  const own = clusters.filter((cluster) => cluster.account === undefined);
  return [
    {
      sid: 'StoreForensicBundles',
      actions: ['s3:PutObject'],
      resources: (p) => [`arn:${p.partition}:s3:::${evidenceBucketName(resourcePrefix, p)}/forensics/*`],
      wildcardReason:
        'Every isolation writes a new bundle forensics/<cluster>/<namespace>/<pod>/<id>/…; the wildcard stays ' +
        'under the forensics/ prefix of the evidence bucket.',
    },
    ...clusterRemediationGrants(own, rotationFunctionArns),
  ];
}

/**
 * What remediation does in the account of `clusters` (all in one account, the pseudo parameters'
 * account): connect to the clusters, rotate or write opted-in secrets of their regions, start the
 * given rotation functions.
 */
export function clusterRemediationGrants(
  clusters: readonly ClusterConfig[],
  rotationFunctionArns: readonly string[],
): Grant[] {
  if (clusters.length === 0) return [];
  const regions = [...new Set(clusters.map((cluster) => cluster.region))];
  const secretArns = (p: { partition: string; account: string }) =>
    regions.map((region) => `arn:${p.partition}:secretsmanager:${region}:${p.account}:secret:*`);
  const tagged = (...values: string[]) => ({
    StringEquals: { [TAG_CONDITION_KEY]: values.length === 1 ? values[0] : values },
  });
  return [
    {
      sid: 'ConnectToConfiguredClusters',
      actions: ['eks:DescribeCluster'],
      resources: (p) => clusters.map((cluster) => eksArn(p, cluster, `cluster/${cluster.name}`)),
    },
    {
      sid: 'DescribeOptedInSecrets',
      actions: ['secretsmanager:DescribeSecret'],
      resources: secretArns,
      conditions: tagged('rotate', 'generate'),
      wildcardReason: SECRET_WILDCARD_REASON,
    },
    {
      sid: 'RotateSecretsTaggedRotate',
      actions: ['secretsmanager:RotateSecret'],
      resources: secretArns,
      conditions: tagged('rotate'),
      // Same wildcard ARN as DescribeOptedInSecrets: its acknowledgment covers this statement too.
    },
    {
      sid: 'WriteGeneratedValuesTaggedGenerate',
      actions: ['secretsmanager:PutSecretValue'],
      resources: secretArns,
      conditions: tagged('generate'),
      // Same wildcard ARN as DescribeOptedInSecrets: its acknowledgment covers this statement too.
    },
    {
      sid: 'GenerateSecretValues',
      actions: ['secretsmanager:GetRandomPassword'],
      resources: () => ['*'],
      wildcardReason: 'secretsmanager:GetRandomPassword has no resource; it returns a random string only.',
    },
    // RotateSecret needs lambda:InvokeFunction on the secret's rotation function: exactly the
    // configured ones, none when the list is empty (managed rotation needs none).
    ...(rotationFunctionArns.length === 0
      ? []
      : [
          {
            sid: 'StartConfiguredRotationFunctions',
            actions: ['lambda:InvokeFunction'],
            resources: () => [...rotationFunctionArns],
          },
        ]),
  ];
}

/** A rotation function outside the clusters' regions could never rotate a secret kubeguard reaches. */
function requireInClusterRegions(arns: readonly string[], clusters: readonly ClusterConfig[]): void {
  const regions = new Set(clusters.map((cluster) => cluster.region));
  for (const arn of arns) {
    const region = arn.split(':')[3] ?? '';
    if (!regions.has(region)) {
      throw new ConfigError(
        `remediation.rotationFunctionArns: ${arn} is in ${region}, but the clusters are in ${[...regions].join(', ')}; ` +
          "a secret is rotated by a function of its own region, so list the rotation functions of the clusters' region",
      );
    }
  }
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
    props: {
      clusters: readonly ClusterConfig[];
      resourcePrefix: string;
      /** `remediation.rotationFunctionArns`: the functions RotateSecret may start. @default [] */
      rotationFunctionArns?: readonly string[];
    },
  ) {
    super(scope, id);
    const rotationFunctionArns = props.rotationFunctionArns ?? [];
    requireInClusterRegions(rotationFunctionArns, props.clusters);
    this.role = new Role(this, 'WorkerRole', {
      // Member accounts' roles trust it by name (infra/stacks/member-account-stack.ts).
      roleName: physicalNames(props.resourcePrefix).actionWorkerRole,
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'kubeguard remediation worker: isolate, release, cordon, rotate (Kubernetes RBAC: kubeguard-remediation)',
    });
    policyFromGrants(
      this,
      'WorkerPolicy',
      this.role,
      grants(props.clusters, props.resourcePrefix, rotationFunctionArns),
    );
    // An access entry lives in its cluster's account and region: the other clusters get theirs from
    // the regional and member-account stacks (infra/kubeguard-app.ts).
    const region = Stack.of(this).region;
    this.accessEntries = remediationAccessEntries(
      this,
      props.clusters.filter((cluster) => cluster.account === undefined && cluster.region === region),
      this.role.roleArn,
      [REMEDIATION_KUBERNETES_GROUP],
    );
    new CfnOutput(this, 'RemediationRoleArn', {
      value: this.role.roleArn,
      description: 'kubeguard remediation worker role; apply deploy/kubernetes/rbac.yaml in each cluster',
      // The name docs/deploy.md gives; an output inside a construct otherwise gets a path hash.
    }).overrideLogicalId('RemediationRoleArn');
  }
}

/** One EKS access entry per cluster (in the scope's account and region) putting `principalArn` in `groups`. */
export function remediationAccessEntries(
  scope: Construct,
  clusters: readonly ClusterConfig[],
  principalArn: string,
  groups: readonly string[],
): CfnAccessEntry[] {
  return clusters.map(
    (cluster) =>
      new CfnAccessEntry(scope, `AccessEntry-${cluster.name}`, {
        clusterName: cluster.name,
        principalArn,
        type: 'STANDARD',
        kubernetesGroups: [...groups],
      }),
  );
}
