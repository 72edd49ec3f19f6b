import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback S3 double for the evidence pack store: path-style PutObject (honouring
 * `If-None-Match: *` with 412, answering the SHA-256 it received) and GET by a SigV4 presigned URL,
 * whose signature it checks itself — with node:crypto, not the SDK's signer — against the one secret
 * it knows, and whose expiry it enforces against its own clock.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface S3Double {
  endpoint: string;
  requests: RecordedRequest[];
  objects: Map<string, Buffer>;
  /** The double's clock for presigned URL expiry. */
  now: Date;
  /** Makes every PUT answer this status and S3 error code once set (the next `times` PUTs only, when given). */
  failPutsWith?: { status: number; code: string; message: string; times?: number };
  close: () => Promise<void>;
}

export const DOUBLE_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

export async function startS3Double(): Promise<S3Double> {
  const double = { requests: [], objects: new Map(), now: new Date() } as unknown as S3Double;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      double.requests.push(recorded);
      const answer = (status: number, headers: Record<string, string>, body = '') => {
        response.writeHead(status, headers);
        response.end(body);
      };
      const error = (status: number, code: string, message: string) =>
        answer(
          status,
          { 'content-type': 'application/xml' },
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
        );
      if (recorded.method === 'PUT') {
        if (double.failPutsWith !== undefined) {
          const { status, code, message, times } = double.failPutsWith;
          if (times !== undefined) {
            double.failPutsWith = times > 1 ? { ...double.failPutsWith, times: times - 1 } : undefined;
          }
          return error(status, code, message);
        }
        if (request.headers['if-none-match'] === '*' && double.objects.has(url.pathname)) {
          return error(
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
          );
        }
        const sha256 = createHash('sha256').update(recorded.body).digest('base64');
        if (request.headers['x-amz-checksum-sha256'] !== sha256) {
          return error(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
        }
        double.objects.set(url.pathname, recorded.body);
        return answer(200, { etag: '"1"', 'x-amz-checksum-sha256': sha256 });
      }
      if (recorded.method === 'GET') {
        const refusal = presignedRefusal(recorded, request.headers.host ?? '', double.now);
        if (refusal !== undefined) return error(403, 'AccessDenied', refusal);
        const object = double.objects.get(url.pathname);
        if (object === undefined) return error(404, 'NoSuchKey', 'The specified key does not exist.');
        return answer(200, { 'content-type': 'application/octet-stream' }, object as unknown as string);
      }
      return error(405, 'MethodNotAllowed', 'not in the double');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  double.endpoint = `http://127.0.0.1:${port}`;
  double.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return double;
}

/** Why a presigned GET is refused (signature, expiry), or undefined when it is good — SigV4 by hand. */
function presignedRefusal(request: RecordedRequest, host: string, now: Date): string | undefined {
  const q = request.query;
  const signature = q.get('X-Amz-Signature');
  const date = q.get('X-Amz-Date') ?? '';
  const credential = q.get('X-Amz-Credential') ?? '';
  const [accessKey, day, region, service, terminal] = credential.split('/');
  if (signature === null || q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return 'not presigned';
  if (accessKey !== DOUBLE_CREDENTIALS.accessKeyId || service !== 's3' || terminal !== 'aws4_request') {
    return 'unknown credential';
  }
  if (q.get('X-Amz-SignedHeaders') !== 'host') return 'only host may be signed';
  const signedAt = Date.parse(
    date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  const expires = Number(q.get('X-Amz-Expires'));
  if (!(expires >= 1 && expires <= 604_800)) return 'X-Amz-Expires out of range';
  if (now.getTime() > signedAt + expires * 1000) return 'Request has expired';
  const canonicalQuery = [...q.entries()]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [encode(name), encode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonical = [
    'GET',
    request.path,
    canonicalQuery,
    `host:${host}`,
    '',
    'host',
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join(
    '\n',
  );
  const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  let key = hmac(`AWS4${DOUBLE_CREDENTIALS.secretAccessKey}`, day ?? '');
  key = hmac(key, region ?? '');
  key = hmac(key, 's3');
  key = hmac(key, 'aws4_request');
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  return expected === signature ? undefined : 'SignatureDoesNotMatch';
}

/** RFC 3986 encoding, as SigV4 canonicalizes query values. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
