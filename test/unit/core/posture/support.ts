import { type LoadedObject, parseManifests } from '#core/manifests/load.ts';
import type { CheckOptions, CheckResult, PostureCheck } from '#core/posture/check.ts';
import { snapshotFromManifests } from '#core/posture/manifest-snapshot.ts';
import type { ClusterSnapshot } from '#core/posture/snapshot.ts';
import { readFixtureText } from '#test/support/fixtures.ts';

export const TAKEN_AT = '2025-06-01T12:00:00Z';

/** The objects of one public corpus manifest (test/fixtures/corpus/public/manifests/NAME). */
export function corpusObjects(name: string): LoadedObject[] {
  const parsed = parseManifests(readFixtureText(`corpus/public/manifests/${name}`), name);
  if (parsed.errors.length > 0) throw new Error(`${name}: ${parsed.errors.map((e) => e.reason).join('; ')}`);
  return parsed.objects;
}

export function corpusSnapshot(...names: string[]): ClusterSnapshot {
  return snapshotFromManifests(names.flatMap(corpusObjects), TAKEN_AT);
}

type Json = Record<string, unknown>;

/**
 * A variant of a corpus manifest: its objects deep-copied, then `change` edits the first one
 * (`extra` objects are added to the snapshot, e.g. a NetworkPolicy or a PodDisruptionBudget).
 */
export function variant(name: string, change: (object: Json) => void, extra: Json[] = []): ClusterSnapshot {
  const objects = corpusObjects(name).map((loaded) => ({
    ...loaded,
    object: structuredClone(loaded.object),
  }));
  const first = objects[0];
  if (first === undefined) throw new Error(`${name} has no object`);
  change(first.object as Json);
  const added = extra.map((object, index) => ({
    object: object as LoadedObject['object'],
    file: 'extra.yaml',
    index,
  }));
  return snapshotFromManifests([...objects, ...added], TAKEN_AT);
}

/** Objects written in a test (real manifest shapes), as an offline snapshot. */
export function snapshotOf(...objects: Json[]): ClusterSnapshot {
  return snapshotFromManifests(
    objects.map((object, index) => ({ object: object as LoadedObject['object'], file: 'test.yaml', index })),
    TAKEN_AT,
  );
}

export function evaluate(
  check: PostureCheck,
  snapshot: ClusterSnapshot,
  options?: CheckOptions,
): CheckResult[] {
  return check.evaluate(snapshot, options);
}

/** The single result a check gives for a one-workload snapshot. */
export function only(check: PostureCheck, snapshot: ClusterSnapshot, options?: CheckOptions): CheckResult {
  const results = check.evaluate(snapshot, options);
  if (results.length !== 1) throw new Error(`${check.id}: expected 1 result, got ${results.length}`);
  return results[0] as CheckResult;
}

/** The pod spec of a Pod or of a workload's template. */
export function podSpec(object: Json): Json {
  if (object.kind === 'Pod') return object.spec as Json;
  return ((object.spec as Json).template as Json).spec as Json;
}

/** The first container of a pod spec. */
export function firstContainer(object: Json): Json {
  return (podSpec(object).containers as Json[])[0] as Json;
}
