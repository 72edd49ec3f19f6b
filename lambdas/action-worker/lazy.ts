/**
 * `once` (lambdas/shared/runtime.ts) for a dynamic import: the module is imported on first use and
 * the promise reused, except a failed one, so the next invocation imports it again rather than
 * failing for the container's lifetime (D56).
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
