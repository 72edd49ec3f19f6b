/**
 * Runs `work` over `items` with at most `limit` in flight and resolves with the results in input
 * order. Every item is attempted even when some fail; the failures come back as results, so a batch
 * that stores what it can and then reports what it could not needs no second loop.
 */
export async function settleLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index] as T, index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** Like `settleLimited`, but rejects with the first failure once every item has been attempted. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const failed = (await settleLimited(items, limit, work)).find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
