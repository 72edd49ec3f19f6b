import { effectivePolicyTypes } from '../netpol/policy.ts';
import type { NetworkPolicy, PolicyType } from '../netpol/types.ts';
import { dig, podTemplates, record } from './pod-templates.ts';
import { type CompiledSelector, type Labels, selectorOf } from './selectors.ts';
import type { ClusterSnapshot, KubeObject } from './snapshot.ts';
import { namespaceOf, objectsOfKind } from './snapshot-index.ts';

export interface IndexedPolicy {
  object: KubeObject;
  name: string;
  podSelector: CompiledSelector;
  /** policyTypes as the API server defaults them; [] when the policy is malformed. */
  types: readonly PolicyType[];
  /** Why the policy cannot be read (bad selector, bad policyTypes). */
  problem?: string;
}

/** NetworkPolicies and pod label sets per namespace, selectors compiled once (shared by KP-100…102, 106). */
export interface NetworkIndex {
  policies: ReadonlyMap<string, readonly IndexedPolicy[]>;
  /** Label sets of every pod and pod template, per namespace. */
  podLabels: ReadonlyMap<string, readonly Labels[]>;
}

const cache = new WeakMap<ClusterSnapshot, NetworkIndex>();

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function indexPolicy(object: KubeObject): IndexedPolicy {
  const podSelector = selectorOf(dig(object, 'spec', 'podSelector'), 'spec.podSelector');
  let types: PolicyType[] = [];
  let problem = podSelector.error;
  try {
    const view = { metadata: object.metadata, spec: record(object.spec) ?? {} } as unknown as NetworkPolicy;
    types = effectivePolicyTypes(view, object.metadata.name);
  } catch (error) {
    problem ??= error instanceof Error ? error.message : String(error);
  }
  const indexed: IndexedPolicy = { object, name: object.metadata.name, podSelector, types };
  if (problem !== undefined) indexed.problem = problem;
  return indexed;
}

export function networkIndex(snapshot: ClusterSnapshot): NetworkIndex {
  const cached = cache.get(snapshot);
  if (cached !== undefined) return cached;
  const policies = new Map<string, IndexedPolicy[]>();
  for (const object of objectsOfKind(snapshot, 'NetworkPolicy')) {
    push(policies, namespaceOf(object), indexPolicy(object));
  }
  const podLabels = new Map<string, Labels[]>();
  for (const template of podTemplates(snapshot)) push(podLabels, template.namespace, template.labels);
  for (const pod of objectsOfKind(snapshot, 'Pod')) {
    push(podLabels, namespaceOf(pod), (pod.metadata.labels ?? {}) as Labels);
  }
  const index: NetworkIndex = { policies, podLabels };
  cache.set(snapshot, index);
  return index;
}

/** Namespaces Kubernetes and EKS manage; they are exempt from the per-namespace policy checks. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
]);
