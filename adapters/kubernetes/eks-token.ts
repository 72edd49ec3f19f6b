import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Bearer tokens for the EKS API server, as `aws eks get-token` / aws-iam-authenticator make them:
 * a presigned STS GetCallerIdentity URL carrying the signed header `x-k8s-aws-id: <cluster>`,
 * encoded as `k8s-aws-v1.` + base64url without padding. EKS accepts a token for 15 minutes after
 * its X-Amz-Date whatever X-Amz-Expires says.
 */
export const TOKEN_PREFIX = 'k8s-aws-v1.';
/** The server-side validity of a token. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
/**
 * A cached token is replaced after 10 minutes, well before the 14 minutes the Go generator reports
 * as expiry: requests started with it still have 5 minutes to reach the API server.
 */
export const TOKEN_REFRESH_AFTER_MS = 10 * 60_000;

export interface EksTokenOptions {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** @default TOKEN_REFRESH_AFTER_MS */
  refreshAfterMs?: number;
}

export interface EksTokenProvider {
  /** A token valid for at least `TOKEN_LIFETIME_MS - refreshAfterMs` more milliseconds. */
  getToken(): Promise<string>;
}

/** Signs a fresh token at `signingDate`. */
export async function signEksToken(
  options: Pick<EksTokenOptions, 'clusterName' | 'region' | 'credentials'>,
  signingDate: Date,
): Promise<string> {
  const hostname = `sts.${options.region}.amazonaws.com`;
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'sts',
    sha256: Sha256,
  });
  const signed = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      headers: { host: hostname, 'x-k8s-aws-id': options.clusterName },
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    }),
    { expiresIn: 60, signingDate },
  );
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  return TOKEN_PREFIX + Buffer.from(`https://${hostname}/?${query}`).toString('base64url');
}

/** A token provider that signs once per refresh period and shares one signature among concurrent callers. */
export function createEksTokenProvider(options: EksTokenOptions): EksTokenProvider {
  const now = options.now ?? Date.now;
  const refreshAfterMs = options.refreshAfterMs ?? TOKEN_REFRESH_AFTER_MS;
  let cached: { token: Promise<string>; signedAt: number } | undefined;
  return {
    getToken() {
      const time = now();
      if (cached === undefined || time - cached.signedAt >= refreshAfterMs) {
        const token = signEksToken(options, new Date(time));
        cached = { token, signedAt: time };
        // A failed signature must not be served from the cache.
        token.catch(() => {
          if (cached?.token === token) cached = undefined;
        });
      }
      return cached.token;
    },
  };
}
