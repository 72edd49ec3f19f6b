import type { Timers } from '../delivery/retry.ts';
import { asKubeguardError, KubeguardError } from '../errors.ts';
import type {
  ActionContext,
  ActionMetadata,
  ActionOutcome,
  AppliedStep,
  PlannedStep,
  PreflightResult,
  RemediationAction,
  RemediationPlan,
  Verification,
} from './action.ts';
import { describeRef, findObject, type KubeKind, type KubeObject, requireName } from './kube-objects.ts';
import type { KubeReader } from './ports.ts';
import {
  annotationKey,
  decideSecretOperation,
  type ExternalSecretState,
  FORCE_SYNC_ANNOTATION,
  isRotationId,
  planRotation,
  ROTATION_ID_ANNOTATION,
  type RotationState,
  rolloutStatus,
  rotationStateSchema,
  type SecretOperation,
  type SyncState,
  syncState,
  type WorkloadState,
} from './rotate-secret-plan.ts';
import { applySteps, outcomeError } from './run.ts';
import { findSecretConsumers } from './secret-consumers.ts';
import type { SecretRotator } from './secret-ports.ts';

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
 *    (`kubectl.kubernetes.io/restartedAt`, strategic merge patch). Independent restarts go on when
 *    one fails; what is left is named, and a run with the same rotation id finishes it.
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

export interface SyncWaitPolicy {
  /** @default 60000 */
  timeoutMs: number;
  /** @default 2000 */
  intervalMs: number;
}

export const DEFAULT_SYNC_WAIT: SyncWaitPolicy = { timeoutMs: 60_000, intervalMs: 2_000 };

export interface RotateSecretDependencies {
  secrets: SecretRotator;
  /** For the wait on External Secrets Operator's refresh. */
  timers: Timers;
  syncWait?: Partial<SyncWaitPolicy>;
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
    { apiGroup: 'secrets-store.csi.x-k8s.io', resource: 'secretproviderclasses', verbs: ['list'] },
    { apiGroup: '', resource: 'pods', verbs: ['list'] },
    { apiGroup: 'apps', resource: 'replicasets', verbs: ['list'] },
    { apiGroup: 'apps', resource: 'deployments', verbs: ['get', 'list', 'patch'] },
    { apiGroup: 'apps', resource: 'statefulsets', verbs: ['get', 'list', 'patch'] },
    { apiGroup: 'apps', resource: 'daemonsets', verbs: ['get', 'list', 'patch'] },
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
  { kind: 'SecretProviderClass', optional: 'Secrets Store CSI driver (secrets-store.csi.x-k8s.io/v1)' },
  { kind: 'Pod' },
  { kind: 'ReplicaSet' },
  { kind: 'Deployment' },
  { kind: 'StatefulSet' },
  { kind: 'DaemonSet' },
];

export function createRotateSecretAction(
  deps: RotateSecretDependencies,
): RemediationAction<RotateSecretRequest> {
  const syncWait = { ...DEFAULT_SYNC_WAIT, ...deps.syncWait };
  return {
    metadata: ROTATE_SECRET_METADATA,
    preflight: (request, context) => preflight(request, context, deps),
    execute: (plan, context) => execute(plan, context, deps, syncWait),
    verify: (plan, context) => verify(stateOf(plan), context, deps),
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
  const decision = decideSecretOperation(secret, request.rotationId);
  if (decision.kind === 'refuse') {
    return {
      status: 'skipped',
      target,
      reason: decision.reason,
      recommendation: decision.recommendation,
      facts: { code: decision.code, arn: secret.arn, versionStages: secret.versionStages },
    };
  }
  const { objects, notes } = await listConsumerObjects(context.kube, request.namespaces);
  const consumers = findSecretConsumers({ name: secret.name, arn: secret.arn, tags: secret.tags }, objects);
  const plannedAt = context.clock();
  const { state, steps } = planRotation({
    rotationId: request.rotationId,
    secret,
    decision,
    consumers,
    annotations: annotationIndex(objects),
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
      for (const namespace of scopes) {
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

/** Annotations of the objects the plan may mark with the rotation id. */
function annotationIndex(objects: readonly KubeObject[]): Map<string, Record<string, string>> {
  const index = new Map<string, Record<string, string>>();
  for (const object of objects) {
    if (typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') continue;
    const key = {
      kind: object.kind,
      namespace: object.metadata.namespace ?? 'default',
      name: object.metadata.name,
    };
    index.set(annotationKey(key), { ...(object.metadata.annotations ?? {}) });
  }
  return index;
}

function secretTarget(name: string): string {
  return `Secrets Manager secret ${name}`;
}

// ---------------------------------------------------------------- plan text

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

function planSummary(state: RotationState, steps: readonly PlannedStep[]): string {
  const syncs = steps.filter((step) => step.op === 'patch' && step.kind === 'ExternalSecret').length;
  const restarts = steps.length - syncs;
  const secretPart =
    state.secret.operation === 'AlreadyRotated'
      ? `${state.secret.name} already rotated (version ${state.rotationId})`
      : state.secret.operation === 'WaitForRotation'
        ? `wait for rotation ${state.rotationId} of ${state.secret.name}`
        : `${state.secret.operation} ${state.secret.name} (new version ${state.rotationId})`;
  return `${secretPart}, force-sync ${plural(syncs, 'ExternalSecret')}, restart ${plural(restarts, 'workload')}`;
}

function planEffects(state: RotationState): string[] {
  const effects = [OPERATION_TEXT[state.secret.operation](state)];
  for (const es of state.externalSecrets) {
    effects.push(
      es.alreadyForced
        ? `ExternalSecret ${es.namespace}/${es.name}: force-sync already sent by this rotation; wait for its refresh`
        : `ExternalSecret ${es.namespace}/${es.name} refreshes Secret ${es.namespace}/${es.targetSecret}; restarts of its readers wait for that refresh`,
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

function planWarnings(state: RotationState): string[] {
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

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------- execute

interface Shortfall {
  /** `ExternalSecret payments/ledger`, `Deployment payments/api`. */
  object: string;
  reason: string;
  step?: PlannedStep;
  error: KubeguardError;
}

async function execute(
  plan: RemediationPlan,
  context: ActionContext,
  deps: RotateSecretDependencies,
  syncWait: SyncWaitPolicy,
): Promise<ActionOutcome> {
  const state = stateOf(plan);
  const base = { action: plan.action, target: plan.target, actor: context.actor };
  try {
    await settleSecret(state, deps.secrets);
  } catch (error) {
    return {
      ...base,
      status: 'failed',
      plan,
      applied: [],
      error: outcomeError(error),
      recovery:
        `nothing in the cluster was changed. ${secretRecovery(state, asKubeguardError(error))} ` +
        `Running the action again with rotation id ${state.rotationId} resumes: it waits for a rotation it started instead of starting another.`,
      at: context.clock(),
    };
  }
  const applied: AppliedStep[] = [];
  const shortfalls: Shortfall[] = [];
  const syncFrom = Math.floor(Date.parse(context.clock()) / 1000);
  const forcedEarlier = await forcedByThisRotation(state, context.kube);
  const forced = await applyEach(stepsFor(plan, 'ExternalSecret'), context, applied, shortfalls);
  const waits = state.externalSecrets.flatMap((es) =>
    es.alreadyForced || forcedEarlier.has(esId(es))
      ? [{ es, since: epochOr(es.forceSync, syncFrom) }]
      : forced.has(esId(es))
        ? [{ es, since: syncFrom }]
        : [],
  );
  const refreshed = await waitForRefresh(waits, context.kube, deps.timers, syncWait, shortfalls);
  const restartSteps = stepsFor(plan, 'workloads').filter((step) => {
    const workload = workloadOf(state, step);
    const unrefreshed = workload?.waitsFor.filter((id) => !refreshed.has(id)) ?? [];
    if (unrefreshed.length === 0) return true;
    shortfalls.push({
      object: describeStepTarget(step),
      reason: `not restarted: ExternalSecret ${unrefreshed.join(', ')} has not refreshed, so new pods would read the old value`,
      step,
      error: new KubeguardError(
        'PRECONDITION_FAILED',
        `ExternalSecret ${unrefreshed.join(', ')} has not refreshed`,
      ),
    });
    return false;
  });
  await applyEach(restartSteps, context, applied, shortfalls);
  if (shortfalls.length > 0) return partialOutcome(plan, state, applied, shortfalls, base, context);
  const verification = await verify(state, context, deps).catch((error: unknown) => ({
    complete: false,
    summary: `not verified: ${asKubeguardError(error).message}`,
  }));
  return { ...base, status: 'done', plan, applied, verification, at: context.clock() };
}

function stateOf(plan: RemediationPlan): RotationState {
  const parsed = rotationStateSchema.safeParse(plan.state);
  if (parsed.success) return parsed.data;
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `the rotate-secret plan's state is not one kubeguard wrote (${parsed.error.issues[0]?.message ?? 'invalid'}); plan the rotation again`,
  );
}

/**
 * Brings the secret to "version rotationId is AWSCURRENT". The secret is read again first: an
 * earlier execution of the same plan (a redelivered message) may have started the rotation already.
 */
async function settleSecret(state: RotationState, secrets: SecretRotator): Promise<void> {
  const decision = decideSecretOperation(await secrets.describe(state.secret.arn), state.rotationId);
  if (decision.kind === 'refuse') {
    throw new KubeguardError(decision.code, `${decision.reason}; ${decision.recommendation}`, {
      details: { secret: state.secret.arn, rotationId: state.rotationId },
    });
  }
  if (decision.operation === 'AlreadyRotated') return;
  if (decision.operation === 'RotateSecret') await secrets.startRotation(state.secret.arn, state.rotationId);
  if (decision.operation === 'PutSecretValue')
    await secrets.putGeneratedValue(state.secret.arn, state.rotationId);
  await secrets.waitUntilCurrent(state.secret.arn, state.rotationId);
}

function secretRecovery(state: RotationState, error: KubeguardError): string {
  if (error.code === 'CONFLICT')
    return 'Secrets Manager reports a rotation already in progress; see the error for how to clear it.';
  if (error.code === 'FORBIDDEN') return "Grant the missing permission to kubeguard's worker role.";
  return state.secret.operation === 'RotateSecret'
    ? `Check the rotation function's logs${state.secret.rotationLambdaArn ? ` (${state.secret.rotationLambdaArn})` : ''}.`
    : 'Check the secret in the Secrets Manager console.';
}

function stepsFor(plan: RemediationPlan, which: 'ExternalSecret' | 'workloads'): PlannedStep[] {
  return plan.steps.filter(
    (step) => step.op === 'patch' && (which === 'ExternalSecret') === (step.kind === 'ExternalSecret'),
  );
}

/** Applies each step through the shared interpreter, going on past failures: the steps are independent. */
async function applyEach(
  steps: readonly PlannedStep[],
  context: ActionContext,
  applied: AppliedStep[],
  shortfalls: Shortfall[],
): Promise<Set<string>> {
  const done = new Set<string>();
  for (const step of steps) {
    const result = await applySteps([step], context.kube);
    applied.push(...result.applied);
    if (result.failure === undefined) {
      if (step.op === 'patch') done.add(`${step.namespace}/${step.name}`);
    } else {
      shortfalls.push({
        object: describeStepTarget(step),
        reason: `${step.op} failed: ${result.failure.error.message}`,
        step,
        error: result.failure.error,
      });
    }
  }
  return done;
}

/**
 * ExternalSecrets an earlier delivery of this same plan already force-synced. Sending the same
 * annotation again changes nothing, so the operator will not refresh again: their refresh is the
 * one that followed that first force-sync, not one after this run's clock.
 */
async function forcedByThisRotation(state: RotationState, kube: KubeReader): Promise<Set<string>> {
  const forced = new Set<string>();
  for (const es of state.externalSecrets.filter((candidate) => !candidate.alreadyForced)) {
    const ref = { kind: 'ExternalSecret' as const, namespace: es.namespace, name: es.name };
    const object = await findObject(kube, ref).catch(() => undefined);
    if (object?.metadata.annotations?.[ROTATION_ID_ANNOTATION] === state.rotationId) forced.add(esId(es));
  }
  return forced;
}

/** ExternalSecrets refreshed since their force-sync, as `namespace/name`; the others become shortfalls. */
async function waitForRefresh(
  waits: readonly { es: ExternalSecretState; since: number }[],
  kube: KubeReader,
  timers: Timers,
  policy: SyncWaitPolicy,
  shortfalls: Shortfall[],
): Promise<Set<string>> {
  const refreshed = new Set<string>();
  let waiting = [...waits];
  const deadline = timers.nowMs() + policy.timeoutMs;
  for (;;) {
    const still: typeof waiting = [];
    for (const wait of waiting) {
      const sync = await readSync(kube, wait.es, wait.since);
      if (sync.state === 'refreshed') refreshed.add(esId(wait.es));
      else if (sync.state === 'failed') shortfalls.push(syncShortfall(wait.es, sync.reason));
      else still.push(wait);
    }
    waiting = still;
    if (waiting.length === 0) return refreshed;
    if (timers.nowMs() + policy.intervalMs > deadline) break;
    await timers.sleep(policy.intervalMs);
  }
  for (const { es } of waiting) {
    const seconds = Math.round(policy.timeoutMs / 1000);
    shortfalls.push(
      syncShortfall(
        es,
        `no refresh reported within ${seconds} s after force-sync${es.caveat ? ` (${es.caveat})` : ''}`,
      ),
    );
  }
  return refreshed;
}

async function readSync(kube: KubeReader, es: ExternalSecretState, since: number): Promise<SyncState> {
  try {
    const object = await kube.get({ kind: 'ExternalSecret', namespace: es.namespace, name: es.name });
    return syncState(object, since);
  } catch (error) {
    return { state: 'failed', reason: `cannot read it: ${asKubeguardError(error).message}` };
  }
}

function syncShortfall(es: ExternalSecretState, reason: string): Shortfall {
  const object = `ExternalSecret ${es.namespace}/${es.name}`;
  return {
    object,
    reason: `not refreshed: ${reason}`,
    error: new KubeguardError('UPSTREAM', `${object} not refreshed: ${reason}`),
  };
}

function partialOutcome(
  plan: RemediationPlan,
  state: RotationState,
  applied: AppliedStep[],
  shortfalls: readonly Shortfall[],
  base: { action: RemediationPlan['action']; target: string; actor: string },
  context: ActionContext,
): ActionOutcome {
  const [first] = shortfalls as [Shortfall, ...Shortfall[]];
  const done = applied.map((step) => describeStepTarget(step.step));
  const error = outcomeError(
    new KubeguardError(
      first.error.code,
      `${state.secret.name} was rotated (version ${state.rotationId} is AWSCURRENT) but ${plural(shortfalls.length, 'consumer step')} did not complete: ` +
        shortfalls.map((s) => `${s.object}: ${s.reason}`).join('; '),
      {
        details: {
          versionBefore: state.secret.previousVersionId,
          versionAfter: state.rotationId,
          done,
          notDone: shortfalls.map((s) => ({ object: s.object, reason: s.reason, code: s.error.code })),
        },
      },
    ),
  );
  return {
    ...base,
    status: 'failed',
    plan,
    applied,
    ...(first.step ? { failedStep: first.step } : {}),
    error,
    recovery:
      `the secret is rotated and ${plural(done.length, 'change')} applied${done.length > 0 ? ` (${done.join(', ')})` : ''}; ` +
      `still to do: ${shortfalls.map((s) => s.object).join(', ')}. Fix the cause, then run rotate-secret again with rotation id ${state.rotationId}: ` +
      `it does not rotate again (the version is AWSCURRENT) and skips every object already annotated ${ROTATION_ID_ANNOTATION}=${state.rotationId}.`,
    at: context.clock(),
  };
}

function workloadOf(state: RotationState, step: PlannedStep): WorkloadState | undefined {
  if (step.op !== 'patch') return undefined;
  return state.workloads.find(
    (w) => w.kind === step.kind && w.namespace === step.namespace && w.name === step.name,
  );
}

function describeStepTarget(step: PlannedStep): string {
  if (step.op === 'create') {
    return describeRef({
      kind: step.object.kind ?? 'object',
      namespace: step.object.metadata.namespace ?? '',
      name: step.object.metadata.name,
    });
  }
  return describeRef({
    kind: step.kind,
    name: step.name,
    ...(step.namespace ? { namespace: step.namespace } : {}),
  });
}

/** A force-sync value read back from the cluster; someone else may have written something else there. */
function epochOr(value: string | undefined, fallback: number): number {
  const epoch = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(epoch) ? epoch : fallback;
}

function esId(es: { namespace: string; name: string }): string {
  return `${es.namespace}/${es.name}`;
}

// ---------------------------------------------------------------- verify

export interface RotationReport {
  secret: { name: string; arn: string; versionBefore?: string; versionAfter?: string; rotated: boolean };
  externalSecrets: { object: string; refreshed: boolean; detail: string }[];
  workloads: {
    object: string;
    restarted: boolean;
    rollout?: ReturnType<typeof rolloutStatus>;
    detail: string;
  }[];
  notRestartable: { object: string; reason: string }[];
}

/** Reads the secret and every planned consumer again; says what holds now. */
async function verify(
  state: RotationState,
  context: ActionContext,
  deps: RotateSecretDependencies,
): Promise<Verification> {
  const secret = await deps.secrets.describe(state.secret.arn);
  const stages = secret.versionStages[state.rotationId] ?? [];
  const rotated = stages.includes('AWSCURRENT');
  const current = Object.entries(secret.versionStages).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
  const report: RotationReport = {
    secret: {
      name: secret.name,
      arn: secret.arn,
      ...(state.secret.previousVersionId ? { versionBefore: state.secret.previousVersionId } : {}),
      ...(current ? { versionAfter: current } : {}),
      rotated,
    },
    externalSecrets: [],
    workloads: [],
    notRestartable: state.notRestartable.map((item) => ({ object: describeRef(item), reason: item.reason })),
  };
  for (const es of state.externalSecrets) {
    const object = await findObject(context.kube, {
      kind: 'ExternalSecret',
      namespace: es.namespace,
      name: es.name,
    });
    const annotations = object?.metadata.annotations ?? {};
    const forced = annotations[ROTATION_ID_ANNOTATION] === state.rotationId;
    const sync =
      object === undefined
        ? undefined
        : syncState(object, epochOr(annotations[FORCE_SYNC_ANNOTATION], epochOr(es.forceSync, 0)));
    report.externalSecrets.push({
      object: `ExternalSecret ${esId(es)}`,
      refreshed: forced && sync?.state === 'refreshed',
      detail:
        sync === undefined
          ? 'no longer exists'
          : !forced
            ? 'force-sync not sent'
            : sync.state === 'failed'
              ? sync.reason
              : sync.state,
    });
  }
  for (const workload of state.workloads) {
    const object = await findObject(context.kube, {
      kind: workload.kind,
      namespace: workload.namespace,
      name: workload.name,
    });
    if (object === undefined) {
      report.workloads.push({ object: describeRef(workload), restarted: false, detail: 'no longer exists' });
      continue;
    }
    const restarted = object.metadata.annotations?.[ROTATION_ID_ANNOTATION] === state.rotationId;
    const rollout = rolloutStatus(workload.kind, object);
    report.workloads.push({
      object: describeRef(workload),
      restarted,
      ...(restarted ? { rollout } : {}),
      detail: !restarted
        ? 'not restarted'
        : rollout.pendingObservation
          ? 'restart requested; its controller has not picked it up yet'
          : rollout.state === 'complete'
            ? `rollout complete (${rollout.updated}/${rollout.desired} pods updated)`
            : `rollout in progress (${rollout.updated}/${rollout.desired} pods updated)`,
    });
  }
  return verification(report, state);
}

function verification(report: RotationReport, state: RotationState): Verification {
  const refreshed = report.externalSecrets.filter((es) => es.refreshed).length;
  const restarted = report.workloads.filter((w) => w.restarted);
  const rolledOut = restarted.filter((w) => w.rollout?.state === 'complete').length;
  const complete =
    report.secret.rotated &&
    refreshed === report.externalSecrets.length &&
    restarted.length === report.workloads.length &&
    rolledOut === restarted.length;
  const secretPart = report.secret.rotated
    ? `${report.secret.name} rotated: version ${report.secret.versionBefore ?? '(none)'} → ${report.secret.versionAfter}`
    : `${report.secret.name} NOT rotated: version ${state.rotationId} is not AWSCURRENT (current: ${report.secret.versionAfter ?? 'none'})`;
  const parts = [
    secretPart,
    `${refreshed}/${report.externalSecrets.length} ExternalSecrets refreshed`,
    `${restarted.length}/${report.workloads.length} workloads restarted, ${rolledOut} rolled out`,
    ...(report.notRestartable.length > 0
      ? [`${report.notRestartable.length} not restartable by kubeguard`]
      : []),
  ];
  return { complete, summary: parts.join('; '), details: { ...report } };
}
