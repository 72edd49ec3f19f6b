import type { EvidencePack } from './model.ts';

/**
 * Port: where a built evidence pack is kept — the evidence bucket in AWS
 * (adapters/evidence/pack-store.ts, Object Lock when the bucket has it), a local directory for the
 * CLI and the sandbox. A pack is written once: storing a pack id again is a CONFLICT.
 */
export interface EvidencePackStore {
  /** Stores the pack's archive (adapters/evidence/pack-archive.ts) and its manifest beside it. */
  put(pack: EvidencePack, archive: Uint8Array): Promise<StoredEvidencePack>;
}

/** What storing a pack came to: where it is, its hashes, and a time-limited link when the store has one. */
export interface StoredEvidencePack {
  packId: string;
  /** `s3://<bucket>/evidence-packs/<packId>.tar.gz`, or the archive's absolute file path. */
  location: string;
  /** SHA-256 (hex) of the archive as stored. */
  archiveSha256: string;
  /** SHA-256 (hex) of the manifest as stored (`manifest.json`, inside the archive and beside it). */
  manifestSha256: string;
  /** Size of the archive in bytes. */
  bytes: number;
  /** A time-limited GET URL of the archive (S3 presigned); absent for a local directory. */
  url?: string;
  /** ISO-8601: when `url` stops working. */
  urlExpiresAt?: string;
  /** ISO-8601: the Object Lock retention date, when the store locks what it writes. */
  retainUntil?: string;
}
