import type { EKSClient } from '@aws-sdk/client-eks';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KubeguardError } from '#core/errors.ts';
import type { KubeKind } from '#core/model/kube-kinds.ts';
import type { Clock } from '#core/ports.ts';
import { ratifyConstraintKinds } from '#core/posture/checks/kp-110-signature-policies.ts';
import type { AwsSnapshot, ClusterSnapshot, KubeObject, ResourceType } from '#core/posture/snapshot.ts';
import { referencedSecretIds } from '#core/secrets/references.ts';
import type { AuditCollector, CollectorProgress } from '#core/slack-views/audit-progress.ts';
import type { ImageFindingSource } from '#core/supply-chain/ports.ts';
import { mapLimited, type Unavailable, unavailableReason } from '../aws/collect-support.ts';
import { collectEksSnapshot } from '../aws/eks-snapshot.ts';
import { collectGuardDutySnapshot } from '../aws/guardduty-snapshot.ts';
import { collectSecretsSnapshot } from '../aws/secrets-snapshot.ts';
import { createKubeClient, type KubeApiClient, type ResourceAt } from './client.ts';
import type { KubeAccess } from './http.ts';

export interface CollectOptions {
  /** A KubeConfig, or the access of an EKS cluster (kubeConfigForEks). */
  kubeConfig: KubeAccess;
  /** Cluster name recorded in the snapshot (the EKS name when AWS clients are given). */
  name: string;
  clock: Clock;
  /** Items per list page (`limit`); the `continue` token is followed to the end. @default 500 */
  pageSize?: number;
  /** Limit on each Kubernetes API request. @default 30000 */
  requestTimeoutMs?: number;
  /** Read each node's kubelet configuration through nodes/proxy configz. @default true */
  readKubeletConfig?: boolean;
  /** AWS clients for the AWS-side checks; without them those checks are skipped with the reason. */
  aws?: {
    clusterName: string;
    eks?: EKSClient;
    guardDuty?: GuardDutyClient;
    secretsManager?: SecretsManagerClient;
    /**
     * Amazon Inspector's active ECR image findings of the cluster's account and region (the
     * supply-chain checks); without it `inspector:findings` is unavailable.
     */
    imageFindings?: { source: ImageFindingSource; region: string; account?: string };
  };
  /** Told as each collector (the cluster's objects, EKS, GuardDuty, Secrets Manager) starts and ends. */
  onProgress?: (progress: CollectorProgress) => void;
}

/**
 * Every kind the checks read, with the resource type a failure marks unavailable. Custom resources
 * (External Secrets Operator, in whichever version it serves; the Secrets Store CSI driver) whose
 * operator is not installed are simply absent.
 */
export const POSTURE_LISTINGS: readonly { type: ResourceType; kind: KubeKind }[] = [
  { type: 'pods', kind: 'Pod' },
  { type: 'workloads', kind: 'Deployment' },
  { type: 'workloads', kind: 'StatefulSet' },
  { type: 'workloads', kind: 'DaemonSet' },
  { type: 'workloads', kind: 'ReplicaSet' },
  { type: 'workloads', kind: 'Job' },
  { type: 'workloads', kind: 'CronJob' },
  { type: 'roles', kind: 'Role' },
  { type: 'roles', kind: 'ClusterRole' },
  { type: 'rolebindings', kind: 'RoleBinding' },
  { type: 'rolebindings', kind: 'ClusterRoleBinding' },
  { type: 'serviceaccounts', kind: 'ServiceAccount' },
  { type: 'networkpolicies', kind: 'NetworkPolicy' },
  { type: 'services', kind: 'Service' },
  { type: 'ingresses', kind: 'Ingress' },
  { type: 'namespaces', kind: 'Namespace' },
  { type: 'nodes', kind: 'Node' },
  { type: 'poddisruptionbudgets', kind: 'PodDisruptionBudget' },
  { type: 'webhooks', kind: 'MutatingWebhookConfiguration' },
  { type: 'webhooks', kind: 'ValidatingWebhookConfiguration' },
  { type: 'externalsecrets', kind: 'ExternalSecret' },
  { type: 'externalsecrets', kind: 'ClusterExternalSecret' },
  { type: 'externalsecrets', kind: 'SecretStore' },
  { type: 'externalsecrets', kind: 'ClusterSecretStore' },
  { type: 'externalsecrets', kind: 'SecretProviderClass' },
];

/** kube-system/aws-auth, read by name: listing every ConfigMap would collect application data. */
async function readAwsAuth(client: KubeApiClient): Promise<KubeObject[]> {
  try {
    return [await client.get({ kind: 'ConfigMap', namespace: 'kube-system', name: 'aws-auth' })];
  } catch (error) {
    if (error instanceof KubeguardError && error.code === 'NOT_FOUND') return [];
    throw error;
  }
}

/**
 * The kinds of the policy engines that verify image signatures (KP-110): Kyverno policies,
 * Gatekeeper ConstraintTemplates and Ratify verifiers, at the versions those projects serve.
 */
export const ADMISSION_POLICY_RESOURCES: readonly ResourceAt[] = [
  { apiVersion: 'kyverno.io/v1', resource: 'clusterpolicies', namespaced: false, kind: 'ClusterPolicy' },
  { apiVersion: 'kyverno.io/v1', resource: 'policies', namespaced: true, kind: 'Policy' },
  {
    apiVersion: 'templates.gatekeeper.sh/v1',
    resource: 'constrainttemplates',
    namespaced: false,
    kind: 'ConstraintTemplate',
  },
  {
    apiVersion: 'config.ratify.deislabs.io/v1beta1',
    resource: 'verifiers',
    namespaced: false,
    kind: 'Verifier',
  },
  {
    apiVersion: 'config.ratify.deislabs.io/v1beta1',
    resource: 'namespacedverifiers',
    namespaced: true,
    kind: 'NamespacedVerifier',
  },
];

/** A Gatekeeper constraint kind's collection: its CRD's plural is the lower-cased kind. */
function constraintResource(kind: string): ResourceAt {
  return {
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    resource: kind.toLowerCase(),
    namespaced: false,
    kind,
  };
}

/**
 * The admission policies KP-110 reads, then the constraints of the templates that call Ratify. A
 * kind whose CRD is not installed (404) is none; a kind that may not be listed makes
 * `admissionpolicies` unavailable with the reason (the check cannot tell enforced from not).
 */
async function readAdmissionPolicies(
  client: KubeApiClient,
): Promise<{ objects: KubeObject[]; unavailable?: string }> {
  const failures: string[] = [];
  const read = async (at: ResourceAt): Promise<KubeObject[]> => {
    try {
      return await client.listResource(at);
    } catch (error) {
      if (!(error instanceof KubeguardError)) throw error;
      const status = error.details.status;
      if (status === 404) return [];
      const name = `${at.resource}.${at.apiVersion.split('/')[0]}`;
      failures.push(
        status === 401 || status === 403
          ? `no permission to list ${name}`
          : `listing ${name} failed: ${error.message}`,
      );
      return [];
    }
  };
  const objects = (await mapLimited(ADMISSION_POLICY_RESOURCES, 4, read)).flat();
  const templates = objects.filter((object) => object.kind === 'ConstraintTemplate');
  const constraints = await mapLimited([...ratifyConstraintKinds(templates)], 4, (kind) =>
    read(constraintResource(kind)),
  );
  objects.push(...constraints.flat());
  return failures.length === 0 ? { objects } : { objects, unavailable: failures.join('; ') };
}

async function readKubeletConfigs(
  client: KubeApiClient,
  nodes: readonly KubeObject[],
): Promise<{ configs?: Record<string, Record<string, unknown>>; reason?: string }> {
  const configs: Record<string, Record<string, unknown>> = {};
  const failures: string[] = [];
  let denied = false;
  await mapLimited(nodes, 5, async (node) => {
    if (denied) return;
    const name = node.metadata.name;
    try {
      const text = await client.getText(
        `/api/v1/nodes/${encodeURIComponent(name)}/proxy/configz`,
        `get nodes/${name}/proxy configz`,
      );
      configs[name] = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof KubeguardError && error.details.status === 403) denied = true;
      else failures.push(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  });
  if (denied) return { reason: 'no permission to get nodes/proxy (configz)' };
  if (Object.keys(configs).length === 0 && failures.length > 0) {
    return { reason: `no kubelet answered configz (${failures.slice(0, 3).join('; ')})` };
  }
  return { configs };
}

const AWS_TYPES: readonly ResourceType[] = [
  'eks:cluster',
  'eks:clusterVersions',
  'eks:addons',
  'eks:accessEntries',
  'eks:nodegroups',
  'guardduty:detectors',
  'secretsmanager:secrets',
  'inspector:findings',
];

/**
 * Collects everything a posture audit reads. A type the caller may not list (HTTP 403) is marked
 * unavailable with "no permission to list <resource>" and the collection goes on, so the audit
 * skips only the checks that needed it.
 */
export async function collectClusterSnapshot(options: CollectOptions): Promise<ClusterSnapshot> {
  const client = createKubeClient({
    kubeConfig: options.kubeConfig,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  const takenAt = options.clock();
  const unavailable: Unavailable = {};
  const objects: KubeObject[] = [];
  const tell = options.onProgress ?? (() => undefined);
  tell({ collector: 'cluster', status: 'running' });
  const outcomes = await client.listEach(POSTURE_LISTINGS.map(({ kind }) => ({ kind })));
  outcomes.forEach((outcome, at) => {
    const type = (POSTURE_LISTINGS[at] as (typeof POSTURE_LISTINGS)[number]).type;
    if ('objects' in outcome) objects.push(...outcome.objects);
    else if (!outcome.notInstalled) unavailable[type] ??= outcome.reason;
  });
  try {
    objects.push(...(await readAwsAuth(client)));
  } catch (error) {
    unavailable.configmaps =
      error instanceof KubeguardError && error.details.status === 403
        ? 'no permission to get configmaps/aws-auth in kube-system'
        : `reading kube-system/aws-auth failed: ${error instanceof Error ? error.message : String(error)}`;
  }

  const policies = await readAdmissionPolicies(client);
  objects.push(...policies.objects);
  if (policies.unavailable !== undefined) unavailable.admissionpolicies = policies.unavailable;

  const snapshot: ClusterSnapshot = { name: options.name, takenAt, objects, unavailable };
  if (options.readKubeletConfig === false) {
    unavailable['kubelet:config'] = 'kubelet configuration not requested';
  } else if (unavailable.nodes !== undefined) {
    unavailable['kubelet:config'] = `nodes could not be listed: ${unavailable.nodes}`;
  } else {
    const kubelets = await readKubeletConfigs(
      client,
      objects.filter((object) => object.kind === 'Node'),
    );
    if (kubelets.configs !== undefined) snapshot.kubeletConfigs = kubelets.configs;
    else unavailable['kubelet:config'] = kubelets.reason ?? 'kubelet configuration not read';
  }

  tell(clusterProgress(objects.length, unavailable));
  await collectAws(options, snapshot);
  return snapshot;
}

const KUBE_TYPES = new Set<string>([...POSTURE_LISTINGS.map((listing) => listing.type), 'admissionpolicies']);

/** Failed when nothing could be listed; done otherwise, naming what could not be read. */
function clusterProgress(count: number, unavailable: Unavailable): CollectorProgress {
  const missing = Object.entries(unavailable).filter(([type]) => KUBE_TYPES.has(type));
  if (count === 0 && missing.length > 0) {
    return { collector: 'cluster', status: 'failed', detail: missing[0]?.[1] ?? 'nothing could be listed' };
  }
  const partly = missing.length === 0 ? '' : `; not read: ${missing.map(([type]) => type).join(', ')}`;
  return { collector: 'cluster', status: 'done', detail: `${count} objects${partly}` };
}

/** An AWS collector's end: failed when none of its types could be read, else done naming the gaps. */
function awsProgress(
  collector: AuditCollector,
  types: readonly ResourceType[],
  unavailable: Unavailable,
): CollectorProgress {
  const missing = types.filter((type) => unavailable[type] !== undefined);
  if (missing.length === types.length) {
    return { collector, status: 'failed', detail: unavailable[types[0] as ResourceType] as string };
  }
  return missing.length === 0
    ? { collector, status: 'done' }
    : { collector, status: 'done', detail: `not read: ${missing.join(', ')}` };
}

async function collectAws(options: CollectOptions, snapshot: ClusterSnapshot): Promise<void> {
  const { unavailable } = snapshot;
  const tell = options.onProgress ?? (() => undefined);
  const aws = options.aws;
  const eksTypes = AWS_TYPES.filter((t) => t.startsWith('eks:'));
  if (aws === undefined) {
    const reason = 'no AWS access for this audit (Kubernetes API only)';
    for (const type of AWS_TYPES) unavailable[type] = reason;
    for (const collector of ['eks', 'guardduty', 'secretsmanager'] as const)
      tell({ collector, status: 'skipped', detail: reason });
    return;
  }
  const collected: AwsSnapshot = {};
  if (aws.eks !== undefined) tell({ collector: 'eks', status: 'running' });
  if (aws.guardDuty !== undefined) tell({ collector: 'guardduty', status: 'running' });
  const [eks, guardDuty, images] = await Promise.all([
    aws.eks === undefined ? undefined : collectEksSnapshot(aws.eks, aws.clusterName),
    aws.guardDuty === undefined ? undefined : collectGuardDutySnapshot(aws.guardDuty),
    collectImageFindings(aws.imageFindings),
  ]);
  if ('imageFindings' in images) collected.imageFindings = images.imageFindings;
  else unavailable['inspector:findings'] = images.unavailable;
  if (eks === undefined) {
    for (const type of eksTypes) unavailable[type] = 'no EKS client given';
    tell({ collector: 'eks', status: 'skipped', detail: 'no EKS client given' });
  } else {
    Object.assign(collected, eks.aws);
    Object.assign(unavailable, eks.unavailable);
    tell(awsProgress('eks', eksTypes, unavailable));
  }
  if (guardDuty === undefined) {
    unavailable['guardduty:detectors'] = 'no GuardDuty client given';
    tell({ collector: 'guardduty', status: 'skipped', detail: 'no GuardDuty client given' });
  } else {
    Object.assign(collected, guardDuty.aws);
    Object.assign(unavailable, guardDuty.unavailable);
    tell(awsProgress('guardduty', ['guardduty:detectors'], unavailable));
  }
  if (aws.secretsManager === undefined) {
    unavailable['secretsmanager:secrets'] = 'no Secrets Manager client given';
    tell({ collector: 'secretsmanager', status: 'skipped', detail: 'no Secrets Manager client given' });
  } else if (unavailable.externalsecrets !== undefined) {
    const reason = `the secrets the cluster references are unknown: ${unavailable.externalsecrets}`;
    unavailable['secretsmanager:secrets'] = reason;
    tell({ collector: 'secretsmanager', status: 'skipped', detail: reason });
  } else {
    tell({ collector: 'secretsmanager', status: 'running' });
    const secrets = await collectSecretsSnapshot(aws.secretsManager, referencedSecretIds(snapshot.objects));
    Object.assign(collected, secrets.aws);
    Object.assign(unavailable, secrets.unavailable);
    tell(awsProgress('secretsmanager', ['secretsmanager:secrets'], unavailable));
  }
  snapshot.aws = collected;
}

/**
 * Inspector's active ECR image findings of the cluster's region (every severity: the checks pick);
 * a denied or failed ListFindings marks `inspector:findings` unavailable with the reason.
 */
async function collectImageFindings(
  images: NonNullable<CollectOptions['aws']>['imageFindings'],
): Promise<{ imageFindings: NonNullable<AwsSnapshot['imageFindings']> } | { unavailable: string }> {
  if (images === undefined) return { unavailable: 'no Inspector client given' };
  try {
    return {
      imageFindings: await images.source.activeFindings({
        region: images.region,
        ...(images.account === undefined ? {} : { account: images.account }),
      }),
    };
  } catch (error) {
    // The adapter's KubeguardError already names the account, region, role and the fix.
    return {
      unavailable:
        error instanceof KubeguardError ? error.message : unavailableReason('inspector2:ListFindings', error),
    };
  }
}
