import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createS3EvidenceStore } from '#adapters/evidence/s3.ts';
import { sha256Hex } from '#core/remediation/forensics.ts';
import { sampleBundle } from '#test/support/evidence-bundle.ts';

/** Forensic bundles in S3: encrypted, checksummed, written once, manifest last. */

const s3 = mockClient(S3Client);

function base64Sha256(content: string): string {
  return Buffer.from(sha256Hex(content), 'hex').toString('base64');
}

function store(kmsKeyId?: string) {
  return createS3EvidenceStore({
    client: new S3Client({ region: 'eu-west-1' }),
    bucket: 'kubeguard-evidence-123456789012',
    prefix: 'evidence/',
    ...(kmsKeyId ? { kmsKeyId } : {}),
  });
}

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).callsFake((input: { ChecksumSHA256: string }) => ({
    ChecksumSHA256: input.ChecksumSHA256,
  }));
});

describe('S3 evidence store', () => {
  it('puts every file, then the manifest, each with its SHA-256, SSE-KMS and If-None-Match', async () => {
    const bundle = sampleBundle();

    const receipt = await store('alias/kubeguard-evidence').put(bundle);

    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((p) => p.Key)).toEqual([
      `evidence/${bundle.id}/pod.json`,
      `evidence/${bundle.id}/logs/nginx.log`,
      `evidence/${bundle.id}/manifest.json`,
    ]);
    expect(puts[0]).toMatchObject({
      Bucket: 'kubeguard-evidence-123456789012',
      Body: '{"kind":"Pod"}\n',
      ContentType: 'application/json; charset=utf-8',
      ChecksumSHA256: base64Sha256('{"kind":"Pod"}\n'),
      IfNoneMatch: '*',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'alias/kubeguard-evidence',
    });
    expect(receipt).toEqual({
      bundleId: bundle.id,
      location: `s3://kubeguard-evidence-123456789012/evidence/${bundle.id}/`,
      manifestSha256: sha256Hex(puts[2]?.Body as string),
    });
  });

  it('uses SSE-S3 when no KMS key is configured', async () => {
    await store().put(sampleBundle());

    const [first] = s3.commandCalls(PutObjectCommand);
    expect(first?.args[0].input).toMatchObject({ ServerSideEncryption: 'AES256' });
    expect(first?.args[0].input).not.toHaveProperty('SSEKMSKeyId');
  });

  it('reports an existing object (412) as CONFLICT and stops before the manifest', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      }),
    );

    await expect(store().put(sampleBundle())).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('fails when S3 reports a different checksum than the one sent', async () => {
    s3.on(PutObjectCommand).resolves({ ChecksumSHA256: base64Sha256('something else') });

    await expect(store().put(sampleBundle())).rejects.toMatchObject({
      code: 'UPSTREAM',
      message: expect.stringContaining('treat that object as untrustworthy'),
    });
  });

  it('names the missing permission when S3 denies the write', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'Access Denied',
      }),
    );

    await expect(store().put(sampleBundle())).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('s3:PutObject on the evidence bucket'),
    });
  });
});
