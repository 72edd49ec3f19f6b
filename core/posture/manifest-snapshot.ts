import type { LoadedObject } from '../manifests/load.ts';
import type { ClusterSnapshot, KubeObject, ResourceType } from './snapshot.ts';

const NO_AWS = 'offline audit of manifests: no AWS access';

/** What an offline audit cannot see: the AWS side and the nodes' live kubelet configuration. */
export const OFFLINE_UNAVAILABLE: Readonly<Partial<Record<ResourceType, string>>> = {
  'eks:cluster': NO_AWS,
  'eks:addons': NO_AWS,
  'eks:accessEntries': NO_AWS,
  'eks:nodegroups': NO_AWS,
  'guardduty:detectors': NO_AWS,
  'secretsmanager:secrets': NO_AWS,
  'inspector:findings': NO_AWS,
  'kubelet:config': 'offline audit of manifests: kubelet configuration is read from live nodes',
};

/** Name given to an object whose manifest has none, so it can still be audited and pointed at. */
function placeholderName(loaded: LoadedObject): string {
  const item = loaded.item === undefined ? '' : `, item ${loaded.item}`;
  return `(unnamed, document ${loaded.index}${item})`;
}

function toKubeObject(loaded: LoadedObject): KubeObject {
  const { object } = loaded;
  const metadata = (object.metadata ?? {}) as KubeObject['metadata'];
  const name =
    typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : placeholderName(loaded);
  return { ...object, metadata: { ...metadata, name } } as KubeObject;
}

/** A snapshot of objects read from manifest files, for `kubeguard audit --manifests`. */
export function snapshotFromManifests(
  loaded: readonly LoadedObject[],
  takenAt: string,
  name = 'manifests',
): ClusterSnapshot {
  return {
    name,
    takenAt,
    objects: loaded.map(toKubeObject),
    files: loaded.map((entry) => entry.file),
    lines: loaded.map((entry) => entry.line),
    unavailable: { ...OFFLINE_UNAVAILABLE },
  };
}
