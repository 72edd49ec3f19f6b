import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  createDeliveryTriggerFromEnv,
  createLambdaDeliveryTrigger,
  NUDGE_EVENT,
} from '../../../../adapters/aws/lambda-delivery-trigger.ts';
import { readFunctionEnvironment } from '../../../../adapters/config/env.ts';

const CONFIG = JSON.stringify({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});

describe('the Lambda delivery trigger', () => {
  it('nudges the delivery function with an asynchronous invocation', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    await createLambdaDeliveryTrigger({
      client: new LambdaClient({}),
      functionName: 'kubeguard-delivery',
    }).nudge();

    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'kubeguard-delivery', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual(NUDGE_EVENT);
    lambda.restore();
  });

  it('fails with UPSTREAM naming the function when Lambda refuses (throttled)', async () => {
    const lambda = mockClient(LambdaClient);
    lambda
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('Rate Exceeded.'), { name: 'TooManyRequestsException' }));

    const nudge = createLambdaDeliveryTrigger({
      client: new LambdaClient({}),
      functionName: 'kubeguard-delivery',
    }).nudge();

    await expect(nudge).rejects.toMatchObject({
      code: 'UPSTREAM',
      message: 'nudging kubeguard-delivery failed; the schedule delivers within a minute',
      details: { functionName: 'kubeguard-delivery' },
    });
    lambda.restore();
  });

  it('is built from DELIVERY_FUNCTION_NAME, and absent without it', () => {
    const base = { KUBEGUARD_CONFIG: CONFIG, SLACK_BOT_TOKEN: 'xoxb-test' };

    expect(createDeliveryTriggerFromEnv(readFunctionEnvironment(base))).toBeUndefined();
    expect(
      createDeliveryTriggerFromEnv(
        readFunctionEnvironment({ ...base, DELIVERY_FUNCTION_NAME: 'kubeguard-delivery' }),
      ),
    ).toBeDefined();
  });
});
