import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccountCredentials } from '#adapters/aws/account-credentials.ts';
import { createEksClusterCollector } from '#adapters/kubernetes/eks-cluster-collector.ts';
import { parseConfig } from '#core/config/schema.ts';
import {
  type AwsEnvironment,
  functionCredentials,
  setAwsEnvironment,
} from '#test/support/aws-environment.ts';
import { type FakeSts, signingKeyOf, startFakeSts } from '#test/support/fake-sts.ts';

const CONFIG = parseConfig({
  accounts: [{ id: '222233334444', name: 'prod', externalId: 'kubeguard-prod-7f3a' }],
  clusters: [
    { name: 'home-cluster', region: 'us-east-1' },
    { name: 'prod-cluster', region: 'eu-west-1', account: '222233334444' },
  ],
  slack: { defaultChannel: 'C0ALERTS' },
});

interface EksCall {
  url?: string;
  headers: IncomingHttpHeaders;
}

/**
 * EKS on loopback refusing every call as EKS refuses an unauthorized caller (restJson error: the
 * `x-amzn-errortype` header and `{"message"}`), so the collector stops after DescribeCluster
 * without reaching any API server; what matters is whom each call was signed as.
 */
async function startDenyingEks(): Promise<{ endpoint: string; calls: EksCall[]; server: Server }> {
  const calls: EksCall[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls.push({ url: request.url, headers: request.headers });
      response.writeHead(403, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'AccessDeniedException',
      });
      response.end(JSON.stringify({ message: 'not authorized to perform: eks:DescribeCluster' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

let sts: FakeSts;
let eks: Awaited<ReturnType<typeof startDenyingEks>>;
let environment: AwsEnvironment;

beforeEach(async () => {
  sts = await startFakeSts({ lifetimeMs: () => 60 * 60_000 });
  eks = await startDenyingEks();
  // The function's own credentials, as Lambda gives them: the SDK's default chain reads them.
  environment = setAwsEnvironment({
    ...functionCredentials('AKIDHOME', 'home-secret'),
    AWS_ENDPOINT_URL_EKS: eks.endpoint,
  });
});
afterEach(async () => {
  environment.restore();
  await sts.close();
  await new Promise((resolve) => eks.server.close(resolve));
});

function collector() {
  return createEksClusterCollector(
    () => '2026-12-03T10:00:00.000Z',
    createAccountCredentials({
      config: CONFIG,
      functionName: 'posture-audit',
      sts: {
        endpoint: sts.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDHOME', secretAccessKey: 'home-secret' },
      },
    }),
  );
}

const cluster = (name: string) => CONFIG.clusters.find((c) => c.name === name) ?? CONFIG.clusters[0];

describe('the EKS cluster collector across accounts', () => {
  it('calls EKS in a member account’s cluster region as the member role it assumed', async () => {
    const collect = collector();

    await expect(collect(cluster('prod-cluster'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { cluster: 'prod-cluster' },
    });

    expect(sts.calls.map((call) => call.params)).toEqual([
      expect.objectContaining({
        RoleArn: 'arn:aws:iam::222233334444:role/kubeguard-member',
        ExternalId: 'kubeguard-prod-7f3a',
        RoleSessionName: 'kubeguard-posture-audit',
      }),
    ]);
    expect(eks.calls.map((call) => call.url)).toEqual(['/clusters/prod-cluster']);
    const authorization = eks.calls[0]?.headers.authorization;
    expect(signingKeyOf(authorization)).toBe('ASIAFAKE0001');
    expect(authorization).toContain('/eu-west-1/eks/aws4_request');
    expect(eks.calls[0]?.headers['x-amz-security-token']).toBe('session-0001');
  });

  it('calls EKS for a home-account cluster as the function itself, assuming nothing', async () => {
    const collect = collector();

    await expect(collect(cluster('home-cluster'))).rejects.toMatchObject({ code: 'FORBIDDEN' });

    expect(sts.calls).toEqual([]);
    expect(signingKeyOf(eks.calls[0]?.headers.authorization)).toBe('AKIDHOME');
  });

  it('keeps the member session across collections (one AssumeRole for two audits)', async () => {
    const collect = collector();
    await collect(cluster('prod-cluster')).catch(() => undefined);
    await collect(cluster('prod-cluster')).catch(() => undefined);

    expect(sts.calls).toHaveLength(1);
    expect(eks.calls.map((call) => signingKeyOf(call.headers.authorization))).toEqual([
      'ASIAFAKE0001',
      'ASIAFAKE0001',
    ]);
  });
});
