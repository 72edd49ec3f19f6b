import { z } from 'zod';
import { toAdminNetworkPolicy, toBaselineAdminNetworkPolicy } from './admin-objects.ts';
import { NAMESPACE_NAME_LABEL } from './evaluate.ts';
import { displayKind, policyKindOf } from './kinds.ts';
import { compilePolicy, DEFAULT_NAMESPACE } from './policy.ts';
import { issuesOf, labelSelectorSchema } from './schemas.ts';
import {
  type AdminNetworkPolicy,
  type BaselineAdminNetworkPolicy,
  type ContainerPort,
  type NetpolCluster,
  type NetpolNamespace,
  type NetpolNode,
  type NetpolPod,
  type NetworkPolicy,
  PROTOCOLS,
  type UnevaluatedPolicy,
} from './types.ts';

/**
 * Turns Kubernetes objects as written in manifests or returned by the API into what the evaluator
 * needs: Pods, Namespaces, Nodes, NetworkPolicies, AdminNetworkPolicies and the
 * BaselineAdminNetworkPolicy; other kinds are ignored, except the policy kinds of Calico and Cilium,
 * which are kept as not evaluated. A policy that does not have the expected shape is reported with
 * the field at fault and kept as not evaluated too: the pods it may select get `unknown`, never a
 * verdict computed as if it did not exist. Pods and namespaces that do not parse are reported and
 * left out.
 */

export interface ObjectProblem {
  /** `Kind namespace/name`, or where the object came from when it has no usable name. */
  object: string;
  reason: string;
  /**
   * True for a policy kept as not evaluated (the pods it may select get `unknown`); absent for a
   * pod, namespace or node that is left out.
   */
  unevaluated?: true;
}

export interface ClusterFromObjects {
  cluster: NetpolCluster;
  problems: ObjectProblem[];
}

const labels = z.record(z.string(), z.string()).nullish();
const metadata = z.object({
  name: z.string().min(1),
  namespace: z.string().min(1).nullish(),
  labels,
});

const selector = labelSelectorSchema.nullish();

const peer = z.strictObject({
  podSelector: selector,
  namespaceSelector: selector,
  ipBlock: z.strictObject({ cidr: z.string(), except: z.array(z.string()).nullish() }).nullish(),
});

const policyPort = z.strictObject({
  protocol: z.enum(PROTOCOLS).nullish(),
  port: z.union([z.number().int(), z.string()]).nullish(),
  endPort: z.number().int().nullish(),
});

const networkPolicySchema = z.object({
  metadata,
  spec: z.strictObject({
    podSelector: selector,
    policyTypes: z.array(z.enum(['Ingress', 'Egress'])).nullish(),
    ingress: z
      .array(z.strictObject({ from: z.array(peer).nullish(), ports: z.array(policyPort).nullish() }))
      .nullish(),
    egress: z
      .array(z.strictObject({ to: z.array(peer).nullish(), ports: z.array(policyPort).nullish() }))
      .nullish(),
  }),
});

const containerPorts = z
  .array(
    z.object({
      name: z.string().nullish(),
      containerPort: z.number().int(),
      protocol: z.enum(PROTOCOLS).nullish(),
    }),
  )
  .nullish();

const container = z.object({ ports: containerPorts, restartPolicy: z.string().nullish() });

const podSchema = z.object({
  metadata,
  spec: z
    .object({ containers: z.array(container).nullish(), initContainers: z.array(container).nullish() })
    .nullish(),
  status: z.object({ podIP: z.string().nullish() }).nullish(),
});

const namespaceSchema = z.object({ metadata: z.object({ name: z.string().min(1), labels }) });

/** Kinds listed as not evaluated because they could not be read at all (e.g. HTTP 403). */
export interface ClusterFromObjectsOptions {
  unreadable?: readonly UnevaluatedPolicy[];
}

const NETWORK_POLICY_GROUPS = new Set(['networking.k8s.io', 'extensions']);

export function clusterFromObjects(
  objects: readonly unknown[],
  options: ClusterFromObjectsOptions = {},
): ClusterFromObjects {
  const pods: NetpolPod[] = [];
  const namespaces = new Map<string, NetpolNamespace>();
  const nodes: NetpolNode[] = [];
  const policies: NetworkPolicy[] = [];
  const adminPolicies: AdminNetworkPolicy[] = [];
  const baselinePolicies: BaselineAdminNetworkPolicy[] = [];
  const unevaluated: UnevaluatedPolicy[] = [...(options.unreadable ?? [])];
  const problems: ObjectProblem[] = [];
  let nodesSeen = false;
  for (const object of objects) {
    const kind = kindOf(object);
    const apiVersion = (object as { apiVersion?: unknown } | null)?.apiVersion;
    const group = typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    if (kind === 'Pod' && group === '') collect(toPod(object), pods, problems);
    else if (kind === 'Node' && group === '') {
      nodesSeen = true;
      collect(toNode(object), nodes, problems);
    } else if (kind === 'Namespace' && group === '') {
      const namespace = toNamespace(object);
      if ('problem' in namespace) problems.push(namespace.problem);
      else namespaces.set(namespace.value.name, namespace.value);
    } else if (
      kind === 'NetworkPolicy' &&
      (apiVersion === undefined || NETWORK_POLICY_GROUPS.has(group ?? ''))
    ) {
      const policy = toNetworkPolicy(object);
      if ('value' in policy) policies.push(policy.value);
      else notEvaluated(object, 'NetworkPolicy', policy.problem.reason, { unevaluated, problems });
    } else {
      const custom = policyKindOf(apiVersion, kind);
      if (custom === undefined) continue;
      if (custom.engine !== undefined) {
        const reason = `a ${custom.engine} policy; kubeguard does not evaluate ${custom.engine} policies`;
        unevaluated.push({ ...identityOf(object, custom.kind, custom.namespaced), reason, object });
      } else if (custom.kind === 'AdminNetworkPolicy') {
        const policy = toAdminNetworkPolicy(object);
        if ('value' in policy) adminPolicies.push(policy.value);
        else notEvaluated(object, custom.kind, policy.reason, { unevaluated, problems });
      } else {
        const policy = toBaselineAdminNetworkPolicy(object);
        if ('value' in policy) baselinePolicies.push(policy.value);
        else notEvaluated(object, custom.kind, policy.reason, { unevaluated, problems });
      }
    }
  }
  // Pods and policies may live in namespaces the input does not declare: the API server would still
  // give those namespaces their name label, so namespace selectors can match them.
  for (const name of [...pods.map((p) => p.namespace), ...policies.map((p) => p.metadata.namespace ?? '')]) {
    if (name !== '' && !namespaces.has(name))
      namespaces.set(name, { name, labels: { [NAMESPACE_NAME_LABEL]: name } });
  }
  const cluster: NetpolCluster = {
    pods,
    namespaces: [...namespaces.values()],
    policies,
    ...(adminPolicies.length > 0 ? { adminPolicies } : {}),
    ...(baselinePolicies.length > 0 ? { baselinePolicies } : {}),
    ...(unevaluated.length > 0 ? { unevaluated } : {}),
    ...(nodesSeen ? { nodes } : {}),
  };
  return { cluster, problems };
}

/** Namespaced kinds keep their namespace (`default` when a manifest leaves it out). */
function identityOf(
  object: unknown,
  kind: string,
  namespaced: boolean,
): Pick<UnevaluatedPolicy, 'kind' | 'apiVersion' | 'namespace' | 'name'> {
  const meta = (object as { metadata?: { name?: unknown; namespace?: unknown } }).metadata;
  const apiVersion = (object as { apiVersion?: unknown }).apiVersion;
  const namespace =
    typeof meta?.namespace === 'string' && meta.namespace !== '' ? meta.namespace : DEFAULT_NAMESPACE;
  return {
    kind,
    ...(typeof apiVersion === 'string' ? { apiVersion } : {}),
    ...(namespaced ? { namespace } : {}),
    name: typeof meta?.name === 'string' && meta.name !== '' ? meta.name : '(unnamed)',
  };
}

function notEvaluated(
  object: unknown,
  kind: string,
  reason: string,
  into: { unevaluated: UnevaluatedPolicy[]; problems: ObjectProblem[] },
): void {
  const identity = identityOf(object, kind, kind === 'NetworkPolicy');
  into.unevaluated.push({ ...identity, reason, object });
  const where = identity.namespace === undefined ? '' : `${identity.namespace}/`;
  into.problems.push({
    object: `${displayKind(kind, identity.apiVersion)} ${where}${identity.name}`,
    reason,
    unevaluated: true,
  });
}

type Converted<T> = { value: T } | { problem: ObjectProblem };

function collect<T>(converted: Converted<T>, into: T[], problems: ObjectProblem[]): void {
  if ('problem' in converted) problems.push(converted.problem);
  else into.push(converted.value);
}

export function toPod(object: unknown): Converted<NetpolPod> {
  const parsed = podSchema.safeParse(object);
  if (!parsed.success) return { problem: problemOf('Pod', object, parsed.error) };
  const { metadata: meta, spec, status } = parsed.data;
  // Sidecars (init containers with restartPolicy Always) keep running and serve their ports.
  const running = [
    ...(spec?.containers ?? []),
    ...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  const ports: ContainerPort[] = running.flatMap((c) =>
    (c.ports ?? []).map((p) => ({
      containerPort: p.containerPort,
      protocol: p.protocol ?? 'TCP',
      ...(p.name ? { name: p.name } : {}),
    })),
  );
  return {
    value: {
      namespace: meta.namespace ?? DEFAULT_NAMESPACE,
      name: meta.name,
      labels: meta.labels ?? {},
      ...(status?.podIP ? { ip: status.podIP } : {}),
      ports,
    },
  };
}

export function toNamespace(object: unknown): Converted<NetpolNamespace> {
  const parsed = namespaceSchema.safeParse(object);
  if (!parsed.success) return { problem: problemOf('Namespace', object, parsed.error) };
  const { name, labels: written } = parsed.data.metadata;
  // The API server always sets this label to the name, whatever the manifest says.
  return { value: { name, labels: { ...(written ?? {}), [NAMESPACE_NAME_LABEL]: name } } };
}

export function toNetworkPolicy(object: unknown): Converted<NetworkPolicy> {
  const parsed = networkPolicySchema.safeParse(object);
  if (!parsed.success) return { problem: problemOf('NetworkPolicy', object, parsed.error) };
  const { metadata: meta, spec } = parsed.data;
  const policy: NetworkPolicy = {
    metadata: { name: meta.name, namespace: meta.namespace ?? DEFAULT_NAMESPACE },
    spec: spec as NetworkPolicy['spec'],
  };
  // What does not compile (bad CIDR, endPort below port…) is reported by the caller and kept as not
  // evaluated: a cluster's API server may have admitted it under rules older than this code's.
  try {
    compilePolicy(policy);
  } catch (error) {
    const reason =
      error instanceof Error ? error.message.replace(/^invalid NetworkPolicy: /, '') : String(error);
    return { problem: { object: `NetworkPolicy ${policy.metadata.namespace}/${meta.name}`, reason } };
  }
  return { value: policy };
}

const nodeSchema = z.object({
  metadata: z.object({ name: z.string().min(1), labels }),
  status: z
    .object({ addresses: z.array(z.object({ type: z.string().nullish(), address: z.string() })).nullish() })
    .nullish(),
});

export function toNode(object: unknown): Converted<NetpolNode> {
  const parsed = nodeSchema.safeParse(object);
  if (!parsed.success) return { problem: problemOf('Node', object, parsed.error) };
  const { metadata: meta, status } = parsed.data;
  return {
    value: {
      name: meta.name,
      labels: meta.labels ?? {},
      addresses: (status?.addresses ?? []).map((a) => a.address),
    },
  };
}

function kindOf(object: unknown): string | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const kind = (object as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind : undefined;
}

function problemOf(kind: string, object: unknown, error: z.ZodError): ObjectProblem {
  const meta = (object as { metadata?: { name?: unknown; namespace?: unknown } }).metadata;
  const name = typeof meta?.name === 'string' ? meta.name : '(unnamed)';
  const namespace = typeof meta?.namespace === 'string' ? `${meta.namespace}/` : '';
  return { object: `${kind} ${namespace}${name}`, reason: issuesOf(error) };
}
