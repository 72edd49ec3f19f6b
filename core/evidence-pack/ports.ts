import type { EvidencePackRequest, EvidenceSources } from './model.ts';

/**
 * Port: where evidence packs are kept — the evidence bucket in AWS (adapters/evidence/pack-store.ts,
 * Object Lock when the bucket has it), a local directory for the CLI and the sandbox. The store
 * builds the pack as it writes it (core/evidence-pack/build.ts into the archive of
 * adapters/evidence/pack-archive.ts), so a pack is never whole in memory: a month of 50 clusters is
 * gigabytes of JSON. A pack is written once: storing a pack id again is a CONFLICT.
 */
export interface EvidencePackStore {
  /** Builds the pack of `request` from `sources` into the store: its archive, then its manifest beside it. */
  write(request: EvidencePackRequest, sources: EvidenceSources): Promise<EvidencePackInStore>;
}

/** A pack the store has written: where it is, how many files it holds, and its summaries. */
export interface EvidencePackInStore {
  stored: StoredEvidencePack;
  /** Files the manifest lists (every file of the pack but `manifest.json`). */
  files: number;
  /** The parsed `summary/<framework>.json` of each framework of the request, in the request's order. */
  summaries: readonly unknown[];
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
