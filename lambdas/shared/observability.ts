import { createEmfMetrics, type FlushableMetrics } from '../../adapters/observability/emf-metrics.ts';
import { installAdapterObservability } from '../../adapters/observability/hooks.ts';
import type { InvocationObservability } from '../../adapters/observability/invocation.ts';
import type { InvocationTracer } from '../../adapters/observability/tracer.ts';
import { serviceName } from '../../core/observability/metrics.ts';
import { type ContextLogger, createFunctionLogger } from './logger.ts';

export { observeInvocation } from '../../adapters/observability/invocation.ts';

/** A function's logger, metrics and (where it traces) tracer, all under its service name. */
export interface FunctionObservability extends InvocationObservability {
  logger: ContextLogger;
  metrics: FlushableMetrics;
  tracer?: InvocationTracer;
}

/**
 * Builds a function's observability at composition (never at import: Powertools reads the
 * environment) and installs its tracer and metrics for the adapters it composes (Slack and AWS calls
 * traced, Slack 429s counted). `tracer` is passed only by the functions that trace, so the others'
 * bundles never hold it: `functionObservability('delivery', createInvocationTracer)`.
 */
export function functionObservability(
  functionName: string,
  tracer?: (service: string) => InvocationTracer,
): FunctionObservability {
  const service = serviceName(functionName);
  const observability: FunctionObservability = {
    logger: createFunctionLogger(functionName),
    metrics: createEmfMetrics(service),
    ...(tracer === undefined ? {} : { tracer: tracer(service) }),
  };
  installAdapterObservability({
    metrics: observability.metrics,
    ...(observability.tracer === undefined ? {} : { tracer: observability.tracer }),
  });
  return observability;
}
