import { KubeguardError } from '../../core/errors.ts';
import type { DeliveryTrigger } from '../../core/ports.ts';
import { type FunctionEnvironment, LAMBDA_FUNCTION_ARN } from '../config/env.ts';
import { InvokeCommand, LambdaClient, type LambdaClientOptions } from './lambda-invoke.ts';

/** The payload of a nudge; the delivery function delivers whatever is due, whatever woke it. */
export const NUDGE_EVENT = Object.freeze({
  source: 'kubeguard.ingest',
  reason: 'recorded findings to deliver',
});

/**
 * Nudges the delivery function with an asynchronous invocation (`InvocationType: 'Event'`): Lambda
 * queues it and answers 202 at once, so ingest never waits on delivery. With the delivery function's
 * reserved concurrency of 1, a nudge that arrives while it runs waits in Lambda's queue and mostly
 * finds nothing left to do; that is cheap and harmless.
 */
export function createLambdaDeliveryTrigger(options: {
  client: LambdaClient;
  functionName: string;
}): DeliveryTrigger {
  const payload = new TextEncoder().encode(JSON.stringify(NUDGE_EVENT));
  return {
    async nudge() {
      try {
        await options.client.send(
          new InvokeCommand({
            FunctionName: options.functionName,
            InvocationType: 'Event',
            Payload: payload,
          }),
        );
      } catch (error) {
        throw new KubeguardError(
          'UPSTREAM',
          `nudging ${options.functionName} failed; the schedule delivers within a minute`,
          {
            cause: error,
            details: { functionName: options.functionName },
          },
        );
      }
    },
  };
}

/**
 * The trigger for DELIVERY_FUNCTION_NAME, or undefined when it is not set (the schedule alone
 * delivers). A function ARN is invoked in its own region: a regional stack's functions nudge the
 * home region's delivery function.
 */
export function createDeliveryTriggerFromEnv(
  environment: FunctionEnvironment,
  clientOptions: LambdaClientOptions = {},
): DeliveryTrigger | undefined {
  const functionName = environment.deliveryFunctionName;
  if (functionName === undefined) return undefined;
  const region = LAMBDA_FUNCTION_ARN.exec(functionName)?.[1];
  return createLambdaDeliveryTrigger({
    client: new LambdaClient(region === undefined ? clientOptions : { ...clientOptions, region }),
    functionName,
  });
}
