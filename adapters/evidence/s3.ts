import { PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { KubeguardError } from '#core/errors.ts';
import { sha256Hex, verifyBundle } from '#core/remediation/forensics.ts';
import type { EvidenceBundle, EvidenceReceipt, EvidenceStore } from '#core/remediation/ports.ts';

/**
 * Forensic bundles in S3: one object per file under `<prefix><bundle id>/`, then `manifest.json`
 * last, so a manifest only exists for a complete bundle. Every object is
 * - encrypted at rest (SSE-KMS with the given key, or SSE-S3),
 * - sent with its SHA-256 (`ChecksumSHA256`): S3 recomputes it and refuses a body that differs, and
 *   the checksum S3 reports back is compared with the manifest's,
 * - written only if absent (`If-None-Match: *`): evidence is never overwritten.
 */
export interface S3EvidenceStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix, e.g. `evidence/`. @default '' */
  prefix?: string;
  /** KMS key for SSE-KMS; without it objects use SSE-S3 (AES256). */
  kmsKeyId?: string;
}

export function createS3EvidenceStore(options: S3EvidenceStoreOptions): EvidenceStore {
  const prefix = options.prefix ?? '';
  return {
    async put(bundle: EvidenceBundle): Promise<EvidenceReceipt> {
      verifyBundle(bundle);
      const base = `${prefix}${bundle.id}/`;
      for (const file of bundle.files) {
        await putObject(options, `${base}${file.path}`, file.content, file.contentType);
      }
      const manifest = `${JSON.stringify(bundle.manifest, null, 2)}\n`;
      await putObject(options, `${base}manifest.json`, manifest, 'application/json');
      return {
        bundleId: bundle.id,
        location: `s3://${options.bucket}/${base}`,
        manifestSha256: sha256Hex(manifest),
      };
    },
  };
}

async function putObject(options: S3EvidenceStoreOptions, key: string, content: string, contentType: string) {
  const checksum = Buffer.from(sha256Hex(content), 'hex').toString('base64');
  let answer: { ChecksumSHA256?: string | undefined };
  try {
    answer = await options.client.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: key,
        Body: content,
        ContentType: `${contentType}; charset=utf-8`,
        ChecksumSHA256: checksum,
        IfNoneMatch: '*',
        ...(options.kmsKeyId
          ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: options.kmsKeyId }
          : { ServerSideEncryption: 'AES256' }),
      }),
    );
  } catch (error) {
    throw storeError(error, options.bucket, key);
  }
  if (answer.ChecksumSHA256 !== undefined && answer.ChecksumSHA256 !== checksum) {
    throw new KubeguardError(
      'UPSTREAM',
      `S3 stored s3://${options.bucket}/${key} with SHA-256 ${answer.ChecksumSHA256}, not the ${checksum} kubeguard sent; treat that object as untrustworthy`,
      { details: { bucket: options.bucket, key, sent: checksum, stored: answer.ChecksumSHA256 } },
    );
  }
}

function storeError(error: unknown, bucket: string, key: string): KubeguardError {
  const name =
    error instanceof S3ServiceException ? error.name : error instanceof Error ? error.name : 'Error';
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const details = { bucket, key, name, ...(status ? { status } : {}) };
  if (status === 412 || name === 'PreconditionFailed') {
    return new KubeguardError(
      'CONFLICT',
      `s3://${bucket}/${key} already exists; forensic bundles are never overwritten`,
      {
        cause: error,
        details,
      },
    );
  }
  if (status === 403 || name === 'AccessDenied') {
    return new KubeguardError(
      'FORBIDDEN',
      `S3 refused to store s3://${bucket}/${key} (${message}); the worker role needs s3:PutObject on the evidence bucket (and kms:GenerateDataKey on its key)`,
      { cause: error, details },
    );
  }
  return new KubeguardError('UPSTREAM', `storing s3://${bucket}/${key} failed: ${name}: ${message}`, {
    cause: error,
    details,
  });
}
