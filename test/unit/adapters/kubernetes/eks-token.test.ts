import { describe, expect, it } from 'vitest';
import { createEksTokenProvider, signEksToken, TOKEN_PREFIX } from '#adapters/kubernetes/eks-token.ts';

/** Documentation example keys (AWS SDK docs), never real credentials. */
const CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
};
const OPTIONS = { clusterName: 'prod-eu', region: 'eu-west-1', credentials: CREDENTIALS };

function decode(token: string): URL {
  expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(TOKEN_PREFIX.length);
  expect(encoded).not.toContain('=');
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

describe('EKS token', () => {
  it('is a presigned STS GetCallerIdentity URL that signs the cluster name header', async () => {
    const url = decode(await signEksToken(OPTIONS, new Date('2026-03-01T12:00:00Z')));
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260301T120000Z');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'AKIAIOSFODNN7EXAMPLE/20260301/eu-west-1/sts/aws4_request',
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(CREDENTIALS.sessionToken);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('carries only the query parameters aws-iam-authenticator accepts and stays under 4096 bytes', async () => {
    const token = await signEksToken(OPTIONS, new Date('2026-03-01T12:00:00Z'));
    const allowed = new Set([
      'action',
      'version',
      'x-amz-algorithm',
      'x-amz-credential',
      'x-amz-date',
      'x-amz-expires',
      'x-amz-security-token',
      'x-amz-signature',
      'x-amz-signedheaders',
    ]);
    expect([...decode(token).searchParams.keys()].filter((key) => !allowed.has(key.toLowerCase()))).toEqual(
      [],
    );
    expect(Buffer.byteLength(token)).toBeLessThan(4096);
  });

  it('signs a different token for another cluster', async () => {
    const date = new Date('2026-03-01T12:00:00Z');
    const other = await signEksToken({ ...OPTIONS, clusterName: 'prod-us' }, date);
    expect(other).not.toBe(await signEksToken(OPTIONS, date));
  });
});

describe('EKS token provider', () => {
  it('serves the cached token for 10 minutes, then signs a new one', async () => {
    let now = Date.parse('2026-03-01T12:00:00Z');
    const provider = createEksTokenProvider({ ...OPTIONS, now: () => now });
    const first = await provider.getToken();
    now += 9 * 60_000 + 59_000;
    expect(await provider.getToken()).toBe(first);
    now += 1_000;
    const second = await provider.getToken();
    expect(second).not.toBe(first);
    expect(decode(second).searchParams.get('X-Amz-Date')).toBe('20260301T121000Z');
  });

  it('shares one signature among concurrent callers', async () => {
    let calls = 0;
    const provider = createEksTokenProvider({
      ...OPTIONS,
      credentials: async () => {
        calls += 1;
        return CREDENTIALS;
      },
      now: () => Date.parse('2026-03-01T12:00:00Z'),
    });
    const tokens = await Promise.all([provider.getToken(), provider.getToken(), provider.getToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(calls).toBe(1);
  });

  it('does not cache a failure to obtain credentials', async () => {
    let fail = true;
    const provider = createEksTokenProvider({
      ...OPTIONS,
      credentials: async () => {
        if (fail) throw new Error('credentials not ready');
        return CREDENTIALS;
      },
      now: () => Date.parse('2026-03-01T12:00:00Z'),
    });
    await expect(provider.getToken()).rejects.toThrow('credentials not ready');
    fail = false;
    expect((await provider.getToken()).startsWith(TOKEN_PREFIX)).toBe(true);
  });
});
