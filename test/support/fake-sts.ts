import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An AssumeRole request as the fake received it: the form parameters and the signing headers. */
export interface AssumeRoleCall {
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export interface FakeSts {
  endpoint: string;
  calls: AssumeRoleCall[];
  /** Answers the next calls with this error instead of credentials (the STS query error shape). */
  failWith(error: { status: number; code: string; message: string } | undefined): void;
  close(): Promise<void>;
}

/**
 * STS on loopback answering AssumeRole as the query protocol does: an `AssumeRoleResponse` XML
 * document (shape of the STS API reference's example response) with temporary credentials whose
 * access key id counts the calls (`ASIAFAKE0001`, …) and which expire `lifetimeMs` after the call.
 * Errors use the query protocol's `ErrorResponse` document.
 */
export async function startFakeSts(options: { lifetimeMs: () => number }): Promise<FakeSts> {
  const calls: AssumeRoleCall[] = [];
  let failure: { status: number; code: string; message: string } | undefined;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      calls.push({ params, headers: request.headers });
      if (failure !== undefined) {
        response.writeHead(failure.status, { 'content-type': 'text/xml' });
        response.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${failure.code}</Code><Message>${failure.message}</Message></Error><RequestId>req-${calls.length}</RequestId></ErrorResponse>`,
        );
        return;
      }
      const n = String(calls.length).padStart(4, '0');
      const expiration = new Date(Date.now() + options.lifetimeMs()).toISOString();
      const account = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(params.RoleArn ?? '');
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${account?.[1]}:assumed-role/${account?.[2]}/${params.RoleSessionName}</Arn>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:${params.RoleSessionName}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAFAKE${n}</AccessKeyId>
      <SecretAccessKey>secret-${n}</SecretAccessKey>
      <SessionToken>session-${n}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    failWith(error) {
      failure = error;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The access key id in a SigV4 Authorization header (`Credential=<id>/<date>/<region>/<service>/…`). */
export function signingKeyOf(authorization: string | undefined): string | undefined {
  return /Credential=([^/]+)\//.exec(authorization ?? '')?.[1];
}
