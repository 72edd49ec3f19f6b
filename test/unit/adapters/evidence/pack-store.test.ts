import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manifestText, packArchive, sha256OfBytes } from '#adapters/evidence/pack-archive.ts';
import {
  createLocalEvidencePackStore,
  createS3EvidencePackStore,
  objectAddress,
  presignGetUrl,
  type S3EvidencePackStoreOptions,
  stagingFailure,
} from '#adapters/evidence/pack-store.ts';
import { buildEvidencePack } from '#core/evidence-pack/build.ts';
import type { EvidencePack, EvidencePackRequest, EvidenceSources } from '#core/evidence-pack/model.ts';
import { evidenceHistory, historySources, MIDDLE } from '#test/support/evidence-history.ts';
import { DOUBLE_CREDENTIALS, type S3Double, startS3Double } from '#test/support/s3-double.ts';

/**
 * The evidence pack store: a loopback S3 double (real HTTP, the SDK's whole stack) and a local
 * directory. The store builds the pack as it writes it; what it sends must be exactly the archive of
 * the same pack built in memory (pack-archive.test.ts proves the two writers give the same bytes).
 */

const BUCKET = 'kubeguard-evidence-123456789012';
const NOW = new Date('2026-04-01T06:05:00.000Z');
let s3: S3Double;
let root: string;
let staging: string;

beforeEach(async () => {
  s3 = await startS3Double();
  s3.now = NOW;
  root = mkdtempSync(join(tmpdir(), 'kubeguard-pack-store-'));
  staging = mkdtempSync(join(tmpdir(), 'kubeguard-pack-staging-'));
});

afterEach(async () => {
  await s3.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(staging, { recursive: true, force: true });
});

/** A month of one cluster: daily posture runs, findings through their lifecycle, the trail. */
const HISTORY = evidenceHistory({ clusters: 1, objects: 8, findingsPerCluster: 4 });
const sources: EvidenceSources = historySources(HISTORY);

function requestBy(requestedBy = 'slack:U0AUDITOR'): EvidencePackRequest {
  return {
    clusters: 'all',
    period: MIDDLE,
    frameworks: ['soc2', 'pci'],
    requestedBy,
    generatedAt: '2026-09-01T06:00:00.000Z',
  };
}

const built = new Map<string, Promise<{ pack: EvidencePack; archive: Uint8Array }>>();

/** The pack and its archive as the in-memory writers make them: what the store must have sent. */
function expected(request: EvidencePackRequest): Promise<{ pack: EvidencePack; archive: Uint8Array }> {
  const key = JSON.stringify(request);
  let pack = built.get(key);
  if (pack === undefined) {
    pack = buildEvidencePack(request, sources).then((p) => ({ pack: p, archive: packArchive(p) }));
    built.set(key, pack);
  }
  return pack;
}

const summaryOf = (pack: EvidencePack, framework: string) =>
  JSON.parse(
    pack.files.find((file) => file.path === `summary/${framework}.json`)?.content ?? 'null',
  ) as unknown;

function store(options: Partial<S3EvidencePackStoreOptions> = {}, credentials: object = DOUBLE_CREDENTIALS) {
  return createS3EvidencePackStore({
    client: new S3Client({
      region: 'eu-west-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: credentials as typeof DOUBLE_CREDENTIALS,
    }),
    bucket: BUCKET,
    now: () => NOW,
    stagingDirectory: staging,
    ...options,
  });
}

const base64 = (algorithm: string, body: Uint8Array | string) =>
  createHash(algorithm).update(body).digest('base64');

describe('S3 evidence pack store', () => {
  it('builds the pack into a staging file, puts the archive, then its manifest beside it, each checksummed, encrypted and only if absent', async () => {
    const { pack, archive } = await expected(requestBy());

    const written = await store({ kmsKeyId: 'alias/kubeguard-evidence' }).write(requestBy(), sources);
    const stored = written.stored;

    const puts = s3.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.path)).toEqual([
      `/${BUCKET}/evidence-packs/${pack.id}.tar.gz`,
      `/${BUCKET}/evidence-packs/${pack.id}.manifest.json`,
    ]);
    expect(puts[0]?.body.equals(Buffer.from(archive))).toBe(true);
    expect(puts[1]?.body.toString('utf8')).toBe(manifestText(pack));
    expect(puts[0]?.headers).toMatchObject({
      'content-type': 'application/gzip',
      'x-amz-checksum-sha256': base64('sha256', archive),
      'if-none-match': '*',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'alias/kubeguard-evidence',
      'content-length': String(archive.byteLength),
    });
    expect(puts[0]?.headers).not.toHaveProperty('x-amz-object-lock-mode');
    // Sent from the file as it is read, not as an aws-chunked body with a trailing checksum.
    expect(puts[0]?.headers).not.toHaveProperty('content-encoding');
    expect(written.files).toBe(pack.manifest.files.length);
    expect(written.summaries).toEqual([summaryOf(pack, 'soc2'), summaryOf(pack, 'pci')]);
    // The staging file is gone once the pack is stored.
    expect(readdirSync(staging)).toEqual([]);
    expect(stored).toMatchObject({
      packId: pack.id,
      location: `s3://${BUCKET}/evidence-packs/${pack.id}.tar.gz`,
      archiveSha256: sha256OfBytes(archive),
      manifestSha256: createHash('sha256').update(manifestText(pack)).digest('hex'),
      bytes: archive.byteLength,
    });
    expect(stored).not.toHaveProperty('retainUntil');
  });

  it('with Object Lock, sends the mode, the retain-until date and the Content-MD5 S3 requires, on both objects', async () => {
    const { pack, archive } = await expected(requestBy());

    const { stored } = await store({ objectLock: { mode: 'COMPLIANCE', days: 400 } }).write(
      requestBy(),
      sources,
    );

    const [archivePut, manifestPut] = s3.requests.filter((r) => r.method === 'PUT');
    expect(archivePut?.headers).toMatchObject({
      'x-amz-object-lock-mode': 'COMPLIANCE',
      'x-amz-object-lock-retain-until-date': '2027-05-06T06:05:00Z',
      'content-md5': base64('md5', archive),
      'x-amz-checksum-sha256': base64('sha256', archive),
      'x-amz-server-side-encryption': 'AES256',
    });
    expect(manifestPut?.headers).toMatchObject({
      'x-amz-object-lock-mode': 'COMPLIANCE',
      'content-md5': base64('md5', manifestText(pack)),
    });
    expect(stored.retainUntil).toBe('2027-05-06T06:05:00.000Z');
  });

  it('links the archive with a presigned GET URL of 7 days by default that the double accepts, and refuses once expired', async () => {
    const { archive } = await expected(requestBy());

    const { stored } = await store().write(requestBy(), sources);

    const url = new URL(stored.url ?? '');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('604800');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'AKIAIOSFODNN7EXAMPLE/20260401/eu-west-1/s3/aws4_request',
    );
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260401T060500Z');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.urlExpiresAt).toBe('2026-04-08T06:05:00.000Z');

    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(Buffer.from(archive))).toBe(true);

    const tampered = new URL(url);
    tampered.searchParams.set('X-Amz-Expires', '604801');
    expect((await fetch(tampered)).status).toBe(403);
    s3.now = new Date('2026-04-08T06:05:01.000Z');
    expect((await fetch(url)).status).toBe(403);
  });

  it('signs a shorter link when asked, and never past the session credentials’ expiry', async () => {
    const { stored: short } = await store({ urlExpiryHours: 24 }).write(requestBy('cli:a'), sources);
    expect(new URL(short.url ?? '').searchParams.get('X-Amz-Expires')).toBe('86400');

    const { stored: session } = await store(
      {},
      {
        ...DOUBLE_CREDENTIALS,
        sessionToken: 'session-token',
        expiration: new Date('2026-04-01T07:05:00.000Z'),
      },
    ).write(requestBy('cli:b'), sources);
    const url = new URL(session.url ?? '');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session-token');
    expect(session.urlExpiresAt).toBe('2026-04-01T07:05:00.000Z');
    expect(() => store({ urlExpiryHours: 169 })).toThrow(/from 1 to 168/);
  });

  it('addresses the object virtual-hosted in AWS, path-style under an endpoint or for a bucket with dots', () => {
    expect(objectAddress(BUCKET, 'evidence-packs/p.tar.gz', 'eu-west-1')).toEqual({
      protocol: 'https:',
      hostname: `${BUCKET}.s3.eu-west-1.amazonaws.com`,
      path: '/evidence-packs/p.tar.gz',
    });
    expect(objectAddress('my.bucket', 'a b/p.tar.gz', 'eu-west-1')).toEqual({
      protocol: 'https:',
      hostname: 's3.eu-west-1.amazonaws.com',
      path: '/my.bucket/a%20b/p.tar.gz',
    });
    expect(objectAddress(BUCKET, 'k', 'eu-west-1', 'http://127.0.0.1:9000')).toEqual({
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 9000,
      path: `/${BUCKET}/k`,
    });
  });

  it('computes the signature of the AWS documentation example (SigV4 query-string authentication)', async () => {
    const url = await presignGetUrl({
      address: { protocol: 'https:', hostname: 'examplebucket.s3.amazonaws.com', path: '/test.txt' },
      region: 'us-east-1',
      credentials: DOUBLE_CREDENTIALS,
      expiresInSeconds: 86_400,
      signingDate: new Date('2013-05-24T00:00:00Z'),
    });

    expect(new URL(url).searchParams.get('X-Amz-Signature')).toBe(
      'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
  });

  it('never overwrites a stored pack (412 is CONFLICT) and names a bucket without Object Lock', async () => {
    await store().write(requestBy(), sources);

    await expect(store().write(requestBy(), sources)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(readdirSync(staging)).toEqual([]);

    s3.failPutsWith = {
      status: 400,
      code: 'InvalidRequest',
      message: 'Bucket is missing Object Lock Configuration',
    };
    await expect(
      store({ objectLock: { mode: 'GOVERNANCE', days: 30 } }).write(requestBy('cli:other'), sources),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(/enable Object Lock/) });
    s3.failPutsWith = { status: 403, code: 'AccessDenied', message: 'Access Denied' };
    await expect(store().write(requestBy('cli:third'), sources)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(readdirSync(staging)).toEqual([]);
  });
});

describe('S3 evidence pack store, transient failures', () => {
  it('sends the archive file again, whole, after a 503 (the SDK never retries a streamed body)', async () => {
    const { archive } = await expected(requestBy());
    s3.failPutsWith = {
      status: 503,
      code: 'SlowDown',
      message: 'Please reduce your request rate.',
      times: 2,
    };

    const { stored } = await store().write(requestBy(), sources);

    const puts = s3.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.path.split('/').pop(), r.body.byteLength])).toEqual([
      [`${stored.packId}.tar.gz`, archive.byteLength],
      [`${stored.packId}.tar.gz`, archive.byteLength],
      [`${stored.packId}.tar.gz`, archive.byteLength],
      [`${stored.packId}.manifest.json`, puts[3]?.body.byteLength],
    ]);
    expect(
      s3.objects.get(`/${BUCKET}/evidence-packs/${stored.packId}.tar.gz`)?.equals(Buffer.from(archive)),
    ).toBe(true);
    expect(readdirSync(staging)).toEqual([]);
  });

  it('gives up after three attempts, and says when a retry found the object an earlier attempt may have stored', async () => {
    s3.failPutsWith = { status: 500, code: 'InternalError', message: 'We encountered an internal error.' };
    await expect(store().write(requestBy('cli:down'), sources)).rejects.toMatchObject({
      code: 'UPSTREAM',
      message: expect.stringMatching(/InternalError/),
    });
    expect(s3.requests.filter((r) => r.method === 'PUT')).toHaveLength(3);

    const { pack, archive } = await expected(requestBy());
    s3.objects.set(`/${BUCKET}/evidence-packs/${pack.id}.tar.gz`, Buffer.from(archive));
    s3.failPutsWith = {
      status: 500,
      code: 'InternalError',
      message: 'We encountered an internal error.',
      times: 1,
    };
    await expect(store().write(requestBy(), sources)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(
        `after 1 failed attempt, one of which may have stored it: compare its SHA-256 with ${base64('sha256', archive)}`,
      ),
    });
    expect(readdirSync(staging)).toEqual([]);
  });
});

describe('local evidence pack store', () => {
  it('writes <packId>.tar.gz and its manifest once; the location is the archive path, no link', async () => {
    const { pack, archive } = await expected(requestBy());

    const written = await createLocalEvidencePackStore(root).write(requestBy(), sources);
    const stored = written.stored;

    expect(stored).toEqual({
      packId: pack.id,
      location: join(root, `${pack.id}.tar.gz`),
      archiveSha256: sha256OfBytes(archive),
      manifestSha256: createHash('sha256').update(manifestText(pack)).digest('hex'),
      bytes: archive.byteLength,
    });
    expect(readFileSync(stored.location).equals(Buffer.from(archive))).toBe(true);
    expect(readFileSync(join(root, `${pack.id}.manifest.json`), 'utf8')).toBe(manifestText(pack));
    expect(written.summaries).toEqual([summaryOf(pack, 'soc2'), summaryOf(pack, 'pci')]);
    await expect(createLocalEvidencePackStore(root).write(requestBy(), sources)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    // Only the pack: no staging file is left beside it, and the first archive is untouched.
    expect(readdirSync(root).sort()).toEqual([`${pack.id}.manifest.json`, `${pack.id}.tar.gz`]);
    expect(readFileSync(stored.location).equals(Buffer.from(archive))).toBe(true);
  });

  it('leaves nothing behind when the build fails half-way (a source that stops answering)', async () => {
    const failing: EvidenceSources = {
      ...sources,
      // biome-ignore lint/correctness/useYield: the source fails before its first record
      findings: async function* () {
        throw new Error('DynamoDB did not answer');
      },
    };

    await expect(createLocalEvidencePackStore(root).write(requestBy(), failing)).rejects.toThrow(
      'DynamoDB did not answer',
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('names the fix when the staging disk is full, and passes any other failure on unchanged', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(stagingFailure(full, '/tmp')).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringContaining('no space left in /tmp to stage the evidence pack archive'),
      details: { directory: '/tmp' },
    });
    const other = new Error('DynamoDB did not answer');
    expect(stagingFailure(other, '/tmp')).toBe(other);
  });
});
