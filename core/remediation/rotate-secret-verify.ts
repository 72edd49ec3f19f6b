import { CLUSTER_FORCE_SYNC_ANNOTATION } from '../secrets/external-secrets.ts';
import type { ActionContext, Verification } from './action.ts';
import { describeRef, findObject } from './kube-objects.ts';
import { type RolloutResult, type RolloutStatus, rolloutKey, rolloutStatus } from './rollouts.ts';
import {
  type ExternalSecretState,
  FORCE_SYNC_ANNOTATION,
  ROTATION_ID_ANNOTATION,
  type RotationState,
  syncState,
  type WorkloadState,
} from './rotate-secret-plan.ts';
import type { SecretRotator } from './secret-ports.ts';

/**
 * After a rotation, or any time later: read the secret and every planned consumer again and say
 * what holds — the versions before and after, which ExternalSecrets refreshed, and for each
 * workload whether it was restarted and whether its rollout is done, still rolling or failed.
 */

export interface RotationReport {
  secret: { name: string; arn: string; versionBefore?: string; versionAfter?: string; rotated: boolean };
  externalSecrets: { object: string; refreshed: boolean; detail: string }[];
  workloads: {
    object: string;
    restarted: boolean;
    /** `done`, `rolling` or `failed` once restarted. */
    rollout?: RolloutResult['outcome'];
    status?: RolloutStatus;
    detail: string;
  }[];
  notRestartable: { object: string; reason: string }[];
}

/**
 * Reads the secret and every planned consumer again. `waited` holds what execute's bounded wait saw
 * per workload (`Kind namespace/name`), so a rollout still going says how long it was waited for.
 */
export async function verifyRotation(
  state: RotationState,
  context: ActionContext,
  secrets: SecretRotator,
  waited: ReadonlyMap<string, RolloutResult> = new Map(),
): Promise<Verification> {
  const secret = await secrets.describe(state.secret.arn);
  const stages = secret.versionStages[state.rotationId] ?? [];
  const current = Object.entries(secret.versionStages).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
  const report: RotationReport = {
    secret: {
      name: secret.name,
      arn: secret.arn,
      ...(state.secret.previousVersionId ? { versionBefore: state.secret.previousVersionId } : {}),
      ...(current ? { versionAfter: current } : {}),
      rotated: stages.includes('AWSCURRENT'),
    },
    externalSecrets: [],
    workloads: [],
    notRestartable: state.notRestartable.map((item) => ({ object: describeRef(item), reason: item.reason })),
  };
  for (const es of state.externalSecrets)
    report.externalSecrets.push(await externalSecretReport(es, state, context));
  for (const workload of state.workloads) {
    report.workloads.push(await workloadReport(workload, state, context, waited.get(rolloutKey(workload))));
  }
  return verification(report, state);
}

async function externalSecretReport(
  es: ExternalSecretState,
  state: RotationState,
  context: ActionContext,
): Promise<RotationReport['externalSecrets'][number]> {
  const object = await findObject(context.kube, {
    kind: 'ExternalSecret',
    namespace: es.namespace,
    name: es.name,
  });
  const described = `ExternalSecret ${es.namespace}/${es.name}`;
  if (object === undefined) return { object: described, refreshed: false, detail: 'no longer exists' };
  if (object.metadata.uid !== es.uid) {
    return { object: described, refreshed: false, detail: replaced(es.uid, object.metadata.uid) };
  }
  // A managed ExternalSecret is force-synced through its ClusterExternalSecret, which carries the marks.
  const marked =
    es.via === undefined
      ? object
      : await findObject(context.kube, { kind: 'ClusterExternalSecret', name: es.via });
  const annotations = marked?.metadata.annotations ?? {};
  const annotation = es.via === undefined ? FORCE_SYNC_ANNOTATION : CLUSTER_FORCE_SYNC_ANNOTATION;
  const forced = annotations[ROTATION_ID_ANNOTATION] === state.rotationId;
  const sync = syncState(object, epochOr(annotations[annotation], epochOr(es.forceSync, 0)));
  return {
    object: described,
    refreshed: forced && sync.state === 'refreshed',
    detail: !forced ? 'force-sync not sent' : sync.state === 'failed' ? sync.reason : sync.state,
  };
}

async function workloadReport(
  workload: WorkloadState,
  state: RotationState,
  context: ActionContext,
  waited: RolloutResult | undefined,
): Promise<RotationReport['workloads'][number]> {
  const object = await findObject(context.kube, {
    kind: workload.kind,
    namespace: workload.namespace,
    name: workload.name,
  });
  const described = describeRef(workload);
  if (object === undefined) return { object: described, restarted: false, detail: 'no longer exists' };
  if (object.metadata.uid !== workload.uid) {
    return { object: described, restarted: false, detail: replaced(workload.uid, object.metadata.uid) };
  }
  if (object.metadata.annotations?.[ROTATION_ID_ANNOTATION] !== state.rotationId) {
    return { object: described, restarted: false, detail: 'not restarted' };
  }
  const status = rolloutStatus(workload.kind, object);
  const rollout = status.state === 'complete' ? 'done' : status.state === 'failed' ? 'failed' : 'rolling';
  const detail =
    rollout === 'done'
      ? `rollout done (${status.updated}/${status.desired} pods updated)`
      : rollout === 'failed'
        ? `rollout failed: ${status.detail}`
        : waited?.outcome === 'rolling'
          ? `${waited.summary.replace(/ \(.*\)$/, '')} (${status.detail})`
          : `rollout in progress (${status.detail})`;
  return { object: described, restarted: true, rollout, status, detail };
}

function verification(report: RotationReport, state: RotationState): Verification {
  const refreshed = report.externalSecrets.filter((es) => es.refreshed).length;
  const restarted = report.workloads.filter((w) => w.restarted);
  const count = (outcome: RolloutResult['outcome']) => restarted.filter((w) => w.rollout === outcome).length;
  const complete =
    report.secret.rotated &&
    refreshed === report.externalSecrets.length &&
    restarted.length === report.workloads.length &&
    count('done') === restarted.length;
  const secretPart = report.secret.rotated
    ? `${report.secret.name} rotated: version ${report.secret.versionBefore ?? '(none)'} → ${report.secret.versionAfter}`
    : `${report.secret.name} NOT rotated: version ${state.rotationId} is not AWSCURRENT (current: ${report.secret.versionAfter ?? 'none'})`;
  const rollouts = [
    `${count('done')} rolled out`,
    ...(count('rolling') > 0 ? [`${count('rolling')} still rolling`] : []),
    ...(count('failed') > 0 ? [`${count('failed')} failed`] : []),
  ].join(', ');
  const parts = [
    secretPart,
    `${refreshed}/${report.externalSecrets.length} ExternalSecrets refreshed`,
    `${restarted.length}/${report.workloads.length} workloads restarted, ${rollouts}`,
    ...(report.notRestartable.length > 0
      ? [`${report.notRestartable.length} not restartable by kubeguard`]
      : []),
  ];
  return { complete, summary: parts.join('; '), details: { ...report } };
}

function replaced(planned: string, current: string | undefined): string {
  return `replaced after the plan (uid ${planned} → ${current ?? 'none'}): not touched`;
}

/** A force-sync value read back from the cluster; someone else may have written something else there. */
export function epochOr(value: string | undefined, fallback: number): number {
  const epoch = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(epoch) ? epoch : fallback;
}
