import { type MetricsRecorder, noMetrics } from '../../core/observability/recorder.ts';

/**
 * What the adapters report about their calls to the outside world: a trace subsegment per call and
 * the metrics only they see (Slack's 429s). A function installs its tracer and metrics here when it
 * is composed (lambdas/shared/observability.ts, bot/lambda.ts); until then — tests, the CLI, the
 * sandbox — calls run untraced and count nothing. A process-wide hook rather than a parameter of
 * every client factory: clients are built deep inside the `*-from-env` factories, and the tracer
 * stays out of the bundles of functions that do not install it (D-record in docs/decisions.md).
 */
export interface CallTracer {
  /** Wraps an AWS SDK v3 client so each command is a subsegment (Powertools captureAWSv3Client). */
  awsClient<T extends object>(client: T): T;
  /** Runs one call to the outside world as a subsegment named `name` (`Slack chat.postMessage`). */
  call<T>(name: string, run: () => Promise<T>): Promise<T>;
}

export interface AdapterObservability {
  tracer: CallTracer;
  metrics: MetricsRecorder;
}

const untraced: CallTracer = { awsClient: (client) => client, call: (_name, run) => run() };

let installed: AdapterObservability = { tracer: untraced, metrics: noMetrics };

/** Installs a function's tracer and metrics; returns what restores the previous ones (tests). */
export function installAdapterObservability(parts: Partial<AdapterObservability>): () => void {
  const previous = installed;
  installed = { ...installed, ...parts };
  return () => {
    installed = previous;
  };
}

/** An AWS SDK v3 client, traced when the function installed a tracer. */
export function tracedAwsClient<T extends object>(client: T): T {
  return installed.tracer.awsClient(client);
}

/** One call to the outside world, a subsegment when the function installed a tracer. */
export function tracedCall<T>(name: string, run: () => Promise<T>): Promise<T> {
  return installed.tracer.call(name, run);
}

/** The metrics of the function the adapter runs in (nothing recorded outside one). */
export function adapterMetrics(): MetricsRecorder {
  return installed.metrics;
}
