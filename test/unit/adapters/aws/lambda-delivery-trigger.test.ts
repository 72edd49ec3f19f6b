import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDeliveryTriggerFromEnv,
  createLambdaDeliveryTrigger,
  NUDGE_EVENT,
} from '../../../../adapters/aws/lambda-delivery-trigger.ts';
import { LambdaClient } from '../../../../adapters/aws/lambda-invoke.ts';
import { readFunctionEnvironment } from '../../../../adapters/config/env.ts';

const CONFIG = JSON.stringify({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});

interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A Lambda API double on loopback answering each Invoke with the next of `answers`. */
async function lambdaApi(answers: { status: number; body: string; headers?: Record<string, string> }[]) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({ method: request.method, url: request.url, headers: request.headers, body });
      const answer = answers[Math.min(received.length, answers.length) - 1] ?? { status: 500, body: '' };
      response.writeHead(answer.status, { 'x-amzn-requestid': `req-${received.length}`, ...answer.headers });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const client = new LambdaClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' },
  });
  return { received, client };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('the Lambda delivery trigger', () => {
  it('nudges the delivery function with a signed asynchronous invocation', async () => {
    const { received, client } = await lambdaApi([{ status: 202, body: '' }]);

    await createLambdaDeliveryTrigger({ client, functionName: 'kubeguard-delivery' }).nudge();

    expect(received).toHaveLength(1);
    const [call] = received;
    expect(call).toMatchObject({
      method: 'POST',
      url: '/2015-03-31/functions/kubeguard-delivery/invocations',
      headers: { 'x-amz-invocation-type': 'Event', 'x-amz-security-token': 'session' },
    });
    expect(call?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/lambda\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-date[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(call?.body ?? '')).toEqual(NUDGE_EVENT);
  });

  it('fails with UPSTREAM naming the function when Lambda keeps refusing (throttled), after retrying', async () => {
    const throttled = {
      status: 429,
      body: JSON.stringify({ Type: 'User', message: 'Rate Exceeded.' }),
      headers: { 'x-amzn-errortype': 'TooManyRequestsException' },
    };
    const { received, client } = await lambdaApi([throttled]);

    const nudge = createLambdaDeliveryTrigger({ client, functionName: 'kubeguard-delivery' }).nudge();

    await expect(nudge).rejects.toMatchObject({
      code: 'UPSTREAM',
      message: 'nudging kubeguard-delivery failed; the schedule delivers within a minute',
      details: { functionName: 'kubeguard-delivery' },
      cause: { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429, attempts: 3 } },
    });
    expect(received).toHaveLength(3);
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
  it('invokes a delivery function given by ARN in the ARN’s region (a regional stack nudges the home region)', async () => {
    const { received } = await lambdaApi([{ status: 202, body: '' }]);
    const arn = 'arn:aws:lambda:eu-west-1:111122223333:function:kubeguard-delivery';
    const environment = readFunctionEnvironment({ KUBEGUARD_CONFIG: CONFIG, DELIVERY_FUNCTION_NAME: arn });

    const server = servers[0];
    if (server === undefined) throw new Error('the Lambda API double did not start');
    await createDeliveryTriggerFromEnv(environment, {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-west-2',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    })?.nudge();

    expect(received).toHaveLength(1);
    expect(received[0]?.url).toBe(`/2015-03-31/functions/${encodeURIComponent(arn)}/invocations`);
    expect(received[0]?.headers.authorization).toMatch(
      /Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request/,
    );
  });

  it('refuses a DELIVERY_FUNCTION_NAME that starts as an ARN but is not a function ARN, naming it', () => {
    expect(() =>
      readFunctionEnvironment({
        KUBEGUARD_CONFIG: CONFIG,
        DELIVERY_FUNCTION_NAME: 'arn:aws:lambda:eu-west-1:111122223333:layer:kubeguard',
      }),
    ).toThrow(
      'DELIVERY_FUNCTION_NAME is not a Lambda function ARN; received "arn:aws:lambda:eu-west-1:111122223333:layer:kubeguard" — use a function name, or an ARN such as arn:aws:lambda:us-east-1:111122223333:function:kubeguard-delivery',
    );
  });
});
