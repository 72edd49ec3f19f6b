import type { Detection } from './model/detection.ts';

/**
 * Interfaces the core needs from the outside world. Each declares only what the core calls;
 * adapters/ implements them, tests use hand-written fakes from test/support/.
 */

/** The current time as ISO-8601; the core never reads the clock itself. */
export type Clock = () => string;

/**
 * Where detections go after analysis: the findings store and alert delivery in AWS, stdout in the
 * CLI, an array in tests. `accept` resolves only when every detection is durably handed over.
 */
export interface DetectionSink {
  accept(detections: readonly Detection[]): Promise<void>;
}
