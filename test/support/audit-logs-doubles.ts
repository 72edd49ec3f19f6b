import type { Detection } from '#core/model/detection.ts';
import type { DetectionSink } from '#core/ports.ts';
import type { FunctionLogger } from '#lambdas/shared/logger.ts';

/** One line the audit-logs handler logged, as its tests read it back. */
export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** A logger that keeps every line in `lines`. */
export function recordingLogger(lines: LogLine[]): FunctionLogger {
  const log =
    (level: LogLine['level']) =>
    (message: string, attributes: Record<string, unknown> = {}) => {
      lines.push({ level, message, attributes });
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** A detection sink that keeps each accepted batch, or fails with `failWith` when it is set. */
export class RecordingSink implements DetectionSink {
  readonly batches: Detection[][] = [];
  failWith: Error | undefined;

  async accept(detections: readonly Detection[]): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.batches.push([...detections]);
  }

  get all(): Detection[] {
    return this.batches.flat();
  }
}
