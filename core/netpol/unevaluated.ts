import { compileSubject } from './admin.ts';
import { displayKind, policyKindOf } from './kinds.ts';
import { compileSelector, type Labels } from './labels.ts';
import { labelSelectorSchema } from './schemas.ts';
import type { AdminNetworkPolicySubject, LabelSelector, NetpolPod, UnevaluatedPolicy } from './types.ts';

/**
 * Policies that exist but are not evaluated, and the pods they may select. Where kubeguard can still
 * read a selector (a NetworkPolicy's podSelector, an admin policy's subject), a pod it does not select
 * is unaffected; otherwise every pod in the object's scope may be selected.
 *
 * The tier says where the policy would act, which decides when it matters: an unevaluated
 * NetworkPolicy can only add allows, so it cannot change an allow another NetworkPolicy gives; an
 * unevaluated admin policy or an engine's own policy (Calico, Cilium) may allow or deny anything.
 */
export type UnevaluatedTier = 'admin' | 'networkpolicy' | 'baseline' | 'opaque';

export interface CompiledUnevaluated {
  /** `NetworkPolicy/shop/allow-web`, `GlobalNetworkPolicy/allow-all`, or the kind alone when unreadable. */
  id: string;
  tier: UnevaluatedTier;
  /** `<id> could not be evaluated (<reason>)`, or `<kind> objects could not be read (<reason>)`. */
  description: string;
  mayApplyTo(pod: NetpolPod, namespaceLabels: Labels): boolean;
}

export function compileUnevaluated(entry: UnevaluatedPolicy): CompiledUnevaluated {
  const kind = displayKind(entry.kind, entry.apiVersion);
  const tier = tierOf(entry);
  const scope = entry.namespace === undefined ? '' : `${entry.namespace}/`;
  if (entry.name === undefined) {
    const where = entry.namespace === undefined ? '' : ` in namespace ${entry.namespace}`;
    return {
      id: kind,
      tier,
      description: `${kind} objects${where} could not be read (${entry.reason})`,
      mayApplyTo: (pod) => entry.namespace === undefined || pod.namespace === entry.namespace,
    };
  }
  const id = `${kind}/${scope}${entry.name}`;
  const selects = selectionOf(entry, tier);
  return {
    id,
    tier,
    description: `${id} could not be evaluated (${entry.reason})`,
    mayApplyTo: (pod, namespaceLabels) =>
      (entry.namespace === undefined || pod.namespace === entry.namespace) && selects(pod, namespaceLabels),
  };
}

function tierOf(entry: UnevaluatedPolicy): UnevaluatedTier {
  const group = entry.apiVersion?.includes('/')
    ? entry.apiVersion.slice(0, entry.apiVersion.indexOf('/'))
    : '';
  if (entry.kind === 'NetworkPolicy' && (group === 'networking.k8s.io' || entry.apiVersion === undefined)) {
    return 'networkpolicy';
  }
  const custom = policyKindOf(entry.apiVersion ?? '', entry.kind);
  if (custom?.kind === 'AdminNetworkPolicy') return 'admin';
  if (custom?.kind === 'BaselineAdminNetworkPolicy') return 'baseline';
  return 'opaque';
}

/** The pods the object's own selector picks, when it still parses; every pod in scope otherwise. */
function selectionOf(
  entry: UnevaluatedPolicy,
  tier: UnevaluatedTier,
): (pod: NetpolPod, namespaceLabels: Labels) => boolean {
  const spec = (entry.object as { spec?: Record<string, unknown> } | undefined)?.spec;
  try {
    if (tier === 'networkpolicy' && spec !== undefined && isLabelSelector(spec.podSelector)) {
      const podSelector = compileSelector(spec.podSelector, 'podSelector');
      return (pod) => podSelector(pod.labels);
    }
    if ((tier === 'admin' || tier === 'baseline') && isSubject(spec?.subject)) {
      return compileSubject(spec?.subject as AdminNetworkPolicySubject, 'subject');
    }
  } catch {
    // A selector that does not parse says nothing about which pods the policy selects.
  }
  return () => true;
}

/** `{namespaces: selector}` or `{pods: {namespaceSelector, podSelector}}`, and nothing else. */
function isSubject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { namespaces, pods, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || (namespaces === undefined) === (pods === undefined)) return false;
  if (namespaces !== undefined) return namespaces !== null && isLabelSelector(namespaces);
  if (typeof pods !== 'object' || pods === null) return false;
  const { namespaceSelector, podSelector, ...other } = pods as Record<string, unknown>;
  return (
    Object.keys(other).length === 0 &&
    namespaceSelector !== undefined &&
    podSelector !== undefined &&
    isLabelSelector(namespaceSelector) &&
    isLabelSelector(podSelector)
  );
}

/**
 * Whether a value read from an object has exactly the LabelSelector shape (null and undefined
 * included, meaning "everything"). A selector of another shape must not be compiled: `matchLabels:
 * "x"` would otherwise read as a selector of nothing.
 */
function isLabelSelector(value: unknown): value is LabelSelector | null | undefined {
  return value === undefined || value === null || labelSelectorSchema.safeParse(value).success;
}
