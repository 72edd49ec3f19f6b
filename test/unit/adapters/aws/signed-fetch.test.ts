import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsServiceError, createAwsCaller } from '../../../../adapters/aws/signed-fetch.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function awsDouble(answers: { status: number; body: string; headers?: Record<string, string> }[]) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const answer = answers[Math.min(received.length, answers.length) - 1] ?? { status: 500, body: '' };
      response.writeHead(answer.status, { 'x-amzn-requestid': `req-${received.length}`, ...answer.headers });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { received, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** SigV4 recomputed from the specification with node:crypto, independently of the signer under test. */
function expectedSignature(request: Received, service: string, region: string): string {
  const authorization = String(request.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const amzDate = String(request.headers['x-amz-date']);
  const date = amzDate.slice(0, 8);
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${String(request.headers[name]).trim()}\n`)
    .join('');
  const [path, query = ''] = request.url.split('?');
  const canonicalRequest = [
    request.method,
    path,
    query,
    canonicalHeaders,
    signedHeaders.join(';'),
    createHash('sha256').update(request.body).digest('hex'),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const key = hmac(
    hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, date), region), service),
    'aws4_request',
  );
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

const noSleep = async () => {};

describe('signed AWS calls', () => {
  it('signs with SigV4 as the specification computes it, for the host, path and body sent', async () => {
    const { received, endpoint } = await awsDouble([{ status: 200, body: '{"Item":{}}' }]);
    const call = createAwsCaller({
      service: 'dynamodb',
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      endpoint,
    });

    const answer = await call({
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body: '{"TableName":"kubeguard","Key":{"pk":{"S":"é"}}}',
    });

    expect(answer).toMatchObject({ status: 200, body: '{"Item":{}}', requestId: 'req-1' });
    const [request] = received;
    if (request === undefined) throw new Error('no request received');
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=/,
    );
    expect(
      String(request.headers.authorization).endsWith(
        `Signature=${expectedSignature(request, 'dynamodb', 'eu-west-1')}`,
      ),
    ).toBe(true);
  });

  it('retries throttling and 5xx with backoff, then answers', async () => {
    const { received, endpoint } = await awsDouble([
      {
        status: 400,
        body: '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}',
      },
      { status: 503, body: 'unavailable' },
      { status: 200, body: '{}' },
    ]);
    const delays: number[] = [];
    const call = createAwsCaller({
      service: 'dynamodb',
      region: 'us-east-1',
      credentials: CREDENTIALS,
      endpoint,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
    });

    await expect(call({ method: 'POST', path: '/', headers: {}, body: '{}' })).resolves.toMatchObject({
      status: 200,
    });
    expect(received).toHaveLength(3);
    expect(delays).toEqual([50, 100]);
  });

  it('does not retry a client error, and names it as the SDK does, with status and request id', async () => {
    const { received, endpoint } = await awsDouble([
      {
        status: 400,
        body: '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"pk":{"S":"a"}}}',
      },
    ]);
    const call = createAwsCaller({
      service: 'dynamodb',
      region: 'us-east-1',
      credentials: CREDENTIALS,
      endpoint,
      sleep: noSleep,
    });

    const failure = await call({ method: 'POST', path: '/', headers: {}, body: '{}' }).catch(
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(AwsServiceError);
    expect(failure).toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'req-1', attempts: 1 },
      body: { Item: { pk: { S: 'a' } } },
    });
    expect(received).toHaveLength(1);
  });

  it('reports an unreachable endpoint after its attempts as NetworkingError', async () => {
    const { endpoint } = await awsDouble([]);
    await new Promise((resolve) => servers.splice(0)[0]?.close(resolve));
    const call = createAwsCaller({
      service: 'lambda',
      region: 'us-east-1',
      credentials: CREDENTIALS,
      endpoint,
      sleep: noSleep,
    });

    await expect(call({ method: 'POST', path: '/', headers: {}, body: '' })).rejects.toMatchObject({
      name: 'NetworkingError',
      $metadata: { attempts: 3 },
    });
  });
});
