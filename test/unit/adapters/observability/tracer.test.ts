import { EKSClient } from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInvocationTracer } from '../../../../adapters/observability/tracer.ts';

/** Outside Lambda (tests, `kubeguard start`) there is no X-Ray daemon: the tracer must change nothing. */
describe('the invocation tracer outside Lambda', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('leaves AWS clients as they are and runs calls and invocations untouched, failures included', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    const tracer = createInvocationTracer('kubeguard-delivery');
    const client = new EKSClient({ region: 'eu-west-1' });
    const middleware = client.middlewareStack.identify();

    expect(tracer.awsClient(client)).toBe(client);
    expect(client.middlewareStack.identify()).toEqual(middleware);
    await expect(tracer.call('Slack chat.postMessage', async () => 'posted')).resolves.toBe('posted');
    await expect(tracer.invocation(async () => ({ delivered: 2 }))).resolves.toEqual({ delivered: 2 });
    await expect(
      tracer.call('Slack chat.update', async () => {
        throw new Error('ratelimited');
      }),
    ).rejects.toThrow('ratelimited');
  });

  it('with POWERTOOLS_TRACE_ENABLED=false inside Lambda too', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'kubeguard-delivery-Function-1A2B3C4D5E6F');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
    const tracer = createInvocationTracer('kubeguard-delivery');
    const client = new EKSClient({ region: 'eu-west-1' });
    const middleware = client.middlewareStack.identify();

    expect(tracer.awsClient(client)).toBe(client);
    expect(client.middlewareStack.identify()).toEqual(middleware);
    await expect(tracer.invocation(() => tracer.call('EKS DescribeCluster', async () => 1))).resolves.toBe(1);
  });
});
