import type { PreflightResult } from './action.ts';
import { ROTATION_ID_ANNOTATION } from './rotate-secret-plan.ts';
import type { RotationClaim } from './rotation-claims.ts';
import type { SecretDescription } from './secret-ports.ts';

/**
 * What a rotation asked for while another rotation of the same secret holds its claim reports
 * instead of starting (decision D25): that rotation's progress, read from Secrets Manager (its
 * version's stages) and from the cluster (the objects carrying its rotation id).
 */

export interface RotationProgress {
  rotationId: string;
  /** The stages of the version the rotation makes: `AWSCURRENT`, `AWSPENDING`, none yet. */
  versionStages: readonly string[];
  externalSecrets: { total: number; forceSynced: number };
  workloads: { total: number; restarted: number };
}

/** Counts the consumers whose annotations carry the rotation id. */
export function progressOf(
  rotationId: string,
  secret: SecretDescription,
  consumers: {
    externalSecrets: readonly (Readonly<Record<string, string>> | undefined)[];
    workloads: readonly (Readonly<Record<string, string>> | undefined)[];
  },
): RotationProgress {
  const carries = (annotations: Readonly<Record<string, string>> | undefined) =>
    annotations?.[ROTATION_ID_ANNOTATION] === rotationId;
  return {
    rotationId,
    versionStages: secret.versionStages[rotationId] ?? [],
    externalSecrets: {
      total: consumers.externalSecrets.length,
      forceSynced: consumers.externalSecrets.filter(carries).length,
    },
    workloads: { total: consumers.workloads.length, restarted: consumers.workloads.filter(carries).length },
  };
}

/** The skipped result a busy secret gives, in preflight and in execute alike. */
export function busySecret(
  target: string,
  secretName: string,
  holder: RotationClaim,
  progress: RotationProgress,
): Extract<PreflightResult, { status: 'skipped' }> {
  const stages = progress.versionStages;
  const version = stages.includes('AWSCURRENT')
    ? `its version ${holder.rotationId} is AWSCURRENT`
    : stages.includes('AWSPENDING')
      ? `its version ${holder.rotationId} is AWSPENDING (rotating)`
      : stages.length === 0
        ? `its version ${holder.rotationId} does not exist yet`
        : `its version ${holder.rotationId} is ${stages.join(', ')}`;
  const { externalSecrets: es, workloads } = progress;
  return {
    status: 'skipped',
    target,
    reason:
      `rotation ${holder.rotationId} of ${secretName}, started at ${holder.startedAt} by ${holder.startedBy}, holds the secret until ${holder.until} ` +
      `(one rotation per secret within the cooldown), so no other rotation starts: ${version}; ` +
      `it force-synced ${es.forceSynced}/${es.total} ExternalSecrets and restarted ${workloads.restarted}/${workloads.total} workloads`,
    recommendation: `follow that rotation (run rotate-secret with rotation id ${holder.rotationId} to resume or verify it), or rotate again after ${holder.until}`,
    facts: { code: 'CONFLICT', rotation: holder, progress },
  };
}
