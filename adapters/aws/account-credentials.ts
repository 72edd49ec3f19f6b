import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { accountLabel, memberAccountOf } from '../../core/config/accounts.ts';
import type { ClusterConfig, KubeguardConfig, MemberAccount } from '../../core/config/schema.ts';
import { ConfigError, type ErrorCode, KubeguardError } from '../../core/errors.ts';

/**
 * The AWS credentials kubeguard uses for a configured cluster (D59): the function's own (the SDK's
 * default chain: the execution role) for a cluster of the home account; for a cluster of a member
 * account, temporary credentials of that account's `roleArn`, assumed with its `externalId`, so that
 * collection and actions there run as the member role and nothing else.
 */
export interface ClusterCredentials {
  /** Which credentials these are, for keying clients: `home` or the member account's id. */
  readonly key: string;
  /** Undefined for the home account: the SDK client's default chain (the execution role). */
  readonly credentials?: AwsCredentialIdentityProvider;
}

export interface AccountCredentials {
  forCluster(cluster: ClusterConfig): ClusterCredentials;
}

/** Assumed credentials are renewed when they have less than this left (the SDK renews at 5 minutes too). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** One hour: the default session of AssumeRole, and the member role's maximum unless raised. */
export const SESSION_SECONDS = 3600;

export interface AccountCredentialsOptions {
  config: Pick<KubeguardConfig, 'accounts'>;
  /** The function assuming the roles (`posture-audit`, `action-worker`): the session is `kubeguard-<function>`. */
  functionName: string;
  /**
   * Configuration of the STS client (region, endpoint, and the credentials it signs AssumeRole with).
   * @default the function's region and role
   */
  sts?: { region?: string; endpoint?: string; credentials?: AwsCredentialIdentity };
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * One cached credential provider per member account: AssumeRole runs once, then again when fewer
 * than REFRESH_BEFORE_EXPIRY_MS remain; concurrent callers share one call, and a failure is not
 * cached (the next call tries again) but fails with a message naming the account, the role and the fix.
 */
export function createAccountCredentials(options: AccountCredentialsOptions): AccountCredentials {
  const now = options.now ?? Date.now;
  const providers = new Map<string, AwsCredentialIdentityProvider>();
  const sessionName = roleSessionName(options.functionName);
  const providerFor = (account: MemberAccount): AwsCredentialIdentityProvider => {
    let provider = providers.get(account.id);
    if (provider === undefined) {
      const assume = fromTemporaryCredentials({
        params: {
          RoleArn: account.roleArn,
          ExternalId: account.externalId,
          RoleSessionName: sessionName,
          DurationSeconds: SESSION_SECONDS,
        },
        ...(options.sts === undefined ? {} : { clientConfig: stsClientConfig(options.sts) }),
      });
      const label = accountLabel(options.config, account.id);
      provider = cached(async () => {
        try {
          return await assume();
        } catch (error) {
          throw assumeRoleFailed(account, label, sessionName, error);
        }
      }, now);
      providers.set(account.id, provider);
    }
    return provider;
  };
  return {
    forCluster(cluster) {
      if (cluster.account === undefined) return { key: 'home' };
      const member = memberAccountOf(options.config, cluster);
      if (member === undefined) {
        // parseConfig refuses this; a hand-built config must not silently act as the home account.
        throw new ConfigError(
          `cluster ${JSON.stringify(cluster.name)} is in account ${cluster.account}, which is not in accounts[]; add it with its roleArn and externalId`,
        );
      }
      return { key: member.id, credentials: providerFor(member) };
    },
  };
}

/** `kubeguard-<function>`, within RoleSessionName's 64 characters of `[\w+=,.@-]`. */
export function roleSessionName(functionName: string): string {
  return `kubeguard-${functionName.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64);
}

function stsClientConfig(sts: NonNullable<AccountCredentialsOptions['sts']>) {
  return {
    ...(sts.region === undefined ? {} : { region: sts.region }),
    ...(sts.endpoint === undefined ? {} : { endpoint: sts.endpoint }),
    ...(sts.credentials === undefined ? {} : { credentials: sts.credentials }),
  };
}

/** Memoizes `load` until its credentials come within REFRESH_BEFORE_EXPIRY_MS of their expiration. */
function cached(
  load: () => Promise<AwsCredentialIdentity>,
  now: () => number,
): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expiresAt = Number.POSITIVE_INFINITY;
  return () => {
    if (current === undefined || expiresAt - now() < REFRESH_BEFORE_EXPIRY_MS) {
      const loading = load();
      current = loading;
      expiresAt = Number.POSITIVE_INFINITY;
      loading.then(
        (identity) => {
          if (current === loading) expiresAt = identity.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
        },
        () => {
          if (current === loading) current = undefined;
        },
      );
    }
    return current;
  };
}

function assumeRoleFailed(
  account: MemberAccount,
  label: string,
  sessionName: string,
  error: unknown,
): KubeguardError {
  const name = (error as { name?: unknown })?.name;
  const reason = `${typeof name === 'string' ? `${name}: ` : ''}${error instanceof Error ? error.message : String(error)}`;
  const code: ErrorCode =
    name === 'AccessDenied' || name === 'AccessDeniedException' ? 'FORBIDDEN' : 'UPSTREAM';
  return new KubeguardError(
    code,
    `cannot assume ${account.roleArn} in account ${label} (sts:AssumeRole as ${sessionName} failed: ${reason}); ` +
      'deploy the member-account stack in that account (it creates the role and trusts this deployment) ' +
      `and check that accounts[].externalId of ${account.id} matches the external id it was deployed with`,
    {
      cause: error,
      details: { account: account.id, roleArn: account.roleArn, sessionName },
    },
  );
}
