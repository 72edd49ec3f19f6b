import type { PlannedStep } from './action.ts';
import { describeRef } from './kube-objects.ts';
import type { RotationState, SecretOperation } from './rotate-secret-plan.ts';

/** What a rotate-secret plan says it will do, and what it warns about, for the confirmation. */

const OPERATION_TEXT: Record<SecretOperation, (state: RotationState) => string> = {
  RotateSecret: (s) =>
    `RotateSecret ${s.secret.name} with its ${s.secret.rotationLambdaArn ? `rotation function ${s.secret.rotationLambdaArn}` : 'managed rotation'}: ` +
    `new version ${s.rotationId} becomes AWSCURRENT${s.secret.previousVersionId ? `, ${s.secret.previousVersionId} becomes AWSPREVIOUS` : ''}; ` +
    'the cluster is touched only once it is AWSCURRENT',
  PutSecretValue: (s) =>
    `no rotation is configured but ${s.secret.name} is tagged for generated values: Secrets Manager generates a random value ` +
    `(GetRandomPassword) stored as version ${s.rotationId} (AWSCURRENT); the value never reaches kubeguard's logs, records or Slack`,
  WaitForRotation: (s) =>
    `rotation ${s.rotationId} of ${s.secret.name} was started by an earlier run: wait until it is AWSCURRENT (no new rotation)`,
  AlreadyRotated: (s) =>
    `${s.secret.name} is already rotated by ${s.rotationId} (AWSCURRENT): Secrets Manager is not called again`,
};

export function planSummary(state: RotationState, steps: readonly PlannedStep[]): string {
  const count = (kind: string) => steps.filter((step) => step.op === 'patch' && step.kind === kind).length;
  const syncs = count('ExternalSecret');
  const clusterSyncs = count('ClusterExternalSecret');
  const restarts = steps.length - syncs - clusterSyncs;
  const secretPart =
    state.secret.operation === 'AlreadyRotated'
      ? `${state.secret.name} already rotated (version ${state.rotationId})`
      : state.secret.operation === 'WaitForRotation'
        ? `wait for rotation ${state.rotationId} of ${state.secret.name}`
        : `${state.secret.operation} ${state.secret.name} (new version ${state.rotationId})`;
  const clusterPart = clusterSyncs > 0 ? ` and ${plural(clusterSyncs, 'ClusterExternalSecret')}` : '';
  return `${secretPart}, force-sync ${plural(syncs, 'ExternalSecret')}${clusterPart}, restart ${plural(restarts, 'workload')}`;
}

export function planEffects(state: RotationState): string[] {
  const effects = [OPERATION_TEXT[state.secret.operation](state)];
  for (const ces of state.clusterExternalSecrets) {
    effects.push(
      ces.alreadyForced
        ? `ClusterExternalSecret ${ces.name}: force-sync already sent by this rotation`
        : `ClusterExternalSecret ${ces.name}: its controller copies the force-sync to every ExternalSecret it manages`,
    );
  }
  for (const es of state.externalSecrets) {
    const through = es.via === undefined ? '' : ` (through ClusterExternalSecret ${es.via})`;
    effects.push(
      es.alreadyForced
        ? `ExternalSecret ${es.namespace}/${es.name}: force-sync already sent by this rotation${through}; wait for its refresh`
        : `ExternalSecret ${es.namespace}/${es.name} refreshes Secret ${es.namespace}/${es.targetSecret}${through}; restarts of its readers wait for that refresh`,
    );
  }
  for (const workload of state.workloads) {
    const ref = describeRef(workload);
    effects.push(
      workload.alreadyRestarted
        ? `${ref}: already restarted by this rotation`
        : `${ref} rolls out new pods (reads ${workload.reads.join(', ')})`,
    );
  }
  for (const item of state.notRestartable) {
    effects.push(`${describeRef(item)} keeps the old value: ${item.reason}`);
  }
  if (state.workloads.length > 0) {
    effects.push(
      'until their rollout completes, old pods keep the old value; if the rotation invalidates it at once (single-user rotation), they fail until replaced',
    );
  }
  return effects;
}

export function planWarnings(state: RotationState): string[] {
  const warnings = [
    ...state.externalSecrets.flatMap((es) =>
      es.caveat ? [`ExternalSecret ${es.namespace}/${es.name}: ${es.caveat}`] : [],
    ),
    ...state.workloads.flatMap((w) => (w.caveat ? [`${describeRef(w)}: ${w.caveat}`] : [])),
    ...state.undetermined.map((item) => `${describeRef(item)} not evaluated: ${item.reason}`),
    ...state.notes,
  ];
  if (
    state.externalSecrets.length === 0 &&
    state.workloads.length === 0 &&
    state.notRestartable.length === 0
  ) {
    warnings.push(
      'no ExternalSecret, SecretProviderClass or workload in the cluster uses this secret: apps that call Secrets Manager themselves get the new version on their next read',
    );
  }
  return warnings;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
