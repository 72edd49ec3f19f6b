import type { KubeguardConfig } from '../../config/schema.ts';
import { KubeguardError } from '../../errors.ts';
import type { StoredFinding } from '../../findings/stored-finding.ts';
import type { ActionContext, RemediationAction, RemediationPlan } from '../../remediation/action.ts';
import { isolatePod } from '../../remediation/isolate-pod.ts';
import { releasePod } from '../../remediation/release-pod.ts';
import { createRotateSecretAction } from '../../remediation/rotate-secret.ts';
import { describeStep } from '../../remediation/run.ts';
import { clusterName } from '../commands/args.ts';
import type { ClusterRuntime, RemediationDeps, RemediationRuntime } from '../remediation-runtime.ts';
import type { QueuedRequest, QueuedRequestOf, RemediationActionId } from '../requests.ts';
import type { WorkerDeps } from '../worker-context.ts';
import { secretOfFinding } from './remediation-secret.ts';

/**
 * What the plan and execute handlers share: the worker's remediation dependencies, the cluster a
 * request acts on, the action's own request (from the finding, a command or the Release button),
 * the action itself and its context.
 */

export function remediationOf(deps: WorkerDeps): RemediationDeps {
  if (deps.remediation === undefined) {
    throw new KubeguardError(
      'UNSUPPORTED',
      'this worker was started without remediation (no cluster access or plan store); run the action worker of the deployed stack or bot/local.ts',
    );
  }
  return deps.remediation;
}

/** The cluster: named by the request, else the finding's, else the only configured one. */
export function clusterOf(
  named: string | undefined,
  finding: StoredFinding | undefined,
  config: KubeguardConfig,
): string {
  const names = config.clusters.map((cluster) => cluster.name);
  const cluster = named ?? finding?.detection.cluster ?? (names.length === 1 ? names[0] : undefined);
  if (cluster === undefined) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `the finding names no cluster and several are configured (${names.join(', ')}); use the command with --cluster`,
    );
  }
  return clusterName(cluster, names);
}

/** Who acts, as the objects and the outcome record it. */
export function actorOf(request: QueuedRequest): string {
  return `slack:${request.actor.userId}`;
}

export function contextFor(cluster: ClusterRuntime, deps: WorkerDeps, request: QueuedRequest): ActionContext {
  return { kube: cluster.kube, evidence: cluster.evidence, clock: deps.clock, actor: actorOf(request) };
}

export function actionFor(
  action: RemediationActionId,
  runtime: RemediationRuntime,
  cluster: ClusterRuntime,
  config: KubeguardConfig,
): RemediationAction<unknown> {
  if (action === 'isolate-pod') return isolatePod as RemediationAction<unknown>;
  if (action === 'release-pod') return releasePod as RemediationAction<unknown>;
  return createRotateSecretAction({
    secrets: cluster.secrets,
    claims: runtime.rotationClaims,
    timers: runtime.timers,
    cooldownMs: config.remediation.rotationCooldownMinutes * 60_000,
    rolloutWait: { timeoutMs: config.remediation.rolloutWaitSeconds * 1000 },
  }) as RemediationAction<unknown>;
}

/** The action's request and the target the modal names (`namespace/pod`, the secret id). */
export async function actionRequest(
  request: QueuedRequestOf<'plan'>,
  finding: StoredFinding | undefined,
  cluster: ClusterRuntime,
  context: ActionContext,
): Promise<{ input: unknown; target: string }> {
  const { args } = request;
  // Unique per plan, stable under a redelivery of the plan request (`r-` and 16 hex digits).
  const id = request.requestId.slice(2);
  if (args.action === 'rotate-secret') {
    const secret =
      args.secret ?? (finding === undefined ? undefined : await secretOfFinding(finding, context.kube));
    if (secret === undefined) {
      throw new KubeguardError('INVALID_ARGUMENT', 'name the secret to rotate: /k8s rotate SECRET_ID');
    }
    return { input: { secret, rotationId: `kubeguard-rotation-${id}` }, target: secret };
  }
  const namespace = args.namespace ?? finding?.detection.namespace;
  const pod = args.pod ?? finding?.detection.pod;
  if (namespace === undefined || pod === undefined) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      'this finding names no pod with its namespace; use /k8s isolate NAMESPACE/POD --cluster C',
    );
  }
  const target = `${namespace}/${pod}`;
  if (args.action === 'release-pod') {
    return {
      input: {
        namespace,
        pod,
        ...(args.quarantineId === undefined ? {} : { quarantineId: args.quarantineId }),
      },
      target,
    };
  }
  return {
    input: { namespace, pod, quarantineId: id, enforcement: cluster.enforcement ?? 'unknown' },
    target,
  };
}

/** The plan as the audit trail's `plan` says it: the summary, then every write in order. */
export function planText(plan: RemediationPlan): string {
  const steps = plan.steps.map((step, index) => `${index + 1}. ${describeStep(step)}`);
  return [plan.summary, ...steps].join('; ');
}
