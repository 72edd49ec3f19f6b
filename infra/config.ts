import { readFileSync } from 'node:fs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { type KubeguardConfig, parseConfig } from '#core/config/schema.ts';
import { ConfigError } from '#core/errors.ts';

/**
 * The configuration as the CDK app sees it: the typed, validated value it builds resources from, and
 * the file's own JSON (validated, minified) that it hands to every function as KUBEGUARD_CONFIG.
 *
 * The functions get the file's JSON rather than the parsed value because parsing fills in defaults
 * (the image allow-lists alone are ~2.4 KB) and Lambda allows 4 KB of environment in total; the
 * functions run the same `parseConfig` at cold start, so they see the same value, with the defaults of
 * the code they ship with.
 */
export interface LoadedConfig {
  readonly config: KubeguardConfig;
  readonly json: string;
}

/**
 * What `cdk synth -c account=… -c region=…` says about the home account and region. The file's
 * `home` is the source of truth; the context may fill in an account the file leaves out, and must
 * otherwise agree with it.
 */
export interface SynthContext {
  readonly account?: string;
  readonly region?: string;
}

/** Validates already-parsed JSON; `source` names it in error messages. */
export function loadConfig(
  raw: unknown,
  source = 'kubeguard.config.json',
  context: SynthContext = {},
): LoadedConfig {
  const parsed = parseConfig(raw, source);
  const config = withSynthContext(parsed, source, context);
  checkRegions(config, source);
  checkMemberAccounts(config, source);
  return { config, json: JSON.stringify(raw) };
}

/** Reads and validates a kubeguard.config.json file; every failure is a ConfigError naming the file. */
export function loadConfigFile(path: string, context: SynthContext = {}): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read configuration file ${path}: ${(error as Error).message} — create it (see docs/deploy.md) or pass another path with -c config=PATH`,
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`invalid ${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return loadConfig(raw, path, context);
}

function withSynthContext(config: KubeguardConfig, source: string, context: SynthContext): KubeguardConfig {
  const { account, region } = context;
  if (region !== undefined && region !== config.home.region) {
    throw new ConfigError(
      `-c region=${region} conflicts with ${source}: home.region "${config.home.region}" — the home stacks ` +
        'are deployed where the configuration says; drop -c region or change home.region',
    );
  }
  if (account === undefined) return config;
  if (!/^\d{12}$/.test(account)) {
    throw new ConfigError(`-c account=${account}: must be a 12-digit AWS account id such as 111122223333`);
  }
  if (config.home.account !== undefined && account !== config.home.account) {
    throw new ConfigError(
      `-c account=${account} conflicts with ${source}: home.account "${config.home.account}" — drop -c account ` +
        'or change home.account',
    );
  }
  const member = config.accounts.findIndex((candidate) => candidate.id === account);
  if (member !== -1) {
    throw new ConfigError(
      `-c account=${account} is accounts.${member} of ${source}, a member account; the home account must be ` +
        'another one (the delegated GuardDuty administrator, for instance)',
    );
  }
  if (config.home.account !== undefined) return config;
  return Object.freeze({ ...config, home: Object.freeze({ ...config.home, account }) });
}

/**
 * Every region must be one aws-cdk-lib knows, in the home region's partition: a typo such as
 * `us-east-7` passes the region pattern but would fail deployment of a whole regional stack.
 */
function checkRegions(config: KubeguardConfig, source: string): void {
  const partition = partitionOf(config.home.region, `home.region`, source);
  config.clusters.forEach((cluster, index) => {
    const field = `clusters.${index}.region`;
    const own = partitionOf(cluster.region, field, source);
    if (own !== partition) {
      throw new ConfigError(
        `invalid ${source}: ${field}: "${cluster.region}" is in partition ${own}, the home region ` +
          `"${config.home.region}" in ${partition}; one deployment cannot span partitions — deploy once per partition`,
      );
    }
  });
}

function partitionOf(region: string, field: string, source: string): string {
  const known = RegionInfo.regions.find((candidate) => candidate.name === region);
  if (known?.partition === undefined) {
    throw new ConfigError(
      `invalid ${source}: ${field}: "${region}" is not an AWS region (known: ${RegionInfo.regions
        .map((candidate) => candidate.name)
        .filter((name) => name.split('-')[0] === region.split('-')[0])
        .join(', ')}) — fix the region`,
    );
  }
  return known.partition;
}

/**
 * Member accounts' roles trust the home account's roles by ARN, and their audit logs go to the home
 * account's destination: both need the home account's id, which a template cannot look up.
 */
function checkMemberAccounts(config: KubeguardConfig, source: string): void {
  config.accounts.forEach((account, index) => {
    // The member stack creates the role under this name, and IAM allows 64 characters.
    const name = account.roleArn.slice(account.roleArn.lastIndexOf('/') + 1);
    if (name.length > 64) {
      throw new ConfigError(
        `invalid ${source}: accounts.${index}.roleArn: role name "${name}" is ${name.length} characters; ` +
          'IAM allows 64 — choose a shorter name (default kubeguard-member)',
      );
    }
  });
  if (config.accounts.length === 0 || config.home.account !== undefined) return;
  throw new ConfigError(
    `invalid ${source}: home.account is required when accounts lists member accounts (${config.accounts
      .map((account) => account.id)
      .join(', ')}): their roles trust the home account's roles by ARN — set home.account to the id of the ` +
      'account kubeguard is deployed to (or pass -c account=ID)',
  );
}
