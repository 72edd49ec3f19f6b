import { KubeguardError } from '#core/errors.ts';
import type { SecretDescription, SecretRotator } from '#core/remediation/secret-ports.ts';
import { loadAwsResponse } from './aws-fixtures.ts';

/**
 * A DescribeSecret fixture (test/fixtures/aws/secretsmanager-describe-secret-*.json) read as the
 * SecretRotator port returns it, with the version stages optionally replaced.
 */
export function describedSecret(
  fixture: string,
  overrides: { versionStages?: Record<string, string[]>; tags?: Record<string, string> } = {},
): SecretDescription {
  const response = loadAwsResponse<{
    ARN: string;
    Name: string;
    RotationEnabled?: boolean;
    RotationLambdaARN?: string;
    OwningService?: string;
    VersionIdsToStages?: Record<string, string[]>;
    Tags?: { Key: string; Value: string }[];
  }>(`secretsmanager-${fixture}.json`);
  return {
    arn: response.ARN,
    name: response.Name,
    rotationEnabled: response.RotationEnabled === true,
    ...(response.RotationLambdaARN ? { rotationLambdaArn: response.RotationLambdaARN } : {}),
    ...(response.OwningService ? { owningService: response.OwningService } : {}),
    versionStages: overrides.versionStages ?? response.VersionIdsToStages ?? {},
    tags: overrides.tags ?? Object.fromEntries((response.Tags ?? []).map((tag) => [tag.Key, tag.Value])),
  };
}

/**
 * An in-memory Secrets Manager for one secret, with the staging-label moves a finished rotation
 * makes. `rotation: 'completes'` finishes every started rotation during the wait; `'stuck'` leaves
 * it AWSPENDING and the wait fails as the adapter's does.
 */
export class FakeSecretRotator implements SecretRotator {
  readonly calls: string[] = [];
  secret: SecretDescription;
  rotation: 'completes' | 'stuck' = 'completes';

  constructor(secret: SecretDescription) {
    this.secret = structuredClone(secret);
  }

  async describe(secretId: string): Promise<SecretDescription> {
    this.calls.push(`describe ${secretId}`);
    this.requireKnown(secretId);
    return structuredClone(this.secret);
  }

  async startRotation(secretId: string, versionId: string): Promise<{ versionId: string }> {
    this.calls.push(`startRotation ${secretId} ${versionId}`);
    this.requireKnown(secretId);
    const stages = Object.values(this.secret.versionStages);
    if (stages.some((s) => s.includes('AWSPENDING') && !s.includes('AWSCURRENT'))) {
      throw new KubeguardError('CONFLICT', 'RotateSecret failed: a previous rotation is not complete');
    }
    this.secret.versionStages = { ...this.secret.versionStages, [versionId]: ['AWSPENDING'] };
    return { versionId };
  }

  async putGeneratedValue(secretId: string, versionId: string): Promise<{ versionId: string }> {
    this.calls.push(`putGeneratedValue ${secretId} ${versionId}`);
    this.requireKnown(secretId);
    this.makeCurrent(versionId);
    return { versionId };
  }

  async waitUntilCurrent(secretId: string, versionId: string): Promise<SecretDescription> {
    this.calls.push(`waitUntilCurrent ${secretId} ${versionId}`);
    this.requireKnown(secretId);
    if (this.secret.versionStages[versionId]?.includes('AWSCURRENT')) return structuredClone(this.secret);
    if (this.rotation === 'stuck' || this.secret.versionStages[versionId] === undefined) {
      throw new KubeguardError(
        'UPSTREAM',
        `rotation of secret "${this.secret.name}" did not finish: ${versionId} is still AWSPENDING`,
      );
    }
    this.makeCurrent(versionId);
    return structuredClone(this.secret);
  }

  private makeCurrent(versionId: string): void {
    this.secret.versionStages = promoteToCurrent(this.secret.versionStages, versionId);
  }

  private requireKnown(secretId: string): void {
    if (secretId !== this.secret.arn && secretId !== this.secret.name) {
      throw new KubeguardError(
        'NOT_FOUND',
        `DescribeSecret on secret "${secretId}" failed: ResourceNotFoundException`,
      );
    }
  }
}

/**
 * The staging labels after `finishSecret` (or PutSecretValue) makes `versionId` AWSCURRENT: the
 * old current becomes AWSPREVIOUS, AWSPENDING goes, and versions left without a label drop out of
 * VersionIdsToStages.
 */
export function promoteToCurrent(
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
