import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterAccessFrom, kubeConfigForEks } from '#adapters/kubernetes/eks-access.ts';
import { kubeConfigFromFile } from '#adapters/kubernetes/kubeconfig.ts';
import { aws } from '#test/support/aws-fixtures.ts';

describe('kubeConfigForEks', () => {
  it('points at the DescribeCluster endpoint and CA and authenticates with the provider token', async () => {
    const cluster = aws.cluster('eks-describe-cluster-private.json');
    const access = clusterAccessFrom(cluster);
    const kubeConfig = await kubeConfigForEks(access, { getToken: async () => 'k8s-aws-v1.abc' });
    expect(kubeConfig.getCurrentCluster()).toMatchObject({
      name: 'example',
      server: 'https://9C1E0A5B3F2D4E6A8B7C6D5E4F3A2B1C.gr7.us-west-2.eks.amazonaws.com',
      caData: 'CA_DATA_STRING...',
      skipTLSVerify: false,
    });
    const options: RequestOptions = { headers: { Accept: 'application/json' } };
    await kubeConfig.applyToHTTPSOptions(options);
    expect(options.headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer k8s-aws-v1.abc' });
    // The agent verifies the server with the DescribeCluster CA (base64 PEM, decoded).
    expect(options.agent).toBeInstanceOf(Agent);
    expect((options.agent as Agent).options.ca).toEqual(Buffer.from('CA_DATA_STRING...', 'base64'));
  });

  it('names the missing field of a cluster that is not ready', () => {
    const { endpoint: _endpoint, ...creating } = aws.cluster('eks-describe-cluster-private.json');
    expect(() => clusterAccessFrom(creating)).toThrow('cluster example has no endpoint in DescribeCluster');
  });
});

describe('kubeConfigFromFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeguard-kubeconfig-'));
  const path = join(dir, 'config');
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters:
- name: staging
  cluster:
    server: https://staging.example.com
- name: prod
  cluster:
    server: https://prod.example.com
users:
- name: me
  user:
    token: t
contexts:
- name: staging
  context: {cluster: staging, user: me}
- name: prod
  context: {cluster: prod, user: me}
current-context: staging
`,
  );

  it('uses the current context, or the one asked for', () => {
    expect(kubeConfigFromFile({ path }).getCurrentCluster()?.server).toBe('https://staging.example.com');
    expect(kubeConfigFromFile({ path, context: 'prod' }).getCurrentCluster()?.server).toBe(
      'https://prod.example.com',
    );
  });

  it('lists the contexts when the one asked for does not exist', () => {
    expect(() => kubeConfigFromFile({ path, context: 'prod-eu' })).toThrow(
      `kubeconfig context "prod-eu" not found; contexts in ${path}: staging, prod`,
    );
  });
});
