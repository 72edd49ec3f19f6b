import type { ResourceType } from '#core/posture/snapshot.ts';

/** Resource types that could not be read, with the reason the audit prints. */
export type Unavailable = Partial<Record<ResourceType, string>>;

const DENIED_NAMES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnauthorizedException',
]);

/** An AWS SDK v3 error that means "the caller may not do this". */
export function isAccessDenied(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return (
    (typeof candidate.name === 'string' && DENIED_NAMES.has(candidate.name)) ||
    candidate.$metadata?.httpStatusCode === 403
  );
}

export function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : 'Error';
}

/** `no permission to eks:DescribeCluster`, or `eks:DescribeCluster failed: <name>: <message>`. */
export function unavailableReason(action: string, error: unknown): string {
  if (isAccessDenied(error)) return `no permission to ${action}`;
  const message = error instanceof Error ? error.message : String(error);
  return `${action} failed: ${errorName(error)}: ${message}`;
}

/** Maps with at most `limit` calls in flight (AWS APIs throttle bursts). */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** An SDK output without its `$metadata` (request id, attempts): the snapshot keeps data only. */
export function withoutMetadata<T extends object>(output: T): Record<string, unknown> {
  const { $metadata: _metadata, ...rest } = output as T & { $metadata?: unknown };
  return rest as Record<string, unknown>;
}
