import type { S3Client } from '@aws-sdk/client-s3';
import { sha256Hex, verifyBundle } from '#core/remediation/forensics.ts';
import type { EvidenceBundle, EvidenceReceipt, EvidenceStore } from '#core/remediation/ports.ts';
import { putObjectOnce } from './s3-write-once.ts';

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

function putObject(options: S3EvidenceStoreOptions, key: string, content: string, contentType: string) {
  return putObjectOnce(options, key, content, {
    contentType: `${contentType}; charset=utf-8`,
    conflict: 'forensic bundles are never overwritten',
    needs: 'the worker role needs s3:PutObject',
  });
}
