import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfigForEks } from '#adapters/kubernetes/eks-access.ts';
import { sendKubeRequest } from '#adapters/kubernetes/http.ts';
import type { KubeguardError } from '#core/errors.ts';

/**
 * The functions reach an EKS API server over node:https with DescribeCluster's CA and a bearer token
 * (no client-node, D56): the server is verified against that CA and nothing else, and every request
 * carries the token. A TLS server on 127.0.0.1 stands in for the API server.
 */

const TLS = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'tls');
const certificate = readFileSync(join(TLS, 'api-server.crt'));
// The server's answer is opaque to the exchange: any real file will do.
const body = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'fixtures', 'kubernetes', 'secret-consumers', 'cluster.yaml'),
  'utf8',
);

const seen: { path: string; authorization: string | undefined }[] = [];
let server: Server;
let endpoint: string;
beforeAll(async () => {
  server = createServer(
    { cert: certificate, key: readFileSync(join(TLS, 'api-server.key')) },
    (request, response) => {
      seen.push({ path: request.url ?? '', authorization: request.headers.authorization });
      response.writeHead(200, { 'content-type': 'application/yaml' }).end(body);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function access(ca: Buffer) {
  return kubeConfigForEks(
    { name: 'prod', endpoint, certificateAuthorityData: ca.toString('base64') },
    { getToken: async () => 'k8s-aws-v1.token' },
  );
}

describe('an EKS cluster reached with its CA and a bearer token', () => {
  it('verifies the server with the CA and sends the token on every request', async () => {
    const cluster = await access(certificate);
    for (const page of ['1', '2']) {
      const response = await sendKubeRequest(
        cluster,
        {
          method: 'GET',
          path: '/api/v1/pods',
          query: { limit: '500', continue: page === '1' ? undefined : page },
        },
        { timeoutMs: 5_000, what: 'list pods' },
      );
      expect(response).toEqual({
        status: 200,
        text: body,
        url: `${endpoint}/api/v1/pods?limit=500${page === '1' ? '' : '&continue=2'}`,
      });
    }
    expect(seen).toEqual([
      { path: '/api/v1/pods?limit=500', authorization: 'Bearer k8s-aws-v1.token' },
      { path: '/api/v1/pods?limit=500&continue=2', authorization: 'Bearer k8s-aws-v1.token' },
    ]);
  });

  it('refuses a server whose certificate the CA did not sign, naming the server', async () => {
    const before = seen.length;
    const cluster = await access(readFileSync(join(TLS, 'other-ca.crt')));
    const error = (await sendKubeRequest(
      cluster,
      { method: 'GET', path: '/api/v1/pods' },
      { timeoutMs: 5_000, what: 'list pods' },
    ).catch((e: unknown) => e)) as KubeguardError;
    expect(error.code).toBe('UPSTREAM');
    // Node adds a hint about the system CA store after the reason.
    expect(
      error.message.startsWith(
        `cannot reach the Kubernetes API at ${endpoint} to list pods: self-signed certificate`,
      ),
    ).toBe(true);
    expect(seen.length).toBe(before);
  });

  it('is the same exchange a kubeconfig goes through (the CLI): CA and token from the KubeConfig', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [
        { name: 'prod', server: endpoint, caData: certificate.toString('base64'), skipTLSVerify: false },
      ],
      users: [{ name: 'me', token: 'kubeconfig-token' }],
      contexts: [{ name: 'prod', cluster: 'prod', user: 'me' }],
      currentContext: 'prod',
    });
    const response = await sendKubeRequest(
      kubeConfig,
      { method: 'GET', path: '/api/v1/namespaces' },
      { timeoutMs: 5_000, what: 'list namespaces' },
    );
    expect(response.status).toBe(200);
    expect(seen.at(-1)).toEqual({ path: '/api/v1/namespaces', authorization: 'Bearer kubeconfig-token' });
  });
});
