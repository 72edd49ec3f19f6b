import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccountCredentials } from '#adapters/aws/account-credentials.ts';
import { readFunctionEnvironment } from '#adapters/config/env.ts';
import { remediationRuntimeFromEnv } from '#adapters/kubernetes/remediation-runtime.ts';
import {
  type AwsEnvironment,
  functionCredentials,
  setAwsEnvironment,
} from '#test/support/aws-environment.ts';
import { type FakeSts, signingKeyOf, startFakeSts } from '#test/support/fake-sts.ts';
import { readFixtureFile } from '#test/support/fixtures.ts';

const CONFIG = {
  accounts: [{ id: '222233334444', name: 'prod', externalId: 'kubeguard-prod-7f3a' }],
  clusters: [
    { name: 'home-cluster', region: 'us-east-1' },
    { name: 'prod-cluster', region: 'eu-west-1', account: '222233334444' },
  ],
  slack: { defaultChannel: 'C0ALERTS' },
};

interface AwsCall {
  url?: string;
  target?: string;
  headers: IncomingHttpHeaders;
}

/**
 * EKS and Secrets Manager on loopback: DescribeCluster answers the wire form of the
 * eks-describe-cluster-private fixture (restJson, `createdAt` in epoch seconds) under the name
 * asked for; every Secrets Manager call is refused as awsJson refuses it (`__type`), so the test
 * sees whom each call was signed as without a real secret.
 */
async function startAws(): Promise<{ endpoint: string; calls: AwsCall[]; server: Server }> {
  const fixture = readFixtureFile('aws/eks-describe-cluster-private.json') as {
    response: { cluster: Record<string, unknown> };
  };
  const calls: AwsCall[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      calls.push({
        url: request.url,
        ...(typeof target === 'string' ? { target } : {}),
        headers: request.headers,
      });
      const describe = /^\/clusters\/([^/?]+)$/.exec(request.url ?? '');
      if (describe !== null) {
        const { createdAt, ...cluster } = fixture.response.cluster;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            cluster: {
              ...cluster,
              name: describe[1],
              createdAt: new Date(String(createdAt)).getTime() / 1000,
            },
          }),
        );
        return;
      }
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({ __type: 'AccessDeniedException', Message: 'not authorized to perform this action' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

let sts: FakeSts;
let aws: Awaited<ReturnType<typeof startAws>>;
let environment: AwsEnvironment;

beforeEach(async () => {
  sts = await startFakeSts({ lifetimeMs: () => 60 * 60_000 });
  aws = await startAws();
  environment = setAwsEnvironment({
    ...functionCredentials('AKIDWORKER', 'worker-secret'),
    AWS_ENDPOINT_URL_EKS: aws.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
  });
});
afterEach(async () => {
  environment.restore();
  await sts.close();
  await new Promise((resolve) => aws.server.close(resolve));
});

function runtime() {
  const environment = readFunctionEnvironment({ KUBEGUARD_CONFIG: JSON.stringify(CONFIG) });
  return remediationRuntimeFromEnv(
    environment,
    { client: { send: async () => ({}) } as never, tableName: 'kubeguard' },
    undefined,
    createAccountCredentials({
      config: environment.config,
      functionName: 'action-worker',
      sts: {
        endpoint: sts.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDWORKER', secretAccessKey: 'worker-secret' },
      },
    }),
  );
}

describe('the remediation runtime across accounts', () => {
  it('reaches a member account’s cluster and its secrets as the member role, in the cluster’s region', async () => {
    const cluster = await runtime().forCluster('prod-cluster');
    await expect(cluster.secrets.describe('prod/db-password')).rejects.toThrow();

    expect(sts.calls.map((call) => call.params)).toEqual([
      expect.objectContaining({
        RoleArn: 'arn:aws:iam::222233334444:role/kubeguard-member',
        ExternalId: 'kubeguard-prod-7f3a',
        RoleSessionName: 'kubeguard-action-worker',
      }),
    ]);
    expect(
      aws.calls.map((call) => [
        call.url === '/' ? call.target : call.url,
        signingKeyOf(call.headers.authorization),
        /\/(eu-west-1|us-east-1)\//.exec(call.headers.authorization ?? '')?.[1],
      ]),
    ).toEqual([
      ['/clusters/prod-cluster', 'ASIAFAKE0001', 'eu-west-1'],
      ['secretsmanager.DescribeSecret', 'ASIAFAKE0001', 'eu-west-1'],
    ]);
  });

  it('reaches a home-account cluster as the worker itself', async () => {
    const cluster = await runtime().forCluster('home-cluster');
    await expect(cluster.secrets.describe('home/db-password')).rejects.toThrow();

    expect(sts.calls).toEqual([]);
    expect(aws.calls.map((call) => signingKeyOf(call.headers.authorization))).toEqual([
      'AKIDWORKER',
      'AKIDWORKER',
    ]);
  });
});
