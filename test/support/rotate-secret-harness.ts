import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { KubeConfig } from '@kubernetes/client-node';
import { mockClient } from 'aws-sdk-client-mock';
import { type RotatorLogger, SecretsManagerRotator } from '#adapters/aws/secrets-rotator.ts';
import { createKubeClient } from '#adapters/kubernetes/client.ts';
import type { Timers } from '#core/delivery/retry.ts';
import { parseManifests } from '#core/manifests/load.ts';
import type { ActionContext, PlannedStep, RemediationAction } from '#core/remediation/action.ts';
import { KUBE_KINDS } from '#core/remediation/kube-objects.ts';
import { PATCH_CONTENT_TYPES } from '#core/remediation/ports.ts';
import { requiredRbacRules } from '#core/remediation/registry.ts';
import {
  createRotateSecretAction,
  type RotateSecretDependencies,
  type RotateSecretRequest,
} from '#core/remediation/rotate-secret.ts';
import { FORCE_SYNC_ANNOTATION } from '#core/remediation/rotate-secret-plan.ts';
import { CLUSTER_FORCE_SYNC_ANNOTATION } from '#core/secrets/external-secrets.ts';
import { loadAwsResponse } from './aws-fixtures.ts';
import { promoteToCurrent } from './fake-secret-rotator.ts';
import { readFixtureText } from './fixtures.ts';
import { InMemoryRotationClaims } from './in-memory-rotation-claims.ts';
import { KubeApiDouble, type RecordedRequest, type ResourceType } from './kube-api-double.ts';
import type { JsonObject } from './kube-api-semantics.ts';
import { secretConsumerObjects } from './secret-consumer-objects.ts';

/**
 * Rotate-secret end to end: the core action → the real adapters (client-node against the
 * Kubernetes API double on loopback, the SDK v3 Secrets Manager client under aws-sdk-client-mock)
 * in one simulated world whose clock only moves when someone waits. While time passes, the
 * rotation function finishes (RotateSecret's version becomes AWSCURRENT after ROTATION_SECONDS),
 * External Secrets Operator refreshes every ExternalSecret whose force-sync changed — except those
 * it is told to ignore — and the workload controllers roll out a changed template after
 * `rolloutSeconds`, except those told to stall or to fail. Every action of one world shares its
 * rotation claims, as two clicks share the table.
 */

export const ROTATION_ID = '5d1c4a0e-7b7f-4f0c-9a55-0c9d1e2f3a4b';
export const START = '2026-03-01T12:00:00.000Z';
export const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt';
export const CURRENT_VERSION = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222';
export const PREVIOUS_VERSION = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
const ROTATION_SECONDS = 3;

export const CUSTOM_RESOURCES: readonly ResourceType[] = [
  {
    group: 'external-secrets.io',
    version: 'v1',
    resource: 'externalsecrets',
    kind: 'ExternalSecret',
    namespaced: true,
    custom: true,
  },
  {
    group: 'secrets-store.csi.x-k8s.io',
    version: 'v1',
    resource: 'secretproviderclasses',
    kind: 'SecretProviderClass',
    namespaced: true,
    custom: true,
  },
  {
    group: 'external-secrets.io',
    version: 'v1',
    resource: 'clusterexternalsecrets',
    kind: 'ClusterExternalSecret',
    namespaced: false,
    custom: true,
  },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'rollouts',
    kind: 'Rollout',
    namespaced: true,
    custom: true,
  },
];

/** test/fixtures/kubernetes/argo-rollouts/payments-canary.yaml: a Rollout reading the rotated secret. */
export function argoRolloutObjects(): JsonObject[] {
  return fixtureObjects('kubernetes/argo-rollouts/payments-canary.yaml');
}

/** test/fixtures/kubernetes/external-secrets/cluster-external-secret.yaml: a ClusterExternalSecret and what it manages. */
export function clusterExternalSecretObjects(): JsonObject[] {
  return fixtureObjects('kubernetes/external-secrets/cluster-external-secret.yaml');
}

function fixtureObjects(name: string): JsonObject[] {
  const parsed = parseManifests(readFixtureText(name), name);
  if (parsed.errors.length > 0) throw new Error(`${name}: ${JSON.stringify(parsed.errors)}`);
  return parsed.objects.map(({ object }) => structuredClone(object) as JsonObject);
}

/** The scenario as an API server serving external-secrets.io/v1 holds it (v1beta1 objects converted). */
export function scenarioObjects(): JsonObject[] {
  const namespaces = ['payments', 'other'].map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  }));
  const objects = secretConsumerObjects().map((object) =>
    object.kind === 'ExternalSecret' ? { ...object, apiVersion: 'external-secrets.io/v1' } : object,
  );
  return [...namespaces, ...objects] as JsonObject[];
}

type Describe = Record<string, unknown> & {
  ARN: string;
  Name: string;
  VersionIdsToStages: Record<string, string[]>;
};

export interface WorldOptions {
  /** DescribeSecret fixture the secret starts as. @default 'describe-secret-rotating' with its rotation finished */
  describe?: string;
  stages?: Record<string, string[]>;
  tags?: { Key: string; Value: string }[];
  /** Other DescribeSecret members to replace, e.g. `RotationEnabled`. */
  overrides?: Record<string, unknown>;
  /** The value GetRandomPassword hands out. */
  randomPassword?: string;
  /** Seconds a controller takes to roll out a changed workload. @default 20 */
  rolloutSeconds?: number;
  /** Objects the cluster holds besides the scenario's (e.g. `argoRolloutObjects()`). */
  extraObjects?: JsonObject[];
}

export class RotationWorld implements Timers {
  readonly api: KubeApiDouble;
  readonly sm = mockClient(SecretsManagerClient);
  readonly logs: { message: string; attributes?: Record<string, unknown> }[] = [];
  /** ExternalSecrets (`namespace/name`) whose force-sync the simulated operator ignores. */
  readonly operatorIgnores = new Set<string>();
  /** Each DescribeSecret answer: the AWSCURRENT version, and how many Kubernetes requests came before it. */
  readonly describes: { current: string | undefined; kubeRequestsBefore: number }[] = [];
  /** Shared by every action of the world, as the findings table is by every worker. */
  readonly claims = new InMemoryRotationClaims();
  /** Workloads (`resource/namespace/name`) whose controller never rolls them out. */
  readonly controllersStall = new Set<string>();
  /** Workloads whose controller reports the progress deadline exceeded. */
  readonly controllersFail = new Set<string>();
  readonly rolloutSeconds: number;
  nowMsValue = Date.parse(START);
  secret: Describe;
  #rotationStartedAt: number | undefined;
  /** When each workload generation was first seen unobserved: `resource/ns/name#generation` → ms. */
  readonly #changedAt = new Map<string, number>();

  private constructor(api: KubeApiDouble, options: WorldOptions) {
    this.api = api;
    this.rolloutSeconds = options.rolloutSeconds ?? 20;
    const base = loadAwsResponse<Describe>(
      `secretsmanager-${options.describe ?? 'describe-secret-rotating'}.json`,
    );
    this.secret = {
      ...base,
      VersionIdsToStages:
        options.stages ??
        (options.describe === undefined
          ? { [PREVIOUS_VERSION]: ['AWSPREVIOUS'], [CURRENT_VERSION]: ['AWSCURRENT'] }
          : base.VersionIdsToStages),
      ...(options.tags ? { Tags: options.tags } : {}),
      ...options.overrides,
    };
    this.installSecretsManager(options.randomPassword ?? 'generated-value');
  }

  static async start(options: WorldOptions = {}): Promise<RotationWorld> {
    const api = await new KubeApiDouble({
      objects: [...scenarioObjects(), ...(options.extraObjects ?? [])],
      extraResources: CUSTOM_RESOURCES,
      now: () => '2026-02-01T00:00:00Z',
    }).start();
    const world = new RotationWorld(api, options);
    world.grantBotRole();
    return world;
  }

  async stop(): Promise<void> {
    this.sm.restore();
    await this.api.stop();
  }

  /** The bot's ClusterRole as the API server enforces it: what the actions do not declare gets 403. */
  grantBotRole(): void {
    this.api.allowAll();
    this.api.allowOnly(
      requiredRbacRules().flatMap((rule) => rule.verbs.map((verb) => ({ verb, resource: rule.resource }))),
    );
  }

  nowMs = (): number => this.nowMsValue;

  sleep = async (ms: number): Promise<void> => {
    this.runControllers();
    this.nowMsValue += ms;
    this.runOperator();
    this.runControllers();
  };

  clock = (): string => new Date(this.nowMsValue).toISOString();

  context(): ActionContext {
    const config = new KubeConfig();
    config.loadFromOptions(this.api.kubeConfigOptions());
    return {
      kube: createKubeClient({ kubeConfig: config }),
      evidence: { put: () => Promise.reject(new Error('rotate-secret stores no evidence')) },
      clock: this.clock,
      actor: 'slack:U024BE7LH',
    };
  }

  action(overrides: Partial<RotateSecretDependencies> = {}): RemediationAction<RotateSecretRequest> {
    const logger: RotatorLogger = {
      info: (message, attributes) => this.logs.push({ message, ...(attributes ? { attributes } : {}) }),
    };
    const secrets = new SecretsManagerRotator({
      client: new SecretsManagerClient({ region: 'us-west-2' }),
      timers: this,
      logger,
    });
    return createRotateSecretAction({ secrets, claims: this.claims, timers: this, ...overrides });
  }

  /** The controllers finish every rollout now: observedGeneration catches up, every pod is updated. */
  finishRollouts(): void {
    for (const resource of WORKLOAD_RESOURCES) {
      for (const object of this.api.objects(resource)) this.api.seed(rolledOut(resource, object));
    }
  }

  /**
   * The workload controllers: a generation not yet observed is rolled out `rolloutSeconds` after it
   * was first seen, unless its controller stalls (nothing changes) or fails (the Deployment's
   * progress deadline is exceeded).
   */
  runControllers(): void {
    for (const resource of WORKLOAD_RESOURCES) {
      for (const object of this.api.objects(resource)) {
        const metadata = object.metadata as { name: string; namespace: string; generation?: number };
        const status = (object.status ?? {}) as { observedGeneration?: number | string };
        if (Number(status.observedGeneration ?? 0) >= (metadata.generation ?? 1)) continue;
        const id = `${resource}/${metadata.namespace}/${metadata.name}`;
        const seen = `${id}#${metadata.generation}`;
        const since = this.#changedAt.get(seen) ?? this.nowMsValue;
        this.#changedAt.set(seen, since);
        if (this.controllersStall.has(id)) continue;
        if ((object.spec as { paused?: boolean }).paused === true) {
          // A paused Deployment observes the change and creates no pod of the new template.
          const paused = {
            ...(object.status as object),
            observedGeneration: metadata.generation,
            updatedReplicas: 0,
          };
          this.api.seed({ ...object, status: paused });
          continue;
        }
        if (this.controllersFail.has(id)) {
          this.api.seed({ ...object, status: progressDeadlineExceeded(object, metadata.generation) });
        } else if (this.nowMsValue - since >= this.rolloutSeconds * 1000) {
          this.api.seed(rolledOut(resource, object));
        }
      }
    }
  }

  /** External Secrets Operator: refreshes every ExternalSecret whose force-sync is newer than its last refresh. */
  runOperator(): void {
    const now = new Date(this.nowMsValue).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.propagateClusterForceSync();
    for (const object of this.api.objects('externalsecrets')) {
      const metadata = object.metadata as {
        name: string;
        namespace: string;
        annotations?: Record<string, string>;
      };
      const forceSync =
        metadata.annotations?.[FORCE_SYNC_ANNOTATION] ??
        metadata.annotations?.[CLUSTER_FORCE_SYNC_ANNOTATION];
      if (forceSync === undefined || this.operatorIgnores.has(`${metadata.namespace}/${metadata.name}`))
        continue;
      const status = object.status as { refreshTime?: string } | undefined;
      if (status?.refreshTime !== undefined && Date.parse(status.refreshTime) / 1000 >= Number(forceSync))
        continue;
      this.api.seed({
        ...object,
        status: {
          refreshTime: now,
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'SecretSynced',
              message: 'secret synced',
              lastTransitionTime: now,
            },
          ],
        },
      });
    }
  }

  private installSecretsManager(randomPassword: string): void {
    const identity = { ARN: this.secret.ARN, Name: this.secret.Name };
    const known = (id: unknown) => id === this.secret.ARN || id === this.secret.Name;
    this.sm.on(DescribeSecretCommand).callsFake((input: { SecretId?: string }) => {
      if (!known(input.SecretId)) throw new Error(`unexpected secret ${String(input.SecretId)}`);
      this.finishRotation();
      const current = Object.entries(this.secret.VersionIdsToStages).find(([, l]) =>
        l.includes('AWSCURRENT'),
      )?.[0];
      this.describes.push({ current, kubeRequestsBefore: this.api.requests.length });
      return { ...structuredClone(this.secret), $metadata: {} };
    });
    this.sm.on(RotateSecretCommand).callsFake((input: { ClientRequestToken?: string }) => {
      const token = input.ClientRequestToken ?? 'sdk-generated-token-000000000000000';
      const stages = Object.values(this.secret.VersionIdsToStages);
      if (stages.some((labels) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'))) {
        throw new InvalidRequestException({
          message: "A previous rotation isn't complete. That rotation will be reattempted.",
          $metadata: { httpStatusCode: 400 },
        });
      }
      this.secret.VersionIdsToStages = { ...this.secret.VersionIdsToStages, [token]: ['AWSPENDING'] };
      this.#rotationStartedAt = this.nowMsValue;
      return { ...identity, VersionId: token, $metadata: {} };
    });
    this.sm.on(GetRandomPasswordCommand).resolves({ RandomPassword: randomPassword, $metadata: {} });
    this.sm
      .on(PutSecretValueCommand)
      .callsFake((input: { ClientRequestToken?: string; SecretString?: string }) => {
        const token = input.ClientRequestToken ?? '';
        if (this.secret.VersionIdsToStages[token] !== undefined) {
          throw new ResourceExistsException({
            message: `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${this.secret.ARN}.`,
            $metadata: { httpStatusCode: 400 },
          });
        }
        this.secret.VersionIdsToStages = promoteToCurrent(this.secret.VersionIdsToStages, token);
        return { ...identity, VersionId: token, VersionStages: ['AWSCURRENT'], $metadata: {} };
      });
  }

  /**
   * The ClusterExternalSecret controller: its `external-secrets.io/force-sync` annotation is copied
   * onto every ExternalSecret it manages (its controller owner reference names it).
   */
  private propagateClusterForceSync(): void {
    for (const ces of this.api.objects('clusterexternalsecrets')) {
      const cesMeta = ces.metadata as { name: string; annotations?: Record<string, string> };
      const value = cesMeta.annotations?.[CLUSTER_FORCE_SYNC_ANNOTATION];
      if (value === undefined) continue;
      for (const es of this.api.objects('externalsecrets')) {
        const meta = es.metadata as {
          annotations?: Record<string, string>;
          ownerReferences?: { kind: string; name: string; controller?: boolean }[];
        };
        const managed = (meta.ownerReferences ?? []).some(
          (owner) =>
            owner.controller === true &&
            owner.kind === 'ClusterExternalSecret' &&
            owner.name === cesMeta.name,
        );
        if (!managed || meta.annotations?.[CLUSTER_FORCE_SYNC_ANNOTATION] === value) continue;
        const annotations = { ...meta.annotations, [CLUSTER_FORCE_SYNC_ANNOTATION]: value };
        this.api.seed({ ...es, metadata: { ...(es.metadata as object), annotations } });
      }
    }
  }

  /** The rotation function's finishSecret, ROTATION_SECONDS after RotateSecret. */
  private finishRotation(): void {
    if (
      this.#rotationStartedAt === undefined ||
      this.nowMsValue - this.#rotationStartedAt < ROTATION_SECONDS * 1000
    )
      return;
    const pending = Object.entries(this.secret.VersionIdsToStages).find(
      ([, labels]) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'),
    )?.[0];
    if (pending !== undefined)
      this.secret.VersionIdsToStages = promoteToCurrent(this.secret.VersionIdsToStages, pending);
    this.#rotationStartedAt = undefined;
  }
}

const WORKLOAD_RESOURCES = ['deployments', 'statefulsets', 'daemonsets', 'rollouts'] as const;

/** The object as its controller leaves it once every pod runs the new template and is available. */
function rolledOut(resource: (typeof WORKLOAD_RESOURCES)[number], object: JsonObject): JsonObject {
  const metadata = object.metadata as { generation?: number };
  const spec = object.spec as { replicas?: number };
  const status: Record<string, unknown> = {
    ...(object.status as Record<string, unknown>),
    observedGeneration: metadata.generation,
  };
  if (resource === 'daemonsets') {
    status.updatedNumberScheduled = status.desiredNumberScheduled;
    status.numberAvailable = status.desiredNumberScheduled;
  } else if (resource === 'rollouts') {
    // Argo Rollouts: every pod older than spec.restartAt evicted and replaced; the generation as a string.
    const restartAt = (spec as { restartAt?: string }).restartAt;
    Object.assign(status, { observedGeneration: String(metadata.generation), phase: 'Healthy' });
    if (restartAt !== undefined) status.restartedAt = restartAt;
  } else {
    const replicas = spec.replicas ?? 1;
    Object.assign(status, {
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
    });
  }
  return { ...object, status };
}

/** A Deployment whose new ReplicaSet never became available within its progressDeadlineSeconds. */
function progressDeadlineExceeded(
  object: JsonObject,
  generation: number | undefined,
): Record<string, unknown> {
  const name = (object.metadata as { name: string }).name;
  return {
    ...(object.status as Record<string, unknown>),
    observedGeneration: generation,
    conditions: [
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${name}-6b8f7c9d4" has timed out progressing.`,
      },
    ],
  };
}

/** The request a planned step must produce on the wire (the query string, e.g. fieldManager, aside). */
export function wireOf(step: PlannedStep): Pick<RecordedRequest, 'method' | 'path' | 'contentType' | 'body'> {
  if (step.op !== 'patch') throw new Error(`rotate-secret plans patches only, not ${step.op}`);
  const kind = KUBE_KINDS[step.kind];
  const root = kind.apiVersion.includes('/') ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
  return {
    method: 'PATCH',
    path: `${root}${kind.namespaced ? `/namespaces/${step.namespace}` : ''}/${kind.resource}/${step.name}`,
    contentType: PATCH_CONTENT_TYPES[step.patchType],
    body: step.body,
  };
}

export function onTheWire(
  requests: readonly RecordedRequest[],
): Pick<RecordedRequest, 'method' | 'path' | 'contentType' | 'body'>[] {
  return requests.map(({ method, path, contentType, body }) => ({ method, path, contentType, body }));
}

/** `Kind namespace/name` of the objects a list of requests patched. */
export function patchedObjects(requests: readonly RecordedRequest[]): string[] {
  return requests.map((r) => `${r.resource}/${r.namespace}/${r.name}`);
}
