/**
 * One rotation per secret at a time (decision D25). A rotation id makes one rotation idempotent
 * (D13), but two clicks make two ids: in `generate` mode each would store a value and restart every
 * consumer. Before its first write to Secrets Manager, a rotation therefore claims the secret for a
 * cooldown; a rotation of the same secret asked for within it, by any click, is not started and
 * reports the claiming rotation's progress instead.
 *
 * adapters/aws/rotation-claims.ts keeps claims in the findings table (one conditional write);
 * test/support/in-memory-rotation-claims.ts is the fake; one contract suite holds both.
 */

export interface RotationClaim {
  /** The secret's ARN (never its name: one secret, one claim). */
  secretArn: string;
  rotationId: string;
  /** When the rotation claimed the secret, ISO-8601. */
  startedAt: string;
  /** Who asked for it (Slack user, CLI user). */
  startedBy: string;
  /** Until when no other rotation of the secret starts, ISO-8601 (startedAt + the cooldown). */
  until: string;
}

export type ClaimResult = { claimed: true; claim: RotationClaim } | { claimed: false; holder: RotationClaim };

export interface RotationClaims {
  /** The claim on the secret that still holds at `at`, if any. */
  current(secretArn: string, at: string): Promise<RotationClaim | undefined>;
  /**
   * Claims the secret, atomically: granted when no claim holds at `at` (none, or expired), and for
   * the rotation that already holds it (a retry or a redelivery; its claim is returned unchanged).
   * Otherwise the holding claim comes back and nothing is written.
   */
  claim(claim: RotationClaim, at: string): Promise<ClaimResult>;
}

/** @default 15 minutes: `remediation.rotationCooldownMinutes` in kubeguard.config.json. */
export const DEFAULT_ROTATION_COOLDOWN_MS = 15 * 60_000;

/** The claim a rotation makes at `at` for `cooldownMs`. */
export function claimFor(
  input: { secretArn: string; rotationId: string; actor: string },
  at: string,
  cooldownMs: number,
): RotationClaim {
  return {
    secretArn: input.secretArn,
    rotationId: input.rotationId,
    startedAt: at,
    startedBy: input.actor,
    until: new Date(Date.parse(at) + cooldownMs).toISOString(),
  };
}

/** Whether `claim` still holds at `at`. */
export function holds(claim: RotationClaim, at: string): boolean {
  return Date.parse(claim.until) > Date.parse(at);
}
