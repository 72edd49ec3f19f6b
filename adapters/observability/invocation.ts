import type { Context } from 'aws-lambda';
import type { InvocationTracer } from './tracer.ts';

/** What an entry point reports through: the logger's Lambda context, the metrics, the tracer. */
export interface InvocationObservability {
  logger: { addContext(context: Partial<Context>): void };
  metrics: { flush(): void };
  /** Absent in functions that do not trace (the tracer stays out of their bundles). */
  tracer?: Pick<InvocationTracer, 'invocation'>;
}

/**
 * Runs one invocation observed: the Lambda context (function_name, function_request_id,
 * cold_start …) on every log line it writes, its handler subsegment when the function traces, and
 * its metrics written when it ends — when it fails too, so a failing batch still counts what it saw.
 */
export async function observeInvocation<T>(
  observability: InvocationObservability,
  context: Partial<Context> | undefined,
  run: () => Promise<T>,
): Promise<T> {
  if (context !== undefined) observability.logger.addContext(context);
  try {
    return observability.tracer === undefined ? await run() : await observability.tracer.invocation(run);
  } finally {
    observability.metrics.flush();
  }
}
