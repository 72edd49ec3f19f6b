import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ACTION_METADATA, requiredRbacRules } from '#core/remediation/registry.ts';

/**
 * deploy/kubernetes/rbac.yaml is the bot's whole Kubernetes permission set. It must grant exactly
 * what the actions declare they use: nothing missing (an action would fail with 403), nothing more
 * (least privilege).
 */

const MANIFEST = join(import.meta.dirname, '..', '..', '..', '..', 'deploy', 'kubernetes', 'rbac.yaml');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

interface Manifest {
  kind: string;
  metadata: { name: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string }[];
}

function documents(): Manifest[] {
  return parseAllDocuments(readFileSync(MANIFEST, 'utf8')).map((doc) => doc.toJS() as Manifest);
}

/** `group/resource:verb`, one per permission, sorted. */
function permissions(
  rules: readonly { apiGroups: readonly string[]; resources: readonly string[]; verbs: readonly string[] }[],
) {
  return rules
    .flatMap((rule) =>
      rule.apiGroups.flatMap((group) =>
        rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}:${verb}`)),
      ),
    )
    .sort();
}

describe('deploy/kubernetes/rbac.yaml', () => {
  const [role, binding] = documents();

  it('grants exactly the union of the RBAC rules the actions declare', () => {
    const declared = requiredRbacRules().map((r) => ({
      apiGroups: [r.apiGroup],
      resources: [r.resource],
      verbs: r.verbs,
    }));

    expect(role?.kind).toBe('ClusterRole');
    expect(permissions(role?.rules ?? [])).toEqual(permissions(declared));
  });

  it('binds the role to the group the EKS access entry names', () => {
    expect(binding).toMatchObject({
      kind: 'ClusterRoleBinding',
      roleRef: { kind: 'ClusterRole', name: role?.metadata.name },
      subjects: [{ kind: 'Group', name: 'kubeguard-remediation' }],
    });
  });

  it('never lets the bot read Secret or ConfigMap contents, delete pods or exec into them', () => {
    const granted = permissions(role?.rules ?? []);

    expect(
      granted.filter((p) => /^\/(secrets|configmaps):|^\/pods:delete|^\/pods\/(exec|eviction)/.test(p)),
    ).toEqual([]);
  });

  it('is covered by every action: each declares at least one rule, its IAM actions and an example', () => {
    for (const action of ACTION_METADATA) {
      expect(action.rbac.length, action.id).toBeGreaterThan(0);
      expect(action.iamActions, action.id).toContain('eks:DescribeCluster');
      expect(Object.keys(action.example.request).length, action.id).toBeGreaterThan(0);
    }
  });
});
