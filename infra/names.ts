import type { ClusterConfig, KubeguardConfig } from '#core/config/schema.ts';

/**
 * Physical names that stacks in other regions and accounts use to name the home stacks' resources.
 * A CDK reference cannot cross a region or an account (and member templates must be plain, for
 * StackSets), so these resources carry fixed names built from the stack prefix, and every other
 * stack writes the same names (decision D57).
 */
export const physicalNames = (prefix: string) =>
  Object.freeze({
    /** The findings table (home region). */
    findingsTable: `${prefix}-findings`,
    /** Alert delivery, nudged after a finding is recorded, from any region. */
    deliveryFunction: `${prefix}-delivery`,
    /**
     * The role the posture audit runs as; member roles trust it by name. The image-findings
     * function runs as it too (D63): it reads the same clusters and Inspector in the same accounts.
     */
    postureAuditRole: `${prefix}-posture-audit`,
    /** The function matching Inspector's ECR image findings to running pods (home region). */
    imageFindingsFunction: `${prefix}-image-findings`,
    /** The role the action worker runs as (the remediation role); member roles trust it by name. */
    actionWorkerRole: `${prefix}-action-worker`,
    /** The CloudWatch Logs destination member accounts' audit logs are sent to, in every region. */
    auditLogsDestination: `${prefix}-audit-logs`,
    /** The function that posts alarms to the ops channel (home region); regional alarm topics invoke it. */
    alarmNotifierFunction: `${prefix}-alarm-notifier`,
    /** The alarm topic of a regional stack (an alarm can only notify a topic of its own region). */
    regionalAlarmTopic: `${prefix}-alarms`,
  });

/** A home account of a synthesized stack: the configured id, or the deploying account's. */
export type AccountRef = string;

export function iamRoleArn(partition: string, account: AccountRef, name: string): string {
  return `arn:${partition}:iam::${account}:role/${name}`;
}

export function lambdaFunctionArn(
  partition: string,
  region: string,
  account: AccountRef,
  name: string,
): string {
  return `arn:${partition}:lambda:${region}:${account}:function:${name}`;
}

export function dynamoTableArn(partition: string, region: string, account: AccountRef, name: string): string {
  return `arn:${partition}:dynamodb:${region}:${account}:table/${name}`;
}

export function logsDestinationArn(
  partition: string,
  region: string,
  account: AccountRef,
  name: string,
): string {
  return `arn:${partition}:logs:${region}:${account}:destination:${name}`;
}

export function snsTopicArn(partition: string, region: string, account: AccountRef, name: string): string {
  return `arn:${partition}:sns:${region}:${account}:${name}`;
}

export function defaultEventBusArn(partition: string, region: string, account: AccountRef): string {
  return `arn:${partition}:events:${region}:${account}:event-bus/default`;
}

/** Clusters of the home account (no `account`), in `region` when given. */
export function homeClusters(config: KubeguardConfig, region?: string): ClusterConfig[] {
  return config.clusters.filter(
    (cluster) => cluster.account === undefined && (region === undefined || cluster.region === region),
  );
}

/** Clusters of a member account, in `region` when given. */
export function memberClusters(config: KubeguardConfig, account: string, region?: string): ClusterConfig[] {
  return config.clusters.filter(
    (cluster) => cluster.account === account && (region === undefined || cluster.region === region),
  );
}

/** The member accounts with a cluster in `region`. */
export function memberAccountsIn(config: KubeguardConfig, region: string): string[] {
  return config.accounts
    .filter((account) => memberClusters(config, account.id, region).length > 0)
    .map((account) => account.id);
}
