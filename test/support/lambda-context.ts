import type { Context } from 'aws-lambda';

/**
 * A Lambda context with every field the Node.js runtime passes (docs.aws.amazon.com/lambda/latest/dg/
 * nodejs-context.html): names and ARN as a function deployed by the CDK app has them.
 */
export function lambdaContext(functionName: string, awsRequestId: string, remainingMs = 60_000): Context {
  const name = `kubeguard-${functionName}-Function-1A2B3C4D5E6F`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2026/12/03/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
