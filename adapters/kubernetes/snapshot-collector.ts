import type { EKSClient } from '@aws-sdk/client-eks';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  AdmissionregistrationV1Api,
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  NetworkingV1Api,
  PolicyV1Api,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import type { Clock } from '#core/ports.ts';
import { referencedSecretIds } from '#core/secrets/references.ts';
import type { AwsSnapshot, ClusterSnapshot, KubeObject, ResourceType } from '#core/posture/snapshot.ts';
import { mapLimited, type Unavailable } from '../aws/collect-support.ts';
import { collectEksSnapshot } from '../aws/eks-snapshot.ts';
import { collectGuardDutySnapshot } from '../aws/guardduty-snapshot.ts';
import { collectSecretsSnapshot } from '../aws/secrets-snapshot.ts';

export interface CollectOptions {
  kubeConfig: KubeConfig;
  /** Cluster name recorded in the snapshot (the EKS name when AWS clients are given). */
  name: string;
  clock: Clock;
  /** Items per list page (`limit`); the `continue` token is followed to the end. @default 500 */
  pageSize?: number;
  /** Read each node's kubelet configuration through nodes/proxy configz. @default true */
  readKubeletConfig?: boolean;
  /** AWS clients for the AWS-side checks; without them those checks are skipped with the reason. */
  aws?: {
    clusterName: string;
    eks?: EKSClient;
    guardDuty?: GuardDutyClient;
    secretsManager?: SecretsManagerClient;
  };
}

interface Page {
  items?: unknown[];
  metadata?: { _continue?: string; continue?: string };
}

type FetchPage = (limit: number, cont: string | undefined) => Promise<Page>;

interface Listing {
  type: ResourceType;
  kind: string;
  apiVersion: string;
  /** Plural resource name, for messages. */
  plural: string;
  fetch: FetchPage;
  /** A CRD that may not be installed: 404 means "none". */
  optional?: boolean;
}

/** The paged list calls of every resource type the checks read. */
function listings(kubeConfig: KubeConfig): Listing[] {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  const networking = kubeConfig.makeApiClient(NetworkingV1Api);
  const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const policy = kubeConfig.makeApiClient(PolicyV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const crd = (group: string, version: string, plural: string, kind: string): Listing => ({
    type: 'externalsecrets',
    kind,
    apiVersion: `${group}/${version}`,
    plural,
    optional: true,
    fetch: (limit, cont) =>
      custom.listClusterCustomObject({ group, version, plural, limit, _continue: cont }) as Promise<Page>,
  });
  return [
    {
      type: 'pods',
      kind: 'Pod',
      apiVersion: 'v1',
      plural: 'pods',
      fetch: (limit, _continue) => core.listPodForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'workloads',
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      plural: 'deployments',
      fetch: (limit, _continue) => apps.listDeploymentForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'workloads',
      kind: 'StatefulSet',
      apiVersion: 'apps/v1',
      plural: 'statefulsets',
      fetch: (limit, _continue) => apps.listStatefulSetForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'workloads',
      kind: 'DaemonSet',
      apiVersion: 'apps/v1',
      plural: 'daemonsets',
      fetch: (limit, _continue) => apps.listDaemonSetForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'workloads',
      kind: 'ReplicaSet',
      apiVersion: 'apps/v1',
      plural: 'replicasets',
      fetch: (limit, _continue) => apps.listReplicaSetForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'workloads',
      kind: 'Job',
      apiVersion: 'batch/v1',
      plural: 'jobs',
      fetch: (limit, _continue) => batch.listJobForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'workloads',
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      plural: 'cronjobs',
      fetch: (limit, _continue) => batch.listCronJobForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'roles',
      kind: 'Role',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      plural: 'roles',
      fetch: (limit, _continue) => rbac.listRoleForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'roles',
      kind: 'ClusterRole',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      plural: 'clusterroles',
      fetch: (limit, _continue) => rbac.listClusterRole({ limit, _continue }),
    },
    {
      type: 'rolebindings',
      kind: 'RoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      plural: 'rolebindings',
      fetch: (limit, _continue) => rbac.listRoleBindingForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'rolebindings',
      kind: 'ClusterRoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      plural: 'clusterrolebindings',
      fetch: (limit, _continue) => rbac.listClusterRoleBinding({ limit, _continue }),
    },
    {
      type: 'serviceaccounts',
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      plural: 'serviceaccounts',
      fetch: (limit, _continue) => core.listServiceAccountForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'networkpolicies',
      kind: 'NetworkPolicy',
      apiVersion: 'networking.k8s.io/v1',
      plural: 'networkpolicies',
      fetch: (limit, _continue) => networking.listNetworkPolicyForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'services',
      kind: 'Service',
      apiVersion: 'v1',
      plural: 'services',
      fetch: (limit, _continue) => core.listServiceForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'ingresses',
      kind: 'Ingress',
      apiVersion: 'networking.k8s.io/v1',
      plural: 'ingresses',
      fetch: (limit, _continue) => networking.listIngressForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'namespaces',
      kind: 'Namespace',
      apiVersion: 'v1',
      plural: 'namespaces',
      fetch: (limit, _continue) => core.listNamespace({ limit, _continue }),
    },
    {
      type: 'nodes',
      kind: 'Node',
      apiVersion: 'v1',
      plural: 'nodes',
      fetch: (limit, _continue) => core.listNode({ limit, _continue }),
    },
    {
      type: 'poddisruptionbudgets',
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      plural: 'poddisruptionbudgets',
      fetch: (limit, _continue) => policy.listPodDisruptionBudgetForAllNamespaces({ limit, _continue }),
    },
    {
      type: 'webhooks',
      kind: 'MutatingWebhookConfiguration',
      apiVersion: 'admissionregistration.k8s.io/v1',
      plural: 'mutatingwebhookconfigurations',
      fetch: (limit, _continue) => admission.listMutatingWebhookConfiguration({ limit, _continue }),
    },
    {
      type: 'webhooks',
      kind: 'ValidatingWebhookConfiguration',
      apiVersion: 'admissionregistration.k8s.io/v1',
      plural: 'validatingwebhookconfigurations',
      fetch: (limit, _continue) => admission.listValidatingWebhookConfiguration({ limit, _continue }),
    },
    crd('external-secrets.io', 'v1', 'externalsecrets', 'ExternalSecret'),
    crd('external-secrets.io', 'v1', 'secretstores', 'SecretStore'),
    crd('external-secrets.io', 'v1', 'clustersecretstores', 'ClusterSecretStore'),
    crd('secrets-store.csi.x-k8s.io', 'v1', 'secretproviderclasses', 'SecretProviderClass'),
  ];
}

function statusCode(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const code = (error as { code?: unknown; statusCode?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function describeError(error: unknown): string {
  const code = statusCode(error);
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return code === undefined ? message : `HTTP ${code}: ${message}`;
}

/**
 * A client-node model object as wire JSON (dates as ISO strings, only the fields the API sent), with
 * the kind and apiVersion that list items omit.
 */
function toKubeObject(item: unknown, kind: string, apiVersion: string): KubeObject {
  const plain = JSON.parse(JSON.stringify(item)) as Record<string, unknown>;
  const metadata = (plain.metadata ?? { name: '' }) as KubeObject['metadata'];
  return { ...plain, apiVersion, kind, metadata };
}

async function listAll(listing: Listing, pageSize: number): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  let cont: string | undefined;
  do {
    const page = await listing.fetch(pageSize, cont);
    for (const item of page.items ?? []) objects.push(toKubeObject(item, listing.kind, listing.apiVersion));
    const next = page.metadata?._continue ?? page.metadata?.continue;
    cont = typeof next === 'string' && next !== '' ? next : undefined;
  } while (cont !== undefined);
  return objects;
}

/** kube-system/aws-auth, read by name: listing every ConfigMap would collect application data. */
async function readAwsAuth(kubeConfig: KubeConfig): Promise<KubeObject[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  try {
    const configMap = await core.readNamespacedConfigMap({ name: 'aws-auth', namespace: 'kube-system' });
    return [toKubeObject(configMap, 'ConfigMap', 'v1')];
  } catch (error) {
    if (statusCode(error) === 404) return [];
    throw error;
  }
}

async function readKubeletConfigs(
  kubeConfig: KubeConfig,
  nodes: readonly KubeObject[],
): Promise<{ configs?: Record<string, Record<string, unknown>>; reason?: string }> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const configs: Record<string, Record<string, unknown>> = {};
  const failures: string[] = [];
  let denied = false;
  await mapLimited(nodes, 5, async (node) => {
    if (denied) return;
    const name = node.metadata.name;
    try {
      const body: unknown = await core.connectGetNodeProxyWithPath({ name, path: 'configz' });
      configs[name] = (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown>;
    } catch (error) {
      if (statusCode(error) === 403) denied = true;
      else failures.push(`${name}: ${describeError(error)}`);
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
];

/**
 * Collects everything a posture audit reads. A type the caller may not list (HTTP 403) is marked
 * unavailable with "no permission to list <resource>" and the collection goes on, so the audit
 * skips only the checks that needed it.
 */
export async function collectClusterSnapshot(options: CollectOptions): Promise<ClusterSnapshot> {
  const pageSize = options.pageSize ?? 500;
  const takenAt = options.clock();
  const unavailable: Unavailable = {};
  const objects: KubeObject[] = [];
  const results = await mapLimited(listings(options.kubeConfig), 4, async (listing) => {
    try {
      return { listing, objects: await listAll(listing, pageSize) };
    } catch (error) {
      return { listing, error };
    }
  });
  for (const result of results) {
    const { listing } = result;
    if ('objects' in result) {
      objects.push(...(result.objects ?? []));
      continue;
    }
    const code = statusCode(result.error);
    if (listing.optional && code === 404) continue; // the CRD is not installed: there are none
    unavailable[listing.type] ??=
      code === 403
        ? `no permission to list ${listing.plural}`
        : `listing ${listing.plural} failed: ${describeError(result.error)}`;
  }
  try {
    objects.push(...(await readAwsAuth(options.kubeConfig)));
  } catch (error) {
    unavailable.configmaps =
      statusCode(error) === 403
        ? 'no permission to get configmaps/aws-auth in kube-system'
        : `reading kube-system/aws-auth failed: ${describeError(error)}`;
  }

  const snapshot: ClusterSnapshot = { name: options.name, takenAt, objects, unavailable };
  if (options.readKubeletConfig === false) {
    unavailable['kubelet:config'] = 'kubelet configuration not requested';
  } else if (unavailable.nodes !== undefined) {
    unavailable['kubelet:config'] = `nodes could not be listed: ${unavailable.nodes}`;
  } else {
    const kubelets = await readKubeletConfigs(
      options.kubeConfig,
      objects.filter((object) => object.kind === 'Node'),
    );
    if (kubelets.configs !== undefined) snapshot.kubeletConfigs = kubelets.configs;
    else unavailable['kubelet:config'] = kubelets.reason ?? 'kubelet configuration not read';
  }

  await collectAws(options, snapshot);
  return snapshot;
}

async function collectAws(options: CollectOptions, snapshot: ClusterSnapshot): Promise<void> {
  const { unavailable } = snapshot;
  const aws = options.aws;
  if (aws === undefined) {
    for (const type of AWS_TYPES) unavailable[type] = 'no AWS access for this audit (Kubernetes API only)';
    return;
  }
  const collected: AwsSnapshot = {};
  const [eks, guardDuty] = await Promise.all([
    aws.eks === undefined ? undefined : collectEksSnapshot(aws.eks, aws.clusterName),
    aws.guardDuty === undefined ? undefined : collectGuardDutySnapshot(aws.guardDuty),
  ]);
  if (eks === undefined) {
    for (const type of AWS_TYPES.filter((t) => t.startsWith('eks:')))
      unavailable[type] = 'no EKS client given';
  } else {
    Object.assign(collected, eks.aws);
    Object.assign(unavailable, eks.unavailable);
  }
  if (guardDuty === undefined) unavailable['guardduty:detectors'] = 'no GuardDuty client given';
  else {
    Object.assign(collected, guardDuty.aws);
    Object.assign(unavailable, guardDuty.unavailable);
  }
  if (aws.secretsManager === undefined) {
    unavailable['secretsmanager:secrets'] = 'no Secrets Manager client given';
  } else if (unavailable.externalsecrets !== undefined) {
    unavailable['secretsmanager:secrets'] =
      `the secrets the cluster references are unknown: ${unavailable.externalsecrets}`;
  } else {
    const secrets = await collectSecretsSnapshot(aws.secretsManager, referencedSecretIds(snapshot.objects));
    Object.assign(collected, secrets.aws);
    Object.assign(unavailable, secrets.unavailable);
  }
  snapshot.aws = collected;
}
