import type { AwsSnapshot, ClusterSnapshot, KubeObject } from '#core/posture/snapshot.ts';
import { readFixtureFile } from './fixtures.ts';

/**
 * The SDK v3 response of a test/fixtures/aws file (`response`), with `_meta` stripped and every path
 * listed in `_meta.dateFields` revived to a `Date`, as the SDK itself returns them (README gotcha 1).
 */
export function loadAwsResponse<T = Record<string, unknown>>(name: string): T {
  const file = readFixtureFile(name.includes('/') ? name : `aws/${name}`);
  const response = structuredClone(file.response) as Record<string, unknown>;
  const meta = (file._meta ?? {}) as { dateFields?: string[] };
  for (const path of meta.dateFields ?? []) reviveDate(response, path);
  return response as T;
}

/** `clusterVersions[0].releaseDate`, `Features[9].AdditionalConfiguration[1].UpdatedAt` … */
function reviveDate(root: Record<string, unknown>, path: string): void {
  const steps = path.split('.').flatMap((segment) => {
    const [name, ...indexes] = segment.split('[');
    return [name ?? '', ...indexes.map((index) => Number(index.replace(']', '')))];
  });
  let parent: unknown = root;
  for (const step of steps.slice(0, -1)) {
    parent = (parent as Record<string | number, unknown> | undefined)?.[step];
  }
  const last = steps.at(-1) ?? '';
  const holder = parent as Record<string | number, unknown> | undefined;
  const value = holder?.[last];
  if (holder !== undefined && (typeof value === 'string' || typeof value === 'number')) {
    holder[last] = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  }
}

/** Shorthands for the members the snapshot keeps. */
export const aws = {
  cluster: (name: string) => loadAwsResponse<{ cluster: Record<string, unknown> }>(name).cluster,
  addon: (name: string) => loadAwsResponse<{ addon: Record<string, unknown> }>(name).addon,
  detector: (name: string, detectorId = 'c2db5b53828d466d95f96fc901f93832'): Record<string, unknown> => {
    const { $metadata: _ignored, ...detector } = loadAwsResponse<Record<string, unknown>>(name);
    return { ...detector, detectorId };
  },
  secret: (name: string) => {
    const { $metadata: _ignored, ...secret } = loadAwsResponse<Record<string, unknown>>(name);
    return secret;
  },
  versions: (name = 'eks-describe-cluster-versions.json') =>
    loadAwsResponse<{ clusterVersions: Record<string, unknown>[] }>(name).clusterVersions,
};

/** A snapshot holding only AWS data (and optional Kubernetes objects). */
export function awsSnapshot(
  data: AwsSnapshot,
  options: { objects?: KubeObject[]; takenAt?: string; unavailable?: ClusterSnapshot['unavailable'] } = {},
): ClusterSnapshot {
  return {
    name: 'my-eks-cluster',
    takenAt: options.takenAt ?? '2026-03-01T00:00:00.000Z',
    aws: data,
    objects: options.objects ?? [],
    unavailable: options.unavailable ?? {},
  };
}
