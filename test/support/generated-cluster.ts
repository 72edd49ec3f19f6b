import { OFFLINE_UNAVAILABLE } from '#core/posture/manifest-snapshot.ts';
import type { ClusterSnapshot, KubeObject } from '#core/posture/snapshot.ts';
import { corpusManifest } from './rbac-objects.ts';

/** The public corpus manifests (m01…m30) whose apiVersion and kind a cluster would accept. */
function corpusObjects(): KubeObject[] {
  return Array.from({ length: 30 }, (_, i) => `m${String(i + 1).padStart(2, '0')}.yaml`)
    .flatMap(corpusManifest)
    .filter((object) => !(object.apiVersion === 'v1' && object.kind === 'Deployment'));
}

/**
 * A cluster of `size` objects for view and export tests: the corpus manifests copied into namespaces
 * `team-0`, `team-1`, … (names suffixed with the copy number), plus one Pod whose name and namespace
 * carry Slack control sequences, as a hostile cluster could. AWS-side types are unavailable, as in an
 * audit without AWS access, so the report also has skipped checks.
 */
export function generatedCluster(size: number, name = 'prod-eu'): ClusterSnapshot {
  const corpus = corpusObjects();
  const objects: KubeObject[] = [hostilePod()];
  for (let copy = 0; objects.length < size; copy++) {
    const namespace = `team-${copy}`;
    for (const source of corpus) {
      if (objects.length >= size) break;
      const object = structuredClone(source);
      object.metadata.name = `${object.metadata.name}-${copy}`;
      const clusterScoped = object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding';
      if (!clusterScoped) object.metadata.namespace = namespace;
      objects.push(object);
    }
  }
  return { name, takenAt: '2026-03-02T06:00:00.000Z', objects, unavailable: { ...OFFLINE_UNAVAILABLE } };
}

/** m08's privileged Pod under a name that would ping the channel and hide a link if not escaped. */
function hostilePod(): KubeObject {
  const pod = structuredClone(corpusManifest('m08.yaml')[0] as KubeObject);
  pod.metadata.name = '<!channel> <https://evil.example|click> & `x`';
  pod.metadata.namespace = '<@U0ADMIN>';
  return pod;
}
