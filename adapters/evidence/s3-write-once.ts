import { createHash } from 'node:crypto';
import {
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { KubeguardError } from '#core/errors.ts';

/** The evidence bucket as the stores write to it. */
export interface EvidenceBucket {
  client: S3Client;
  bucket: string;
  /** KMS key for SSE-KMS; without it objects use SSE-S3 (AES256). */
  kmsKeyId?: string;
}

export interface WriteOnceOptions {
  contentType: string;
  /** What is never overwritten, for the CONFLICT message: `forensic bundles are never overwritten`. */
  conflict: string;
  /** Who needs which grant, for the FORBIDDEN message: `the worker role needs s3:PutObject`. */
  needs: string;
  /** More of the PutObject request (Object Lock, a length, the checksum algorithm). */
  extra?: Partial<PutObjectCommandInput>;
  /** A store's own reading of a failure (before the common ones); undefined to use those. */
  refine?: (failure: S3Failure) => KubeguardError | undefined;
}

export interface S3Failure {
  error: unknown;
  name: string;
  message: string;
  details: Record<string, unknown>;
}

/**
 * One evidence object, written once: encrypted at rest (SSE-KMS with the bucket's key, or SSE-S3),
 * sent with its SHA-256 — S3 recomputes it and refuses a body that differs, and the checksum it
 * reports back is compared — and only if absent (`If-None-Match: *`), so evidence is never
 * overwritten. The forensic bundles and the evidence packs both write this way.
 */
export async function putObjectOnce(
  target: EvidenceBucket,
  key: string,
  body: string | Uint8Array,
  options: WriteOnceOptions,
): Promise<void> {
  const checksum = createHash('sha256').update(body).digest('base64');
  let answer: { ChecksumSHA256?: string | undefined };
  try {
    answer = await target.client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        ChecksumSHA256: checksum,
        IfNoneMatch: '*',
        ...(target.kmsKeyId
          ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: target.kmsKeyId }
          : { ServerSideEncryption: 'AES256' }),
        ...options.extra,
      }),
    );
  } catch (error) {
    throw writeError(error, target.bucket, key, options);
  }
  if (answer.ChecksumSHA256 !== undefined && answer.ChecksumSHA256 !== checksum) {
    throw new KubeguardError(
      'UPSTREAM',
      `S3 stored s3://${target.bucket}/${key} with SHA-256 ${answer.ChecksumSHA256}, not the ${checksum} kubeguard sent; treat that object as untrustworthy`,
      { details: { bucket: target.bucket, key, sent: checksum, stored: answer.ChecksumSHA256 } },
    );
  }
}

function writeError(error: unknown, bucket: string, key: string, options: WriteOnceOptions): KubeguardError {
  const name =
    error instanceof S3ServiceException ? error.name : error instanceof Error ? error.name : 'Error';
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const details = { bucket, key, name, ...(status ? { status } : {}) };
  if (status === 412 || name === 'PreconditionFailed') {
    return new KubeguardError('CONFLICT', `s3://${bucket}/${key} already exists; ${options.conflict}`, {
      cause: error,
      details,
    });
  }
  if (status === 403 || name === 'AccessDenied') {
    return new KubeguardError(
      'FORBIDDEN',
      `S3 refused to store s3://${bucket}/${key} (${message}); ${options.needs} on the evidence bucket (and kms:GenerateDataKey on its key)`,
      { cause: error, details },
    );
  }
  const refined = options.refine?.({ error, name, message, details });
  if (refined !== undefined) return refined;
  return new KubeguardError('UPSTREAM', `storing s3://${bucket}/${key} failed: ${name}: ${message}`, {
    cause: error,
    details,
  });
}
