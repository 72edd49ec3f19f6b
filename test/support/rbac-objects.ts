import { parseAllDocuments } from 'yaml';
import type { ClusterSnapshot, KubeObject } from '#core/posture/snapshot.ts';
import { readFixtureText } from './fixtures.ts';

/** The `requestObject` of line `line` (1-based) of the public audit-event corpus, named when it has no name. */
export function auditRequestObject(line: number, name?: string): KubeObject {
  const text = readFixtureText('corpus/public/audit-events.jsonl').split('\n')[line - 1] ?? '';
  const event = JSON.parse(text) as { requestObject: KubeObject };
  const object = structuredClone(event.requestObject);
  object.metadata ??= { name: '' };
  if (name !== undefined) object.metadata.name = name;
  return object;
}

/** Every object of a corpus manifest (test/fixtures/corpus/public/manifests/<file>). */
export function corpusManifest(file: string): KubeObject[] {
  return parseAllDocuments(readFixtureText(`corpus/public/manifests/${file}`))
    .map((document) => document.toJSON() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

export function manifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJSON() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

/** A binding of `role` to the subjects, in the shape the API returns. */
export function binding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }[],
  namespace?: string,
): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: namespace === undefined ? { name } : { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects: subjects.map((subject) =>
      subject.kind === 'ServiceAccount' ? subject : { apiGroup: 'rbac.authorization.k8s.io', ...subject },
    ),
  };
}

export function clusterSnapshot(objects: KubeObject[]): ClusterSnapshot {
  return { name: 'my-eks-cluster', takenAt: '2026-03-01T00:00:00.000Z', objects, unavailable: {} };
}
