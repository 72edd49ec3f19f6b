import { z } from 'zod';
import { NAMESPACE_NAME_LABEL } from './evaluate.ts';
import { compilePolicy, DEFAULT_NAMESPACE } from './policy.ts';
import {
  type ContainerPort,
  type NetpolCluster,
  type NetpolNamespace,
  type NetpolPod,
  type NetworkPolicy,
  PROTOCOLS,
} from './types.ts';

/**
 * Turns Kubernetes objects as written in manifests or returned by the API (Pod, Namespace,
 * NetworkPolicy; other kinds are ignored) into what the evaluator needs. Objects that do not have
 * the expected shape are reported with the field at fault and left out; the rest still count.
 */

export interface ObjectProblem {
  /** `Kind namespace/name`, or where the object came from when it has no usable name. */
  object: string;
  reason: string;
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

/*
 * Inside a policy spec, unknown keys are refused rather than dropped: a misspelt `from` or
 * `podSelector` would otherwise widen a rule to "anyone" (the API server's strict field validation
 * refuses them too).
 */
const selector = z
  .strictObject({
    matchLabels: z.record(z.string(), z.string()).nullish(),
    matchExpressions: z
      .array(
        z.strictObject({
          key: z.string(),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string()).nullish(),
        }),
      )
      .nullish(),
  })
  .nullish();

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

export function clusterFromObjects(objects: readonly unknown[]): ClusterFromObjects {
  const pods: NetpolPod[] = [];
  const namespaces = new Map<string, NetpolNamespace>();
  const policies: NetworkPolicy[] = [];
  const problems: ObjectProblem[] = [];
  for (const object of objects) {
    const kind = kindOf(object);
    if (kind === 'Pod') collect(toPod(object), pods, problems);
    else if (kind === 'NetworkPolicy') collect(toNetworkPolicy(object), policies, problems);
    else if (kind === 'Namespace') {
      const namespace = toNamespace(object);
      if ('problem' in namespace) problems.push(namespace.problem);
      else namespaces.set(namespace.value.name, namespace.value);
    }
  }
  // Pods and policies may live in namespaces the input does not declare: the API server would still
  // give those namespaces their name label, so namespace selectors can match them.
  for (const name of [...pods.map((p) => p.namespace), ...policies.map((p) => p.metadata.namespace ?? '')]) {
    if (name !== '' && !namespaces.has(name))
      namespaces.set(name, { name, labels: { [NAMESPACE_NAME_LABEL]: name } });
  }
  return { cluster: { pods, namespaces: [...namespaces.values()], policies }, problems };
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
  // The API server rejects what does not compile (bad CIDR, endPort below port…): such a policy
  // never exists in a cluster, so it is reported and left out rather than evaluated.
  try {
    compilePolicy(policy);
  } catch (error) {
    const reason =
      error instanceof Error ? error.message.replace(/^invalid NetworkPolicy: /, '') : String(error);
    return { problem: { object: `NetworkPolicy ${policy.metadata.namespace}/${meta.name}`, reason } };
  }
  return { value: policy };
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
  const issues = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${path.replace(/^\./, '') || '(object)'}: ${issue.message}`;
  });
  return { object: `${kind} ${namespace}${name}`, reason: issues.join('; ') };
}
