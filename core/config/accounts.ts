import type { ClusterConfig, KubeguardConfig, MemberAccount } from './schema.ts';

/**
 * Accounts and regions of a configuration: one deployment in a home account and region watches
 * clusters in member accounts (reached by assuming a role there) and in other regions (reached
 * through a regional stack). docs/configuration.md `home`, `accounts`.
 */

/** The member account a cluster is in; undefined for a cluster of the home account. */
export function memberAccountOf(
  config: Pick<KubeguardConfig, 'accounts'>,
  cluster: Pick<ClusterConfig, 'account'>,
): MemberAccount | undefined {
  if (cluster.account === undefined) return undefined;
  return config.accounts.find((account) => account.id === cluster.account);
}

/**
 * Whether a cluster is in this account: a member account's cluster only in that account; a home
 * cluster in the home account when it is configured, else in any account that is not a member.
 */
export function clusterInAccount(config: KubeguardConfig, cluster: ClusterConfig, account: string): boolean {
  if (cluster.account !== undefined) return cluster.account === account;
  if (config.home.account !== undefined) return config.home.account === account;
  return !config.accounts.some((member) => member.id === account);
}

/**
 * The configured cluster a finding or an audit-log batch is about: by name, and by account when the
 * source says which (a cluster of the same name in another account is another cluster).
 */
export function configuredCluster(
  config: KubeguardConfig,
  name: string | undefined,
  account?: string,
): ClusterConfig | undefined {
  if (name === undefined) return undefined;
  const cluster = config.clusters.find((candidate) => candidate.name === name);
  if (cluster === undefined) return undefined;
  if (account === undefined || account === '') return cluster;
  return clusterInAccount(config, cluster, account) ? cluster : undefined;
}

/** `prod (222233334444)` for a member account, the id alone otherwise. */
export function accountLabel(config: Pick<KubeguardConfig, 'accounts'>, account: string): string {
  const member = config.accounts.find((candidate) => candidate.id === account);
  return member === undefined ? account : `${member.name} (${account})`;
}

/** Every region with a configured cluster, the home region first. */
export function configuredRegions(config: KubeguardConfig): string[] {
  const regions = [config.home.region];
  for (const cluster of config.clusters) if (!regions.includes(cluster.region)) regions.push(cluster.region);
  return regions;
}
