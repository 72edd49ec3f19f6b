import { Aws, CfnOutput, CliCredentialsStackSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import {
  ArnPrincipal,
  CompositePrincipal,
  type IRole,
  Policy,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import { CfnSubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ClusterConfig, KubeguardConfig, MemberAccount } from '#core/config/schema.ts';
import { clusterReadGrants, policyFromGrants } from '../constructs/posture-audit-access.ts';
import {
  clusterRemediationGrants,
  REMEDIATION_KUBERNETES_GROUP,
  remediationAccessEntries,
} from '../constructs/remediation-access.ts';
import { iamRoleArn, logsDestinationArn, memberClusters, physicalNames } from '../names.ts';

/** The Kubernetes group docs/deploy.md binds to the read-only `kubeguard-auditor` ClusterRole. */
export const AUDITOR_KUBERNETES_GROUP = 'kubeguard-auditors';

interface MemberStackProps extends StackProps {
  readonly config: KubeguardConfig;
  readonly member: MemberAccount;
  /** The home account's id: the roles trusted and the audit-log destinations are there. */
  readonly homeAccount: string;
  /** The prefix of the home deployment's physical names (infra/names.ts). */
  readonly resourcePrefix: string;
}

/**
 * What a member account needs, in its home-region stack (decision D57): the role kubeguard assumes
 * there — trusted only by the home account's posture-audit and action-worker roles, with the
 * account's external id, allowed only what those two do in a cluster's account, for this account's
 * clusters — and, for the account's clusters in this region, the audit-log subscription to the home
 * account's destination and the access entry that lets the role into the cluster.
 *
 * A plain template (no code asset, no lookup, no bootstrap parameter): `cdk synth` and a StackSet
 * deploy it into an account never bootstrapped; `cdk deploy` with the member account's credentials
 * uses no bootstrap role, but the CLI uploads the template through the bootstrap assets bucket.
 * The home stacks go first: IAM refuses a trust policy naming a role that does not exist yet.
 */
export class MemberAccountStack extends Stack {
  readonly role: Role;
  readonly regional: MemberClusterResources;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, { ...props, synthesizer: plainTemplate() });
    const { member, homeAccount, resourcePrefix } = props;
    const names = physicalNames(resourcePrefix);
    const { name, path } = roleNameAndPath(member.roleArn);
    const trusted = [names.postureAuditRole, names.actionWorkerRole].map(
      (role) => new ArnPrincipal(iamRoleArn(Aws.PARTITION, homeAccount, role)),
    );
    this.role = new Role(this, 'Role', {
      roleName: name,
      path,
      description: `kubeguard: assumed by the home account's posture audit and action worker (${homeAccount})`,
      assumedBy: new CompositePrincipal(...trusted).withConditions({
        StringEquals: { 'sts:ExternalId': member.externalId },
      }),
    });
    // Every cluster of the account, in every region: the role is global, the grants name regions.
    const clusters = memberClusters(props.config, member.id);
    const rotationFunctions = props.config.remediation.rotationFunctionArns.filter(
      (arn) => arn.split(':')[4] === member.id,
    );
    policyFromGrants(this, 'Access', this.role, [
      ...clusterReadGrants(clusters),
      ...clusterRemediationGrants(clusters, rotationFunctions),
    ]);
    this.regional = new MemberClusterResources(this, props, this.role.roleArn);
    new CfnOutput(this, 'MemberRoleArn', {
      value: this.role.roleArn,
      description: 'The role kubeguard assumes in this account: accounts[].roleArn of kubeguard.config.json',
    });
  }
}

/**
 * A member account's clusters in a region other than the home region: their audit-log subscriptions
 * and access entries, which must live in the clusters' region (the role stays in the home-region stack).
 */
export class MemberRegionStack extends Stack {
  readonly regional: MemberClusterResources;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, { ...props, synthesizer: plainTemplate() });
    this.regional = new MemberClusterResources(this, props, props.member.roleArn);
  }
}

/** The subscription filters and access entries of one member account's clusters in one region. */
class MemberClusterResources {
  readonly clusters: readonly ClusterConfig[];
  readonly subscriptions: readonly CfnSubscriptionFilter[];

  constructor(stack: Stack, props: MemberStackProps, roleArn: string) {
    const region = stack.region;
    this.clusters = memberClusters(props.config, props.member.id, region);
    const destination = logsDestinationArn(
      Aws.PARTITION,
      region,
      props.homeAccount,
      physicalNames(props.resourcePrefix).auditLogsDestination,
    );
    this.subscriptions = this.clusters.map(
      (cluster) =>
        new CfnSubscriptionFilter(stack, `AuditLogs-${cluster.name}`, {
          logGroupName: cluster.auditLogGroup,
          destinationArn: destination,
          // Every event: the detection rules decide what matters (as the home account's filters do).
          filterPattern: '',
          filterName: `kubeguard-${cluster.name}`,
        }),
    );
    // The role in the posture audit's read-only group and in the remediation group (deploy/kubernetes).
    remediationAccessEntries(stack, this.clusters, roleArn, [
      REMEDIATION_KUBERNETES_GROUP,
      AUDITOR_KUBERNETES_GROUP,
    ]);
  }
}

/**
 * Lets the home account's roles assume every member role (with the external id, which the adapters
 * send). The member roles' trust policies decide the rest.
 */
export function allowAssumingMemberRoles(
  scope: Construct,
  id: string,
  roles: readonly IRole[],
  accounts: readonly MemberAccount[],
): Policy | undefined {
  if (accounts.length === 0) return undefined;
  return new Policy(scope, id, {
    roles: [...roles],
    statements: [
      new PolicyStatement({
        sid: 'AssumeMemberAccountRoles',
        actions: ['sts:AssumeRole'],
        resources: accounts.map((account) => account.roleArn),
      }),
    ],
  });
}

/** `arn:aws:iam::222233334444:role/team/kubeguard` → name `kubeguard`, path `/team/`. */
function roleNameAndPath(roleArn: string): { name: string; path: string } {
  const resource = roleArn.slice(roleArn.indexOf(':role/') + ':role/'.length);
  const parts = resource.split('/');
  const name = parts.pop() as string;
  return { name, path: parts.length === 0 ? '/' : `/${parts.join('/')}/` };
}

/** Deployed with the caller's credentials, no bootstrap role, no parameters: a plain template. */
function plainTemplate(): CliCredentialsStackSynthesizer {
  return new CliCredentialsStackSynthesizer();
}
