import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
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
 * A body read from a file as it is sent (an evidence pack's archive: tens to hundreds of megabytes),
 * whose SHA-256 was computed as the file was written.
 */
export interface FileBody {
  file: string;
  bytes: number;
  /** SHA-256 of the file, base64 (the `x-amz-checksum-sha256` form). */
  sha256: string;
}

/**
 * Attempts at a file body. The SDK never retries a streamed body (it cannot rewind it), so a
 * transient failure — a 5xx, throttling, a dropped connection — is retried here, the file opened
 * again each time.
 */
export const FILE_PUT_ATTEMPTS = 3;

function isFileBody(body: string | Uint8Array | FileBody): body is FileBody {
  return typeof body === 'object' && !(body instanceof Uint8Array);
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
  body: string | Uint8Array | FileBody,
  options: WriteOnceOptions,
): Promise<void> {
  const fromFile = isFileBody(body);
  const checksum = fromFile ? body.sha256 : createHash('sha256').update(body).digest('base64');
  const input = (): PutObjectCommandInput => ({
    Bucket: target.bucket,
    Key: key,
    Body: fromFile ? createReadStream(body.file) : body,
    ...(fromFile ? { ContentLength: body.bytes } : {}),
    ContentType: options.contentType,
    ChecksumSHA256: checksum,
    IfNoneMatch: '*',
    ...(target.kmsKeyId
      ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: target.kmsKeyId }
      : { ServerSideEncryption: 'AES256' }),
    ...options.extra,
  });
  let answer: { ChecksumSHA256?: string | undefined };
  for (let attempt = 1; ; attempt++) {
    try {
      answer = await target.client.send(new PutObjectCommand(input()));
      break;
    } catch (error) {
      if (fromFile && attempt < FILE_PUT_ATTEMPTS && isTransient(error)) {
        await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
        continue;
      }
      const failure = writeError(error, target.bucket, key, options);
      // A retry that finds the object: the attempt before it may have stored it and lost the answer.
      if (attempt > 1 && failure.code === 'CONFLICT') {
        throw new KubeguardError(
          'CONFLICT',
          `${failure.message} (after ${attempt - 1} failed attempt${attempt > 2 ? 's' : ''}, one of which may have stored it: compare its SHA-256 with ${checksum} before relying on it)`,
          { cause: error, details: { ...failure.details, attempts: attempt, sha256: checksum } },
        );
      }
      throw failure;
    }
  }
  if (answer.ChecksumSHA256 !== undefined && answer.ChecksumSHA256 !== checksum) {
    throw new KubeguardError(
      'UPSTREAM',
      `S3 stored s3://${target.bucket}/${key} with SHA-256 ${answer.ChecksumSHA256}, not the ${checksum} kubeguard sent; treat that object as untrustworthy`,
      { details: { bucket: target.bucket, key, sent: checksum, stored: answer.ChecksumSHA256 } },
    );
  }
}

/** Backoff before the second attempt at a file body (doubled for each further one). */
const RETRY_BASE_MS = 200;

/** What S3 (or the network) may answer differently a moment later: 5xx, throttling, a dropped connection. */
function isTransient(error: unknown): boolean {
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  if (status !== undefined) return status >= 500 || status === 429 || (error as Error).name === 'SlowDown';
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return (
    ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'EAI_AGAIN'].includes(code ?? '') ||
    (error as Error)?.name === 'TimeoutError'
  );
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
