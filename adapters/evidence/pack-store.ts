import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { S3Client } from '@aws-sdk/client-s3';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { KubeguardError } from '#core/errors.ts';
import type { EvidencePackRequest, EvidenceSources } from '#core/evidence-pack/model.ts';
import type { EvidencePackInStore, EvidencePackStore } from '#core/evidence-pack/ports.ts';
import {
  manifestText,
  sha256OfBytes,
  type WrittenEvidenceArchive,
  writeEvidenceArchive,
} from './pack-archive.ts';
import { type FileBody, putObjectOnce } from './s3-write-once.ts';

/**
 * Evidence packs in the evidence bucket: the pack is built into a staging file (pack-archive.ts's
 * writeEvidenceArchive: one file of the pack in memory at a time, hashed as it is written), sent
 * from that file as `<prefix><packId>.tar.gz`, then `<prefix><packId>.manifest.json` beside it — last, so a manifest only exists beside a complete
 * archive. Like the forensic bundles (s3.ts) every object is encrypted (SSE-KMS or SSE-S3), sent with
 * its SHA-256 (S3 refuses a body that differs; the checksum S3 answers is compared) and written only
 * if absent (`If-None-Match: *`). With `objectLock`, each object also carries its retention
 * (`x-amz-object-lock-mode`, `…-retain-until-date`, and the Content-MD5 S3 requires on such a put):
 * nobody deletes or overwrites it before then (GOVERNANCE: but those allowed to bypass it). The
 * answer links the archive with a presigned GET URL that works `urlExpiryHours` (at most 7 days, and
 * never past the signing credentials' own expiry). Decision D68.
 */
export interface S3EvidencePackStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix. @default 'evidence-packs/' */
  prefix?: string;
  /** KMS key for SSE-KMS; without it objects use SSE-S3 (AES256). */
  kmsKeyId?: string;
  /** Object Lock retention of every object written (the bucket must have Object Lock enabled). */
  objectLock?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; days: number };
  /** Hours the presigned link works, 1–168. @default 168 (7 days, the most SigV4 allows) */
  urlExpiryHours?: number;
  /** The clock (retention dates, the link's signing time). @default the system clock */
  now?: () => Date;
  /**
   * Where the archive is staged while it is built and sent (a Lambda's `/tmp`, sized by the
   * function's ephemeral storage). @default os.tmpdir()
   */
  stagingDirectory?: string;
}

export const DEFAULT_PACK_PREFIX = 'evidence-packs/';
/** SigV4 presigned URLs live at most 7 days. */
export const MAX_URL_EXPIRY_HOURS = 168;

export function createS3EvidencePackStore(options: S3EvidencePackStoreOptions): EvidencePackStore {
  const prefix = options.prefix ?? DEFAULT_PACK_PREFIX;
  const expiryHours = options.urlExpiryHours ?? MAX_URL_EXPIRY_HOURS;
  if (!Number.isInteger(expiryHours) || expiryHours < 1 || expiryHours > MAX_URL_EXPIRY_HOURS) {
    throw new KubeguardError(
      'INVALID_CONFIG',
      `evidence pack link: urlExpiryHours must be a whole number from 1 to ${MAX_URL_EXPIRY_HOURS} (a presigned URL lives at most 7 days); received ${expiryHours}`,
    );
  }
  const now = options.now ?? (() => new Date());
  return {
    async write(request, sources): Promise<EvidencePackInStore> {
      const staged = await stageArchive(request, sources, options.stagingDirectory ?? tmpdir());
      try {
        const packId = staged.pack.id;
        const archiveKey = `${prefix}${packId}.tar.gz`;
        const startedAt = now();
        const retainUntil =
          options.objectLock === undefined
            ? undefined
            : // Whole seconds, up: the header carries no fraction, and the lock must not end early.
              new Date(Math.ceil((startedAt.getTime() + options.objectLock.days * 86_400_000) / 1000) * 1000);
        const archive: FileBody = {
          file: staged.path,
          bytes: staged.bytes,
          sha256: Buffer.from(staged.archiveSha256, 'hex').toString('base64'),
        };
        await putObject(options, archiveKey, archive, staged.archiveMd5, 'application/gzip', retainUntil);
        await putObject(
          options,
          `${prefix}${packId}.manifest.json`,
          staged.manifest,
          createHash('md5').update(staged.manifest).digest('base64'),
          'application/json; charset=utf-8',
          retainUntil,
        );
        const link = await presignedArchiveUrl(options, archiveKey, expiryHours * 3600, now());
        return {
          stored: {
            packId,
            location: `s3://${options.bucket}/${archiveKey}`,
            archiveSha256: staged.archiveSha256,
            manifestSha256: sha256OfBytes(staged.manifest),
            bytes: staged.bytes,
            url: link.url,
            urlExpiresAt: link.expiresAt,
            ...(retainUntil === undefined ? {} : { retainUntil: retainUntil.toISOString() }),
          },
          files: staged.pack.manifest.files.length,
          summaries: staged.summaries,
        };
      } finally {
        await rm(staged.path, { force: true });
      }
    },
  };
}

/** A full disk names what to change; any other failure is the build's own. */
export function stagingFailure(error: unknown, directory: string): unknown {
  if ((error as NodeJS.ErrnoException | null)?.code !== 'ENOSPC') return error;
  return new KubeguardError(
    'LIMIT_EXCEEDED',
    `no space left in ${directory} to stage the evidence pack archive; ask for fewer clusters or a shorter period, or give the action worker more ephemeral storage (ACTION_WORKER_EPHEMERAL_MIB in infra/constructs/slack-bot.ts; docs/evidence-packs.md, "Size and streaming")`,
    { cause: error, details: { directory } },
  );
}

/** An archive built into a staging file, with what the store needs to send and describe it. */
interface StagedArchive extends WrittenEvidenceArchive {
  path: string;
  /** `manifest.json` as stored beside the archive. */
  manifest: Buffer;
  summaries: unknown[];
}

const SUMMARY_JSON = /^summary\/[a-z0-9]+\.json$/;

/** Builds the pack into `<directory>/.kubeguard-pack-<uuid>.tar.gz.partial` (removed by writeEvidenceArchive if the build fails). */
async function stageArchive(
  request: EvidencePackRequest,
  sources: EvidenceSources,
  directory: string,
): Promise<StagedArchive> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, `.kubeguard-pack-${randomUUID()}.tar.gz.partial`);
  let written: WrittenEvidenceArchive;
  try {
    written = await writeEvidenceArchive(request, sources, path, { keep: (file) => SUMMARY_JSON.test(file) });
  } catch (error) {
    throw stagingFailure(error, directory);
  }
  const summaries = request.frameworks.flatMap((framework) => {
    const text = written.kept.get(`summary/${framework}.json`);
    return text === undefined ? [] : [JSON.parse(text) as unknown];
  });
  return { ...written, path, manifest: Buffer.from(manifestText(written.pack), 'utf8'), summaries };
}

function putObject(
  options: S3EvidencePackStoreOptions,
  key: string,
  body: Uint8Array | FileBody,
  md5: string,
  contentType: string,
  retainUntil: Date | undefined,
): Promise<void> {
  const { bucket, objectLock } = options;
  return putObjectOnce(options, key, body, {
    contentType,
    conflict: 'evidence packs are never overwritten — build the pack again for a new id',
    needs: `the role needs s3:PutObject${objectLock ? ', s3:PutObjectRetention' : ''}`,
    extra: {
      ChecksumAlgorithm: 'SHA256',
      ...(objectLock === undefined || retainUntil === undefined
        ? {}
        : {
            ObjectLockMode: objectLock.mode,
            ObjectLockRetainUntilDate: retainUntil,
            // S3 refuses a put with a retention period unless it carries Content-MD5 (or an SDK checksum).
            ContentMD5: md5,
          }),
    },
    refine: ({ error, name, message, details }) =>
      objectLock !== undefined && /object ?lock/i.test(message)
        ? new KubeguardError(
            'INVALID_CONFIG',
            `S3 refused the Object Lock retention on s3://${bucket}/${key} (${name}: ${message}); enable Object Lock on the evidence bucket (docs/deploy.md, "Object Lock") or remove evidence.objectLock from the configuration`,
            { cause: error, details },
          )
        : undefined,
  });
}

/** Where a presigned GET goes: the host and path of the object, and the scheme. */
export interface ObjectAddress {
  protocol: 'https:' | 'http:';
  hostname: string;
  port?: number;
  /** URI-encoded path, starting with `/`. */
  path: string;
}

/**
 * The object's address: virtual-hosted style (`<bucket>.s3.<region>.amazonaws.com/<key>`), or path
 * style under `endpoint` (a custom endpoint, a bucket name with dots).
 */
export function objectAddress(bucket: string, key: string, region: string, endpoint?: string): ObjectAddress {
  const encodedKey = key.split('/').map(encodeURIComponent).join('/');
  if (endpoint !== undefined || bucket.includes('.')) {
    const base = new URL(endpoint ?? `https://s3.${region}.amazonaws.com`);
    return {
      protocol: base.protocol === 'http:' ? 'http:' : 'https:',
      hostname: base.hostname,
      ...(base.port === '' ? {} : { port: Number(base.port) }),
      path: `${base.pathname.replace(/\/$/, '')}/${encodeURIComponent(bucket)}/${encodedKey}`,
    };
  }
  return { protocol: 'https:', hostname: `${bucket}.s3.${region}.amazonaws.com`, path: `/${encodedKey}` };
}

/**
 * A SigV4 presigned GET URL (query-string authentication, `UNSIGNED-PAYLOAD`, only `host` signed),
 * as @aws-sdk/s3-request-presigner makes it — without depending on it.
 */
export async function presignGetUrl(input: {
  address: ObjectAddress;
  region: string;
  credentials: AwsCredentialIdentity;
  expiresInSeconds: number;
  signingDate: Date;
}): Promise<string> {
  const { address } = input;
  const host = address.port === undefined ? address.hostname : `${address.hostname}:${address.port}`;
  const signer = new SignatureV4({
    service: 's3',
    region: input.region,
    credentials: input.credentials,
    sha256: Sha256,
    // S3 signs the path as sent (encoded once), unlike the other services.
    uriEscapePath: false,
  });
  const request = new HttpRequest({
    protocol: address.protocol,
    method: 'GET',
    hostname: address.hostname,
    ...(address.port === undefined ? {} : { port: address.port }),
    path: address.path,
    headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  const unsigned = new Set(['x-amz-content-sha256']);
  const signed = await signer.presign(request, {
    expiresIn: input.expiresInSeconds,
    signingDate: input.signingDate,
    unhoistableHeaders: unsigned,
    unsignableHeaders: unsigned,
  });
  const query = Object.entries(signed.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return `${address.protocol}//${host}${address.path}?${query}`;
}

async function presignedArchiveUrl(
  options: S3EvidencePackStoreOptions,
  key: string,
  wantedSeconds: number,
  signingDate: Date,
): Promise<{ url: string; expiresAt: string }> {
  const config = options.client.config;
  const [region, credentials] = await Promise.all([config.region(), config.credentials()]);
  // A link signed with session credentials dies with the session: promise no longer than that.
  const expiration = (credentials as { expiration?: Date }).expiration;
  const sessionSeconds =
    expiration === undefined
      ? wantedSeconds
      : Math.floor((expiration.getTime() - signingDate.getTime()) / 1000);
  const seconds = Math.max(1, Math.min(wantedSeconds, sessionSeconds));
  const endpoint = config.endpoint === undefined ? undefined : await config.endpoint();
  const address = objectAddress(
    options.bucket,
    key,
    region,
    endpoint === undefined
      ? undefined
      : `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path}`,
  );
  const url = await presignGetUrl({ address, region, credentials, expiresInSeconds: seconds, signingDate });
  return { url, expiresAt: new Date(signingDate.getTime() + seconds * 1000).toISOString() };
}

/**
 * Evidence packs in a local directory (the CLI, the sandbox): `<root>/<packId>.tar.gz` and
 * `<root>/<packId>.manifest.json`, each written only if absent — the archive is built into a staging
 * file in the same directory and hard-linked to its name, which fails rather than replace a pack.
 * The location is the archive's absolute path; there is no link.
 */
export function createLocalEvidencePackStore(root: string): EvidencePackStore {
  return {
    async write(request, sources): Promise<EvidencePackInStore> {
      const directory = resolve(root);
      const staged = await stageArchive(request, sources, directory);
      const packId = staged.pack.id;
      const archivePath = join(directory, `${packId}.tar.gz`);
      try {
        await claimName(staged.path, archivePath, packId);
      } finally {
        await rm(staged.path, { force: true });
      }
      try {
        await writeOnce(join(directory, `${packId}.manifest.json`), staged.manifest, packId);
      } catch (error) {
        await rm(archivePath, { force: true });
        throw error;
      }
      return {
        stored: {
          packId,
          location: archivePath,
          archiveSha256: staged.archiveSha256,
          manifestSha256: sha256OfBytes(staged.manifest),
          bytes: staged.bytes,
        },
        files: staged.pack.manifest.files.length,
        summaries: staged.summaries,
      };
    },
  };
}

async function claimName(staged: string, path: string, packId: string): Promise<void> {
  try {
    await link(staged, path);
  } catch (error) {
    throw writeFailure(error, path, packId);
  }
}

async function writeOnce(path: string, content: Uint8Array, packId: string): Promise<void> {
  try {
    await writeFile(path, content, { flag: 'wx' });
  } catch (error) {
    throw writeFailure(error, path, packId);
  }
}

function writeFailure(error: unknown, path: string, packId: string): KubeguardError {
  if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
    return new KubeguardError(
      'CONFLICT',
      `${path} already exists; evidence pack ${packId} is never overwritten`,
      {
        cause: error,
        details: { packId, location: path },
      },
    );
  }
  return new KubeguardError('UPSTREAM', `cannot write ${path}: ${(error as Error).message}`, {
    cause: error,
  });
}
