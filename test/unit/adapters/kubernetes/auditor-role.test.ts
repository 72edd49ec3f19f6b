import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ADMISSION_POLICY_RESOURCES, POSTURE_LISTINGS } from '#adapters/kubernetes/snapshot-collector.ts';
import { groupOf, KUBE_KINDS, servedVersions } from '#core/model/kube-kinds.ts';

/** The `kubeguard-auditor` ClusterRole docs/deploy.md tells operators to apply. */
function auditorRules(): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  const deploy = readFileSync(join(import.meta.dirname, '../../../../docs/deploy.md'), 'utf8');
  const section = deploy.slice(deploy.indexOf('## 6. Let the posture audit read each cluster'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const role = parseAllDocuments(block)
    .map((document) => document.toJS() as { kind?: string; metadata?: { name?: string }; rules?: [] })
    .find((object) => object.kind === 'ClusterRole' && object.metadata?.name === 'kubeguard-auditor');
  return role?.rules ?? [];
}

describe('the auditor ClusterRole of docs/deploy.md', () => {
  it('lets the posture collector list every kind it reads, in every group the kind is served from', () => {
    const rules = auditorRules();
    const missing = POSTURE_LISTINGS.flatMap(({ kind }) =>
      servedVersions(kind)
        .map((apiVersion) => ({ group: groupOf(apiVersion), resource: KUBE_KINDS[kind].resource }))
        .filter(
          ({ group, resource }) =>
            !rules.some(
              (rule) =>
                rule.apiGroups.includes(group) &&
                rule.resources.includes(resource) &&
                rule.verbs.includes('list'),
            ),
        )
        .map(({ group, resource }) => `${resource}.${group || 'core'}`),
    );

    expect(rules.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('lets the collector list the admission policies KP-110 reads, and every Gatekeeper constraint kind', () => {
    const rules = auditorRules();
    const allows = (group: string, resource: string) =>
      rules.some(
        (rule) =>
          rule.apiGroups.includes(group) &&
          (rule.resources.includes(resource) || rule.resources.includes('*')) &&
          rule.verbs.includes('list'),
      );
    const missing = ADMISSION_POLICY_RESOURCES.filter(
      ({ apiVersion, resource }) => !allows(apiVersion.split('/')[0] ?? '', resource),
    ).map(({ resource }) => resource);

    expect(missing).toEqual([]);
    expect(allows('constraints.gatekeeper.sh', 'ratifyverification')).toBe(true);
  });
});
