import { Tracer } from '@aws-lambda-powertools/tracer';
import type { CallTracer } from './hooks.ts';

/** Traces one invocation: its handler subsegment, with the cold start and service annotated. */
export interface InvocationTracer extends CallTracer {
  invocation<T>(run: () => Promise<T>): Promise<T>;
}

/**
 * The Powertools tracer of a function (X-Ray, which the CDK turns on with active tracing): AWS SDK v3
 * clients captured, every Slack and AWS call a subsegment of the handler's, HTTPS calls captured.
 * Outside Lambda, or with POWERTOOLS_TRACE_ENABLED=false, Powertools turns itself off and every
 * method runs the call as it is. Imported only by the functions that trace (D-record: the tracer
 * costs ~125 KB and ~80 ms of import, more than the ingest and Slack ingress budgets hold).
 */
export function createInvocationTracer(service: string): InvocationTracer {
  const tracer = new Tracer({ serviceName: service });
  return {
    awsClient: (client) => (tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client),
    async call(name, run) {
      const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
      if (parent === undefined) return run();
      // Not made the current segment: calls run concurrently (Promise.all), and each closes its own.
      const subsegment = parent.addNewSubsegment(name);
      try {
        return await run();
      } catch (error) {
        subsegment.addError(error as Error);
        throw error;
      } finally {
        subsegment.close();
      }
    },
    async invocation(run) {
      const lambdaSegment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
      if (lambdaSegment === undefined) return run();
      const handlerSegment = lambdaSegment.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
      tracer.setSegment(handlerSegment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
      try {
        return await run();
      } catch (error) {
        tracer.addErrorAsMetadata(error as Error);
        throw error;
      } finally {
        handlerSegment.close();
        tracer.setSegment(lambdaSegment);
      }
    },
  };
}
