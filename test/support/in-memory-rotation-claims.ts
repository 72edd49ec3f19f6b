import type { ClaimResult, RotationClaim, RotationClaims } from '#core/remediation/rotation-claims.ts';
import { holds } from '#core/remediation/rotation-claims.ts';

/**
 * RotationClaims in memory, for unit tests and the rotate-secret harness; the contract suite
 * (test/integration/rotation-claims-contract.test.ts) holds it to the DynamoDB adapter's behaviour.
 */
export class InMemoryRotationClaims implements RotationClaims {
  readonly #claims = new Map<string, RotationClaim>();
  /** Every claim attempt, granted or not, in order. */
  readonly attempts: { rotationId: string; claimed: boolean }[] = [];

  async current(secretArn: string, at: string): Promise<RotationClaim | undefined> {
    const stored = this.#claims.get(secretArn);
    return stored !== undefined && holds(stored, at) ? { ...stored } : undefined;
  }

  async claim(claim: RotationClaim, at: string): Promise<ClaimResult> {
    const stored = this.#claims.get(claim.secretArn);
    if (stored !== undefined && holds(stored, at)) {
      const same = stored.rotationId === claim.rotationId;
      this.attempts.push({ rotationId: claim.rotationId, claimed: same });
      return same ? { claimed: true, claim: { ...stored } } : { claimed: false, holder: { ...stored } };
    }
    this.#claims.set(claim.secretArn, { ...claim });
    this.attempts.push({ rotationId: claim.rotationId, claimed: true });
    return { claimed: true, claim: { ...claim } };
  }
}
