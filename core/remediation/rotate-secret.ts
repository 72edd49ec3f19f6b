import type { Timers } from '../delivery/retry.ts';
import { KubeguardError } from '../errors.ts';
import { keyOf } from '../secrets/writers.ts';
import type { ActionContext, ActionMetadata, PreflightResult, RemediationAction } from './action.ts';
import { KUBE_KINDS, type KubeKind, type KubeObject, requireName } from './kube-objects.ts';
import type { KubeReader } from './ports.ts';
import { DEFAULT_ROLLOUT_WAIT, type RolloutWaitPolicy } from './rollouts.ts';
import { busySecret, progressOf } from './rotate-secret-busy.ts';
import {
  DEFAULT_SYNC_WAIT,
  executeRotation,
  rotationStateOf,
  type SyncWaitPolicy,
} from './rotate-secret-execute.ts';
import {
  annotationKey,
  decideSecretOperation,
  isRotationId,
  type ListedFacts,
  planRotation,
  type SecretDecision,
} from './rotate-secret-plan.ts';
import { planEffects, planSummary, planWarnings } from './rotate-secret-text.ts';
import { verifyRotation } from './rotate-secret-verify.ts';
import { DEFAULT_ROTATION_COOLDOWN_MS, type RotationClaims } from './rotation-claims.ts';
import { findSecretConsumers, type ObjectKey } from './secret-consumers.ts';
import type { SecretDescription, SecretRotator } from './secret-ports.ts';

export { DEFAULT_SYNC_WAIT, type SyncWaitPolicy } from './rotate-secret-execute.ts';
export type { RotationReport } from './rotate-secret-verify.ts';

/**
 * Rotate a Secrets Manager secret and restart what uses it (issue 5, "Rotate secret").
 *
 * 1. Secrets Manager: RotateSecret when rotation is configured, or — for secrets tagged
 *    `kubeguard.io/rotation=generate` — a generated value through PutSecretValue; then wait until
 *    the new version is AWSCURRENT. Otherwise the action is skipped and says what to configure.
 *    The rotation id is the new version's id, so a retry never rotates twice.
 * 2. ExternalSecrets that fetch the secret get a `force-sync` annotation (merge patch), and the
 *    action waits until External Secrets Operator reports a refresh: restarting earlier would only
 *    reload the old value.
 * 3. Deployments, StatefulSets and DaemonSets that read the resulting Kubernetes Secrets (env,
 *    envFrom, volumes) or mount the SecretProviderClass get a rolling restart
 *    (`kubectl.kubernetes.io/restartedAt`, strategic merge patch); Argo Rollouts get `spec.restartAt`
 *    (merge patch), which replaces their pods without a canary or blue-green update. Independent restarts go on when
 *    one fails; what is left is named, and a run with the same rotation id finishes it.
 * 4. Their rollouts are awaited, boundedly: each is reported done, still rolling after N s, or
 *    failed.
 *
 * One rotation per secret at a time (decision D25): before its first write to Secrets Manager a
 * rotation claims the secret for a cooldown (15 minutes by default); a rotation of the same secret
 * asked for within it, by any click, is skipped and reports the claiming rotation's progress.
 *
 * No secret value passes through here: the SecretRotator port speaks in version ids, and no
 * Kubernetes Secret is ever read.
 */

export interface RotateSecretRequest {
  /** Secret name or ARN. */
  secret: string;
  /**
   * Unique per rotation (e.g. the Slack action's request id), 32–64 letters, digits or hyphens.
   * It becomes the new version's id; running again with the same id resumes that rotation.
   */
  rotationId: string;
  /** Look for consumers only in these namespaces. @default every namespace */
  namespaces?: readonly string[];
}

export interface RotateSecretDependencies {
  secrets: SecretRotator;
  /** Where a rotation claims its secret for the cooldown. */
  claims: RotationClaims;
  /** For the waits on External Secrets Operator's refresh and on the rollouts. */
  timers: Timers;
  /** `remediation.rotationCooldownMinutes`, in ms. @default 900000 (15 minutes) */
  cooldownMs?: number;
  syncWait?: Partial<SyncWaitPolicy>;
  /** `remediation.rolloutWaitSeconds`, in ms, and the poll interval. @default 180000 and 5000 */
  rolloutWait?: Partial<RolloutWaitPolicy>;
}

export const ROTATE_SECRET_METADATA: ActionMetadata = {
  id: 'rotate-secret',
  title: 'Rotate secret',
  description:
    'Rotates a Secrets Manager secret (its configured rotation, or a generated value for secrets tagged ' +
    'kubeguard.io/rotation=generate), refreshes the ExternalSecrets that fetch it and restarts the workloads ' +
    'that read it. Not reversible: the previous value stays as AWSPREVIOUS.',
  rbac: [
    { apiGroup: 'external-secrets.io', resource: 'externalsecrets', verbs: ['get', 'list', 'patch'] },
    { apiGroup: 'external-secrets.io', resource: 'clusterexternalsecrets', verbs: ['get', 'list', 'patch'] },
    { apiGroup: '', resource: 'namespaces', verbs: ['list'] },
    { apiGroup: 'secrets-store.csi.x-k8s.io', resource: 'secretproviderclasses', verbs: ['list'] },
    { apiGroup: '', resource: 'pods', verbs: ['list'] },
    { apiGroup: 'apps', resource: 'replicasets', verbs: ['list'] },
    { apiGroup: 'apps', resource: 'deployments', verbs: ['get', 'list', 'patch'] },
    { apiGroup: 'apps', resource: 'statefulsets', verbs: ['get', 'list', 'patch'] },
    { apiGroup: 'apps', resource: 'daemonsets', verbs: ['get', 'list', 'patch'] },
    { apiGroup: 'argoproj.io', resource: 'rollouts', verbs: ['get', 'list', 'patch'] },
  ],
  iamActions: [
    'eks:DescribeCluster',
    'secretsmanager:DescribeSecret',
    'secretsmanager:RotateSecret',
    'lambda:InvokeFunction (the secret rotation function)',
    'secretsmanager:GetRandomPassword',
    'secretsmanager:PutSecretValue',
  ],
  example: {
    request: { secret: 'prod/payments/db', rotationId: '5d1c4a0e-7b7f-4f0c-9a55-0c9d1e2f3a4b' },
    summary:
      'RotateSecret prod/payments/db (new version 5d1c4a0e-…), force-sync ExternalSecret payments/db, restart Deployment payments/api and StatefulSet payments/ledger',
  },
};

/** Kinds read to find consumers; the operators' kinds may be absent from a cluster. */
const CONSUMER_KINDS: readonly { kind: KubeKind; optional?: string }[] = [
  { kind: 'ExternalSecret', optional: 'External Secrets Operator (external-secrets.io/v1)' },
  { kind: 'ClusterExternalSecret', optional: 'External Secrets Operator (external-secrets.io/v1)' },
  // The namespaces a ClusterExternalSecret's namespaceSelectors pick.
  { kind: 'Namespace' },
  { kind: 'SecretProviderClass', optional: 'Secrets Store CSI driver (secrets-store.csi.x-k8s.io/v1)' },
  { kind: 'Pod' },
  { kind: 'ReplicaSet' },
  { kind: 'Deployment' },
  { kind: 'StatefulSet' },
  { kind: 'DaemonSet' },
  { kind: 'Rollout', optional: 'Argo Rollouts (argoproj.io/v1alpha1)' },
];

export function createRotateSecretAction(
  deps: RotateSecretDependencies,
): RemediationAction<RotateSecretRequest> {
  const execution = {
    secrets: deps.secrets,
    claims: deps.claims,
    timers: deps.timers,
    cooldownMs: deps.cooldownMs ?? DEFAULT_ROTATION_COOLDOWN_MS,
    syncWait: { ...DEFAULT_SYNC_WAIT, ...deps.syncWait },
    rolloutWait: { ...DEFAULT_ROLLOUT_WAIT, ...deps.rolloutWait },
  };
  return {
    metadata: ROTATE_SECRET_METADATA,
    preflight: (request, context) => preflight(request, context, deps),
    execute: (plan, context) => executeRotation(plan, context, execution),
    verify: (plan, context) => verifyRotation(rotationStateOf(plan), context, deps.secrets),
  };
}

// ---------------------------------------------------------------- preflight

async function preflight(
  request: RotateSecretRequest,
  context: ActionContext,
  deps: RotateSecretDependencies,
): Promise<PreflightResult> {
  validate(request);
  const secret = await deps.secrets.describe(request.secret);
  const target = secretTarget(secret.name);
  const plannedAt = context.clock();
  // Another rotation's claim comes first: its progress says more than the stages it left.
  const holder = await deps.claims.current(secret.arn, plannedAt);
  const busy = holder !== undefined && holder.rotationId !== request.rotationId ? holder : undefined;
  const decision = decideSecretOperation(secret, request.rotationId);
  if (busy === undefined && decision.kind === 'refuse') return refusal(target, secret, decision);
  const { objects, notes } = await listConsumerObjects(context.kube, request.namespaces);
  const consumers = findSecretConsumers({ name: secret.name, arn: secret.arn, tags: secret.tags }, objects);
  const listed = listedIndex(objects);
  if (busy !== undefined) {
    // A managed ExternalSecret carries this rotation's marks on its ClusterExternalSecret.
    const annotationsOf = (key: ObjectKey & { managedBy?: ObjectKey }) =>
      listed.get(annotationKey(key.managedBy?.kind === 'ClusterExternalSecret' ? key.managedBy : key))
        ?.annotations;
    return busySecret(
      target,
      secret.name,
      busy,
      progressOf(busy.rotationId, secret, {
        externalSecrets: consumers.externalSecrets.map(annotationsOf),
        workloads: consumers.workloads.map(annotationsOf),
      }),
    );
  }
  if (decision.kind === 'refuse') return refusal(target, secret, decision);
  const { state, steps } = planRotation({
    rotationId: request.rotationId,
    secret,
    decision,
    consumers,
    listed,
    plannedAt,
    notes,
  });
  return {
    status: 'ready',
    plan: {
      action: 'rotate-secret',
      target,
      plannedAt,
      summary: planSummary(state, steps),
      steps,
      effects: planEffects(state),
      warnings: planWarnings(state),
      state,
    },
  };
}

/** What the secret's own state refuses (a rotation in progress or stuck, no rotation configured). */
function refusal(
  target: string,
  secret: SecretDescription,
  decision: Extract<SecretDecision, { kind: 'refuse' }>,
): PreflightResult {
  return {
    status: 'skipped',
    target,
    reason: decision.reason,
    recommendation: decision.recommendation,
    facts: { code: decision.code, arn: secret.arn, versionStages: secret.versionStages },
  };
}

function validate(request: RotateSecretRequest): void {
  if (typeof request.secret !== 'string' || request.secret.trim() === '' || request.secret.length > 2048) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `secret must be a Secrets Manager secret name or ARN; received ${JSON.stringify(String(request.secret).slice(0, 100))}`,
      { details: { secret: String(request.secret).slice(0, 100) } },
    );
  }
  if (typeof request.rotationId !== 'string' || !isRotationId(request.rotationId)) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `rotationId must be 32–64 letters, digits or hyphens (it becomes the new secret version's id), e.g. a UUID; received ${JSON.stringify(String(request.rotationId).slice(0, 100))}`,
      { details: { rotationId: String(request.rotationId).slice(0, 100) } },
    );
  }
  for (const namespace of request.namespaces ?? []) requireName(namespace, 'namespace');
}

async function listConsumerObjects(
  kube: KubeReader,
  namespaces: readonly string[] | undefined,
): Promise<{ objects: KubeObject[]; notes: string[] }> {
  const objects: KubeObject[] = [];
  const notes: string[] = [];
  const scopes = namespaces === undefined || namespaces.length === 0 ? [undefined] : namespaces;
  for (const { kind, optional } of CONSUMER_KINDS) {
    try {
      // Cluster-scoped kinds (ClusterExternalSecret, Namespace) are listed once, whatever the scope.
      for (const namespace of KUBE_KINDS[kind].namespaced ? scopes : [undefined]) {
        objects.push(...(await kube.list({ kind, ...(namespace ? { namespace } : {}) })));
      }
    } catch (error) {
      if (optional === undefined || !(error instanceof KubeguardError) || error.code !== 'NOT_FOUND')
        throw error;
      notes.push(`${optional} is not installed in the cluster: no ${kind} objects to look at`);
    }
  }
  return { objects, notes };
}

/** The uid and annotations of the objects the plan may patch and mark with the rotation id. */
function listedIndex(objects: readonly KubeObject[]): Map<string, ListedFacts> {
  const index = new Map<string, ListedFacts>();
  for (const object of objects) {
    if (typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') continue;
    index.set(annotationKey(keyOf(object)), {
      ...(object.metadata.uid ? { uid: object.metadata.uid } : {}),
      annotations: { ...(object.metadata.annotations ?? {}) },
    });
  }
  return index;
}

function secretTarget(name: string): string {
  return `Secrets Manager secret ${name}`;
}
