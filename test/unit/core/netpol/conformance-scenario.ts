import { parseManifests } from '#core/manifests/load.ts';
import { clusterFromObjects } from '#core/netpol/objects.ts';
import type { NetpolCluster } from '#core/netpol/types.ts';
import { readFixtureText } from '#test/support/fixtures.ts';

/**
 * The upstream AdminNetworkPolicy conformance scenario (test/fixtures/kubernetes/network-policy-api):
 * four houses, two pods each, plus the policy files of one conformance test.
 */
export type KubeJson = Record<string, unknown> & { kind: string; metadata: { name: string } };

export function fixtureObjects(file: string): KubeJson[] {
  const path = `kubernetes/network-policy-api/${file}`;
  const { objects, errors } = parseManifests(readFixtureText(path), path);
  if (errors.length > 0) throw new Error(`${path}: ${JSON.stringify(errors)}`);
  return objects.map((o) => structuredClone(o.object) as KubeJson);
}

export const HOUSES = {
  gryffindor: 'network-policy-conformance-gryffindor',
  slytherin: 'network-policy-conformance-slytherin',
  hufflepuff: 'network-policy-conformance-hufflepuff',
  ravenclaw: 'network-policy-conformance-ravenclaw',
} as const;

/** `harry-potter-0` → `network-policy-conformance-gryffindor/harry-potter-0`. */
export function podRef(name: string): { pod: string } {
  const house = name.startsWith('harry-potter')
    ? HOUSES.gryffindor
    : name.startsWith('draco-malfoy')
      ? HOUSES.slytherin
      : name.startsWith('cedric-diggory')
        ? HOUSES.hufflepuff
        : HOUSES.ravenclaw;
  return { pod: `${house}/${name}` };
}

/** The scenario's pods with the policies of `policyFiles`, each object passed through `edit` first. */
export function scenario(
  policyFiles: string[],
  edit: (object: KubeJson) => KubeJson | undefined = (o) => o,
): NetpolCluster {
  const objects = [...fixtureObjects('cluster.yaml'), ...policyFiles.flatMap(fixtureObjects)]
    .map(edit)
    .filter((o): o is KubeJson => o !== undefined);
  const { cluster, problems } = clusterFromObjects(objects);
  if (problems.length > 0) throw new Error(`scenario problems: ${JSON.stringify(problems)}`);
  return cluster;
}

/** The `spec` of an object, for edits. */
export function specOf(object: KubeJson): Record<string, unknown[]> & { priority?: number } {
  return object.spec as Record<string, unknown[]> & { priority?: number };
}
