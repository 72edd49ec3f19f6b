import { KubeguardError } from '../../core/errors.ts';
import type { SecretDescription, SecretRotator } from '../../core/remediation/secret-ports.ts';

/**
 * Secrets Manager for the sandbox: the secrets it is seeded with, nothing else, and the staging-label
 * moves a finished rotation makes (the new version becomes AWSCURRENT, the old one AWSPREVIOUS).
 * Rotate secret in the sandbox runs against this, never against AWS. No secret value exists here:
 * the port speaks in version ids only.
 */
export class InMemorySecretsManager implements SecretRotator {
  readonly #secrets: SecretDescription[];

  constructor(secrets: readonly SecretDescription[]) {
    this.#secrets = secrets.map((secret) => structuredClone(secret) as SecretDescription);
  }

  async describe(secretId: string): Promise<SecretDescription> {
    return structuredClone(this.#find(secretId, 'DescribeSecret'));
  }

  async startRotation(secretId: string, versionId: string): Promise<{ versionId: string }> {
    const secret = this.#find(secretId, 'RotateSecret');
    const pending = Object.values(secret.versionStages).some(
      (stages) => stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT'),
    );
    if (pending) {
      throw new KubeguardError(
        'CONFLICT',
        `RotateSecret on secret "${secret.name}" failed: a previous rotation is not complete`,
      );
    }
    // The rotation function of the real service finishes asynchronously; here it is already done.
    secret.versionStages = promoteToCurrent(secret.versionStages, versionId);
    return { versionId };
  }

  async putGeneratedValue(secretId: string, versionId: string): Promise<{ versionId: string }> {
    const secret = this.#find(secretId, 'PutSecretValue');
    secret.versionStages = promoteToCurrent(secret.versionStages, versionId);
    return { versionId };
  }

  async waitUntilCurrent(secretId: string, versionId: string): Promise<SecretDescription> {
    const secret = this.#find(secretId, 'DescribeSecret');
    if (!secret.versionStages[versionId]?.includes('AWSCURRENT')) {
      throw new KubeguardError(
        'UPSTREAM',
        `rotation of secret "${secret.name}" did not finish: version ${versionId} is not AWSCURRENT`,
      );
    }
    return structuredClone(secret);
  }

  #find(secretId: string, operation: string): SecretDescription {
    const secret = this.#secrets.find(
      (candidate) => candidate.arn === secretId || candidate.name === secretId,
    );
    if (secret === undefined) {
      throw new KubeguardError(
        'NOT_FOUND',
        `${operation} on secret "${secretId}" failed: ResourceNotFoundException (the sandbox knows ${this.#secrets.map((s) => s.name).join(', ')})`,
      );
    }
    return secret;
  }
}

/** The labels after `versionId` becomes AWSCURRENT: the old current AWSPREVIOUS, AWSPENDING gone. */
function promoteToCurrent(
  stages: Readonly<Record<string, readonly string[]>>,
  versionId: string,
): Record<string, string[]> {
  const next: Record<string, string[]> = {};
  for (const [id, labels] of Object.entries(stages)) {
    const kept = labels.filter((label) => !['AWSPREVIOUS', 'AWSPENDING', 'AWSCURRENT'].includes(label));
    if (labels.includes('AWSCURRENT') && id !== versionId) kept.push('AWSPREVIOUS');
    if (kept.length > 0) next[id] = kept;
  }
  next[versionId] = ['AWSCURRENT'];
  return next;
}
