import type { ActionMetadata, RbacRule } from './action.ts';
import { CORDON_NODE_METADATA, UNCORDON_NODE_METADATA } from './cordon-node.ts';
import { ISOLATE_POD_METADATA } from './isolate-pod.ts';
import { RELEASE_POD_METADATA } from './release-pod.ts';
import { ROTATE_SECRET_METADATA } from './rotate-secret.ts';

/**
 * Every remediation action kubeguard ships. deploy/kubernetes/rbac.yaml grants exactly the union
 * of their RBAC rules (a unit test compares the two).
 */
export const ACTION_METADATA: readonly ActionMetadata[] = [
  ISOLATE_POD_METADATA,
  RELEASE_POD_METADATA,
  CORDON_NODE_METADATA,
  UNCORDON_NODE_METADATA,
  ROTATE_SECRET_METADATA,
];

/** The union of the actions' rules: one rule per (apiGroup, resource), verbs sorted. */
export function requiredRbacRules(actions: readonly ActionMetadata[] = ACTION_METADATA): RbacRule[] {
  const verbs = new Map<string, Set<RbacRule['verbs'][number]>>();
  for (const rule of actions.flatMap((action) => action.rbac)) {
    const key = `${rule.apiGroup}\u0000${rule.resource}`;
    const set = verbs.get(key) ?? new Set();
    for (const verb of rule.verbs) set.add(verb);
    verbs.set(key, set);
  }
  return [...verbs]
    .map(([key, set]) => {
      const [apiGroup = '', resource = ''] = key.split('\u0000');
      return { apiGroup, resource, verbs: [...set].sort() };
    })
    .sort((a, b) => `${a.apiGroup}/${a.resource}`.localeCompare(`${b.apiGroup}/${b.resource}`));
}
