import type { Timers } from '../../core/delivery/retry.ts';
import type { Clock } from '../../core/ports.ts';

/** The wall clock, as the core's Clock port (ISO-8601). */
export const systemClock: Clock = () => new Date().toISOString();

/** Real time for the delivery retry policy and channel pacer. */
export const realTimers: Timers = {
  nowMs: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/**
 * A value built on first use rather than at import, so importing a handler module (tests, bundling
 * checks) never reads the environment; a bad environment fails the first invocation with a ConfigError.
 * A failed build is not cached: the next invocation tries again.
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
