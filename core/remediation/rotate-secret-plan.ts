import { CLUSTER_FORCE_SYNC_ANNOTATION } from '../secrets/external-secrets.ts';
import * as z from '../zod.ts';
import type { PlannedStep } from './action.ts';
import { arrayField, stringField } from './kube-objects.ts';
import type {
  ExternalSecretUse,
  ObjectKey,
  RestartableKind,
  SecretConsumers,
  UndeterminedUse,
  UnrestartableUse,
  WorkloadUse,
} from './secret-consumers.ts';
import { GENERATE_TAG, type SecretDescription, versionWithStage } from './secret-ports.ts';

/**
 * The pure half of rotate-secret: what to do with the secret, the cluster writes that follow, and
 * how to read the state left behind. No I/O here; rotate-secret.ts does the reads and writes.
 *
 * Retries: the rotation id is the new version's id in Secrets Manager (ClientRequestToken) and the
 * value of `kubeguard.io/rotation-id` on every ExternalSecret and workload the rotation touched, in
 * the same patch as the change itself. A second run with the same id therefore sees what is done —
 * the version is AWSCURRENT, the annotations are there — and plans only what is left.
 *
 * Every patch carries the uid of the object the plan listed (decision D24): an ExternalSecret or a
 * workload deleted and created again under the same name since the plan is not touched.
 */

/** Written on each ExternalSecret and workload together with the force-sync or restart. */
export const ROTATION_ID_ANNOTATION = 'kubeguard.io/rotation-id';
/** External Secrets Operator refreshes an ExternalSecret whose annotations change (`kubectl annotate es … force-sync=$(date +%s)`). */
export const FORCE_SYNC_ANNOTATION = 'force-sync';
/** What `kubectl rollout restart` sets on the pod template. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** A ClientRequestToken: 32–64 characters; letters, digits and hyphens keep it a valid annotation value. */
const ROTATION_ID = /^[A-Za-z0-9-]{32,64}$/;

export function isRotationId(value: string): boolean {
  return ROTATION_ID.test(value);
}

// ---------------------------------------------------------------- the secret

export type SecretOperation =
  /** Start the configured rotation (rotation function or managed rotation). */
  | 'RotateSecret'
  /** Store a generated value: no rotation configured, but the secret is tagged for it. */
  | 'PutSecretValue'
  /** This rotation id already started a rotation that has not finished: wait for it. */
  | 'WaitForRotation'
  /** This rotation id already made the current version: nothing to do in Secrets Manager. */
  | 'AlreadyRotated';

export type SecretDecision =
  | { kind: 'proceed'; operation: SecretOperation; currentVersionId?: string; previousVersionId?: string }
  | { kind: 'refuse'; code: 'CONFLICT' | 'PRECONDITION_FAILED'; reason: string; recommendation: string };

/** What the secret's state allows, given the rotation id (which is also the new version's id). */
export function decideSecretOperation(secret: SecretDescription, rotationId: string): SecretDecision {
  const current = versionWithStage(secret, 'AWSCURRENT');
  const ours = secret.versionStages[rotationId];
  if (ours !== undefined) {
    if (ours.includes('AWSCURRENT')) {
      return withVersions(
        { kind: 'proceed', operation: 'AlreadyRotated' },
        current,
        versionWithStage(secret, 'AWSPREVIOUS'),
      );
    }
    if (ours.includes('AWSPENDING'))
      return withVersions({ kind: 'proceed', operation: 'WaitForRotation' }, current, current);
    return {
      kind: 'refuse',
      code: 'CONFLICT',
      reason: `version ${rotationId} of secret "${secret.name}" was made by this rotation but is now ${ours.join(', ') || 'unlabelled'}: a later rotation has replaced it`,
      recommendation: 'start a new rotation (a new rotation id) if the secret must be rotated again',
    };
  }
  const pending = versionWithStage(secret, 'AWSPENDING');
  if (pending !== undefined && pending !== current) return inProgress(secret, pending, current);
  if (secret.rotationEnabled) {
    // The worker's IAM allows RotateSecret only where the tag is `rotate` (infra/constructs/remediation-access.ts).
    if (secret.tags[GENERATE_TAG.key] === GENERATE_TAG.value) return generateTagOnRotatingSecret(secret);
    return withVersions({ kind: 'proceed', operation: 'RotateSecret' }, current, current);
  }
  if (secret.tags[GENERATE_TAG.key] === GENERATE_TAG.value) {
    return withVersions({ kind: 'proceed', operation: 'PutSecretValue' }, current, current);
  }
  return notConfigured(secret);
}

function withVersions(
  decision: Extract<SecretDecision, { kind: 'proceed' }>,
  current: string | undefined,
  previous: string | undefined,
): SecretDecision {
  return {
    ...decision,
    ...(current !== undefined ? { currentVersionId: current } : {}),
    ...(previous !== undefined ? { previousVersionId: previous } : {}),
  };
}

function inProgress(secret: SecretDescription, pending: string, current: string | undefined): SecretDecision {
  const lambda =
    secret.rotationLambdaArn === undefined ? '' : ` (rotation function ${secret.rotationLambdaArn})`;
  return {
    kind: 'refuse',
    code: 'CONFLICT',
    reason:
      `a rotation of secret "${secret.name}" is already in progress or stuck: version ${pending} is AWSPENDING ` +
      `while AWSCURRENT is ${current ?? 'on no version'}; Secrets Manager refuses a new rotation until it ends`,
    recommendation:
      `wait for the running rotation to finish${lambda}; if it failed, fix the rotation function, then remove the ` +
      `stuck label (aws secretsmanager update-secret-version-stage --secret-id ${secret.arn} ` +
      `--version-stage AWSPENDING --remove-from-version-id ${pending}) and rotate again`,
  };
}

function generateTagOnRotatingSecret(secret: SecretDescription): SecretDecision {
  const lambda = secret.rotationLambdaArn === undefined ? '' : ` (${secret.rotationLambdaArn})`;
  return {
    kind: 'refuse',
    code: 'PRECONDITION_FAILED',
    reason:
      `secret "${secret.name}" has rotation configured${lambda} but is tagged ${GENERATE_TAG.key}=${GENERATE_TAG.value}, ` +
      'which lets kubeguard only write generated values into secrets without rotation',
    recommendation: `tag it ${GENERATE_TAG.key}=rotate to let kubeguard start its rotation (the worker role may call RotateSecret only on secrets tagged so)`,
  };
}

function notConfigured(secret: SecretDescription): SecretDecision {
  const cancelled =
    secret.rotationLambdaArn === undefined
      ? 'has no rotation configured'
      : `has rotation turned off (its former rotation function ${secret.rotationLambdaArn} is still recorded)`;
  return {
    kind: 'refuse',
    code: 'PRECONDITION_FAILED',
    reason: `secret "${secret.name}" ${cancelled}, so there is nothing that could make a new value`,
    recommendation:
      'configure rotation: a rotation function (aws secretsmanager rotate-secret --secret-id ' +
      `${secret.arn} --rotation-lambda-arn <function ARN> --rotation-rules ScheduleExpression="rate(30 days)") ` +
      'or managed rotation for service-owned secrets; or, for a secret that is a random value anyone may ' +
      `regenerate, tag it ${GENERATE_TAG.key}=${GENERATE_TAG.value} so kubeguard stores a generated value instead`,
  };
}

// ---------------------------------------------------------------- the plan

/** The controllers a restart is planned for (secret-consumers.ts finds them). */
const RESTARTABLE_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Rollout',
] as const satisfies readonly RestartableKind[];

const objectKeySchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
});

/** An object a patch is planned for: bound to its uid. */
const patchedObjectSchema = z.extend(objectKeySchema, { uid: z.string().check(z.minLength(1)) });

const externalSecretStateSchema = z.extend(patchedObjectSchema, {
  targetSecret: z.string(),
  /** The force-sync value: the epoch second the refresh was asked for (or is planned to be). */
  forceSync: z.string(),
  /** The force-sync was sent by an earlier run with the same rotation id. */
  alreadyForced: z.boolean(),
  /**
   * The ClusterExternalSecret that manages it: the force-sync goes there (its controller copies it
   * here and overwrites any set here directly), and `forceSync`/`alreadyForced` are its.
   */
  via: z.optional(z.string()),
  caveat: z.optional(z.string()),
});

const clusterExternalSecretStateSchema = z.extend(patchedObjectSchema, {
  forceSync: z.string(),
  alreadyForced: z.boolean(),
});

const workloadStateSchema = z.extend(patchedObjectSchema, {
  kind: z.enum(RESTARTABLE_KINDS),
  /** `env payments-api-credentials`, `csi volume checkout-aws-secrets`. */
  reads: z.array(z.string()),
  /** ExternalSecrets (`namespace/name`) that must have refreshed before the restart is useful. */
  waitsFor: z.array(z.string()),
  alreadyRestarted: z.boolean(),
  caveat: z.optional(z.string()),
});

export const rotationStateSchema = z.object({
  rotationId: z.string(),
  secret: z.object({
    arn: z.string(),
    name: z.string(),
    operation: z.enum(['RotateSecret', 'PutSecretValue', 'WaitForRotation', 'AlreadyRotated']),
    /** AWSCURRENT before this rotation. */
    previousVersionId: z.optional(z.string()),
    rotationLambdaArn: z.optional(z.string()),
  }),
  externalSecrets: z.array(externalSecretStateSchema),
  clusterExternalSecrets: z.array(clusterExternalSecretStateSchema),
  workloads: z.array(workloadStateSchema),
  notRestartable: z.array(z.extend(objectKeySchema, { reason: z.string(), reads: z.array(z.string()) })),
  undetermined: z.array(z.extend(objectKeySchema, { reason: z.string() })),
  /** Operators that are not installed, or kinds kubeguard could not list, and what that means. */
  notes: z.array(z.string()),
});

export type RotationState = z.infer<typeof rotationStateSchema>;
export type ExternalSecretState = RotationState['externalSecrets'][number];
export type ClusterExternalSecretState = RotationState['clusterExternalSecrets'][number];
export type WorkloadState = RotationState['workloads'][number];

/** What the plan needs of a listed object: its uid (the guard) and its annotations (what is done). */
export interface ListedFacts {
  uid?: string;
  annotations: Readonly<Record<string, string>>;
}

export interface RotationPlanInput {
  rotationId: string;
  secret: SecretDescription;
  decision: Extract<SecretDecision, { kind: 'proceed' }>;
  consumers: SecretConsumers;
  /** The listed ExternalSecrets and workloads, by `annotationKey` (`Kind\0namespace\0name`). */
  listed: ReadonlyMap<string, ListedFacts>;
  plannedAt: string;
  notes: readonly string[];
}

export interface RotationPlanParts {
  state: RotationState;
  /** Force-syncs first, then restarts: pods mounting a SecretProviderClass before pods reading what it syncs. */
  steps: PlannedStep[];
}

export function planRotation(input: RotationPlanInput): RotationPlanParts {
  const { rotationId, consumers, listed, plannedAt } = input;
  const epoch = String(Math.floor(Date.parse(plannedAt) / 1000));
  const unbound: RotationState['undetermined'] = [];
  /** The listed object's facts, or undefined (and an undetermined entry) when it was not listed. */
  const factsOf = (key: ObjectKey): (ListedFacts & { uid: string }) | undefined => {
    const facts = listed.get(annotationKey(key));
    if (facts?.uid !== undefined && facts.uid !== '') return { ...facts, uid: facts.uid };
    const byHand = key.kind.endsWith('ExternalSecret')
      ? 'force-sync it by hand once it exists'
      : 'restart it by hand';
    unbound.push({
      ...keyOf(key),
      reason: `not among the listed objects (or listed without a uid), so no change can be bound to it: ${byHand}`,
    });
    return undefined;
  };
  const clusterExternalSecrets = consumers.clusterExternalSecrets.flatMap((use) => {
    const facts = factsOf(use);
    return facts === undefined
      ? []
      : [forceSyncState(use, facts, rotationId, epoch, CLUSTER_FORCE_SYNC_ANNOTATION)];
  });
  const externalSecrets = consumers.externalSecrets.flatMap((use) => {
    const facts = factsOf(use);
    if (facts === undefined) return [];
    const manager = clusterExternalSecrets.find(
      (ces) => use.managedBy?.kind === 'ClusterExternalSecret' && ces.name === use.managedBy.name,
    );
    return [externalSecretState(use, facts, rotationId, epoch, manager)];
  });
  const writers = new Map(
    consumers.kubernetesSecrets.map((secret) => [`${secret.namespace}/${secret.name}`, secret.writtenBy]),
  );
  const workloads = orderForRestart(consumers.workloads).flatMap((use) => {
    const facts = factsOf(use);
    return facts === undefined ? [] : [workloadState(use, facts, rotationId, writers)];
  });
  const restartedAt = plannedAt.replace(/\.\d+Z$/, 'Z');
  const steps: PlannedStep[] = [
    ...clusterExternalSecrets
      .filter((ces) => !ces.alreadyForced)
      .map((ces) => clusterForceSyncStep(ces, rotationId)),
    ...externalSecrets
      .filter((es) => !es.alreadyForced && es.via === undefined)
      .map((es) => forceSyncStep(es, rotationId)),
    ...workloads.filter((w) => !w.alreadyRestarted).map((w) => restartStep(w, rotationId, restartedAt)),
  ];
  const state: RotationState = {
    rotationId,
    secret: {
      arn: input.secret.arn,
      name: input.secret.name,
      operation: input.decision.operation,
      ...(input.decision.previousVersionId ? { previousVersionId: input.decision.previousVersionId } : {}),
      ...(input.secret.rotationLambdaArn ? { rotationLambdaArn: input.secret.rotationLambdaArn } : {}),
    },
    externalSecrets,
    clusterExternalSecrets,
    workloads,
    notRestartable: consumers.unrestartable.map(notRestartableState),
    undetermined: [...consumers.undetermined.map(undeterminedState), ...unbound],
    notes: [...input.notes],
  };
  return { state, steps };
}

export function annotationKey(key: { kind: string; namespace: string; name: string }): string {
  return `${key.kind}\u0000${key.namespace}\u0000${key.name}`;
}

function externalSecretState(
  use: ExternalSecretUse,
  facts: ListedFacts & { uid: string },
  rotationId: string,
  epoch: string,
  manager: ClusterExternalSecretState | undefined,
): ExternalSecretState {
  const own = forceSyncState(use, facts, rotationId, epoch, FORCE_SYNC_ANNOTATION);
  return {
    ...own,
    targetSecret: use.targetSecret,
    ...(manager
      ? { forceSync: manager.forceSync, alreadyForced: manager.alreadyForced, via: manager.name }
      : {}),
    ...(use.refreshCaveat ? { caveat: use.refreshCaveat } : {}),
  };
}

/** The force-sync an ExternalSecret or ClusterExternalSecret gets, or already got from this rotation. */
function forceSyncState(
  key: ObjectKey,
  { uid, annotations }: ListedFacts & { uid: string },
  rotationId: string,
  epoch: string,
  annotation: string,
): ClusterExternalSecretState {
  const alreadyForced = annotations[ROTATION_ID_ANNOTATION] === rotationId;
  return {
    ...keyOf(key),
    uid,
    forceSync: alreadyForced ? (annotations[annotation] ?? epoch) : epoch,
    alreadyForced,
  };
}

function workloadState(
  use: WorkloadUse,
  { uid, annotations }: ListedFacts & { uid: string },
  rotationId: string,
  writers: ReadonlyMap<string, ObjectKey>,
): WorkloadState {
  const waitsFor = new Set<string>();
  for (const reference of use.references) {
    const writer =
      reference.secret === undefined ? undefined : writers.get(`${use.namespace}/${reference.secret}`);
    if (writer?.kind === 'ExternalSecret') waitsFor.add(`${writer.namespace}/${writer.name}`);
  }
  return {
    ...keyOf(use),
    uid,
    kind: use.kind,
    reads: [...new Set(use.references.map(describeReference))],
    waitsFor: [...waitsFor],
    alreadyRestarted: annotations[ROTATION_ID_ANNOTATION] === rotationId,
    ...(use.restartCaveat ? { caveat: use.restartCaveat } : {}),
  };
}

/**
 * The CSI driver rewrites the Secrets it syncs when a pod mounting the SecretProviderClass starts,
 * so those pods restart before pods that only read a synced Secret.
 */
function orderForRestart(workloads: readonly WorkloadUse[]): WorkloadUse[] {
  const mountsCsi = (use: WorkloadUse) => use.references.some((reference) => reference.via === 'csi volume');
  return [...workloads.filter(mountsCsi), ...workloads.filter((use) => !mountsCsi(use))];
}

function describeReference(reference: WorkloadUse['references'][number]): string {
  return `${reference.via} ${reference.secret ?? reference.secretProviderClass ?? ''}`.trim();
}

function notRestartableState(use: UnrestartableUse): RotationState['notRestartable'][number] {
  return { ...keyOf(use), reason: use.reason, reads: [...new Set(use.references.map(describeReference))] };
}

function undeterminedState(use: UndeterminedUse): RotationState['undetermined'][number] {
  return { ...keyOf(use), reason: use.reason };
}

function keyOf(key: ObjectKey): ObjectKey {
  return { apiVersion: key.apiVersion, kind: key.kind, namespace: key.namespace, name: key.name };
}

export function forceSyncStep(es: ExternalSecretState, rotationId: string): PlannedStep {
  return {
    op: 'patch',
    kind: 'ExternalSecret',
    namespace: es.namespace,
    name: es.name,
    patchType: 'merge',
    body: {
      metadata: {
        uid: es.uid,
        annotations: { [FORCE_SYNC_ANNOTATION]: es.forceSync, [ROTATION_ID_ANNOTATION]: rotationId },
      },
    },
    why:
      `make External Secrets Operator fetch the new version into Secret ${es.namespace}/${es.targetSecret} now ` +
      'instead of at its next refresh interval',
  };
}

/**
 * `kubectl annotate ces … external-secrets.io/force-sync=$(date +%s)`: the controller copies the
 * annotation to every ExternalSecret it manages, each of which then fetches again.
 */
export function clusterForceSyncStep(ces: ClusterExternalSecretState, rotationId: string): PlannedStep {
  return {
    op: 'patch',
    kind: 'ClusterExternalSecret',
    name: ces.name,
    patchType: 'merge',
    body: {
      metadata: {
        uid: ces.uid,
        annotations: { [CLUSTER_FORCE_SYNC_ANNOTATION]: ces.forceSync, [ROTATION_ID_ANNOTATION]: rotationId },
      },
    },
    why: 'make External Secrets Operator fetch the new version into every ExternalSecret this ClusterExternalSecret manages, now',
  };
}

export function restartStep(workload: WorkloadState, rotationId: string, restartedAt: string): PlannedStep {
  const reads = workload.reads.join(', ');
  if (workload.kind === 'Rollout') {
    // `kubectl argo rollouts restart`: the controller evicts, within maxUnavailable and the
    // PodDisruptionBudgets, every pod created before restartAt, without a canary or blue-green update.
    return {
      op: 'patch',
      kind: 'Rollout',
      namespace: workload.namespace,
      name: workload.name,
      patchType: 'merge',
      body: {
        metadata: { uid: workload.uid, annotations: { [ROTATION_ID_ANNOTATION]: rotationId } },
        spec: { restartAt: restartedAt },
      },
      why: `restart through Argo Rollouts (spec.restartAt) so new pods read the new value (${reads}); env vars never refresh in running pods`,
    };
  }
  return {
    op: 'patch',
    kind: workload.kind,
    namespace: workload.namespace,
    name: workload.name,
    patchType: 'strategic-merge',
    body: {
      metadata: { uid: workload.uid, annotations: { [ROTATION_ID_ANNOTATION]: rotationId } },
      spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } },
    },
    why: `rolling restart so new pods read the new value (${reads}); env vars never refresh in running pods`,
  };
}

// ---------------------------------------------------------------- reading the state back

export type SyncState =
  | { state: 'refreshed'; refreshTime: string }
  | { state: 'waiting'; refreshTime?: string }
  | { state: 'failed'; reason: string };

/**
 * Whether External Secrets Operator has refreshed the ExternalSecret since `sinceEpoch`:
 * `status.refreshTime` at or after it, with the Ready condition true. A Ready=False condition
 * newer than that is the operator's own error message.
 */
export function syncState(object: unknown, sinceEpoch: number): SyncState {
  const refreshTime = stringField(object, 'status', 'refreshTime');
  const refreshed = refreshTime !== undefined && Date.parse(refreshTime) / 1000 >= sinceEpoch;
  const conditions = arrayField(object, 'status', 'conditions');
  const ready = conditions.find((condition) => stringField(condition, 'type') === 'Ready');
  const readyStatus = stringField(ready, 'status');
  const transition = stringField(ready, 'lastTransitionTime');
  if (readyStatus === 'False' && transition !== undefined && Date.parse(transition) / 1000 >= sinceEpoch) {
    const message = stringField(ready, 'message') ?? stringField(ready, 'reason') ?? 'no message';
    return { state: 'failed', reason: `the operator reports Ready=False: ${message.slice(0, 300)}` };
  }
  if (refreshed && readyStatus !== 'False') return { state: 'refreshed', refreshTime };
  return refreshTime === undefined ? { state: 'waiting' } : { state: 'waiting', refreshTime };
}
