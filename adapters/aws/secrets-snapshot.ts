import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsSnapshot } from '#core/posture/snapshot.ts';
import {
  errorName,
  isAccessDenied,
  mapLimited,
  type Unavailable,
  unavailableReason,
  withoutMetadata,
} from './collect-support.ts';

export interface SecretsCollection {
  aws: Pick<AwsSnapshot, 'secrets'>;
  /** Referenced names/ARNs that do not exist in Secrets Manager (a dangling reference). */
  missing: string[];
  unavailable: Unavailable;
}

/**
 * DescribeSecret for each secret the cluster references (ExternalSecret keys, SecretProviderClass
 * objects). A denied secret makes the whole set unavailable — the rotation checks then say so
 * rather than silently judging only the secrets that happened to be readable.
 */
export async function collectSecretsSnapshot(
  secretsManager: SecretsManagerClient,
  secretIds: readonly string[],
): Promise<SecretsCollection> {
  const missing: string[] = [];
  const denied: string[] = [];
  let failure: string | undefined;
  const described = await mapLimited([...new Set(secretIds)], 5, async (secretId) => {
    try {
      return withoutMetadata(await secretsManager.send(new DescribeSecretCommand({ SecretId: secretId })));
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') missing.push(secretId);
      else if (isAccessDenied(error)) denied.push(secretId);
      else failure ??= unavailableReason(`secretsmanager:DescribeSecret ${secretId}`, error);
      return undefined;
    }
  });
  const unavailable: Unavailable = {};
  if (denied.length > 0) {
    unavailable['secretsmanager:secrets'] =
      `no permission to secretsmanager:DescribeSecret on ${denied.length} referenced secret(s): ${denied.slice(0, 3).join(', ')}`;
  } else if (failure !== undefined) {
    unavailable['secretsmanager:secrets'] = failure;
  }
  return {
    aws: { secrets: described.filter((secret) => secret !== undefined) },
    missing,
    unavailable,
  };
}
