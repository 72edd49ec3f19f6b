import { join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, KubeguardError } from '#core/errors.ts';
import {
  POLICY_FILE_NAME,
  type PolicyFile,
  type PolicyFileStore,
  policyFileId,
  REPORT_EXPORT_FILES,
  type ReportExportLinks,
  type ReportExportStore,
  type ReportExports,
  SNAPSHOT_EXPORT_FILE,
} from '#core/posture/report-exports.ts';
import type { EvidenceBundle, EvidenceFile, EvidenceStore } from '#core/remediation/ports.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import { tracedAwsClient } from '../observability/hooks.ts';

/**
 * Audit report exports stored through the forensic EvidenceStore (adapters/evidence/local-dir.ts,
 * s3.ts): the three exports plus a manifest.json with their SHA-256, written once. This file only
 * turns a report into a bundle and the store's receipt into links. The evidence stores and the
 * forensic helpers (which bring the YAML parser) are imported when the first export is written, so a
 * function composing this store does not evaluate them when its bundle loads (D56).
 */

const CONTENT_TYPES: Readonly<Record<keyof ReportExports, EvidenceFile['contentType']>> = {
  json: 'application/json',
  // The evidence store knows JSON and plain text; Markdown and CSV are plain text that a browser
  // (and the S3 console's "Open") shows inline instead of downloading.
  markdown: 'text/plain',
  csv: 'text/plain',
};
const KINDS = Object.keys(REPORT_EXPORT_FILES) as (keyof ReportExports)[];

/** A store of report exports on any EvidenceStore; `linkTo` turns the receipt location and a file name into a link. */
export function createReportExportStore(
  evidence: EvidenceStore,
  linkTo: (location: string, file: string) => string,
): ReportExportStore {
  return {
    async putReportExports(reportId, exports, takenAt, snapshot) {
      const { sha256Hex } = await import('#core/remediation/forensics.ts');
      const receipt = await evidence.put(reportBundle(reportId, exports, takenAt, sha256Hex, snapshot));
      const links = {} as ReportExportLinks;
      for (const kind of KINDS) links[kind] = linkTo(receipt.location, REPORT_EXPORT_FILES[kind]);
      return links;
    },
  };
}

function reportBundle(
  reportId: string,
  exports: ReportExports,
  takenAt: string,
  sha256Hex: (content: string) => string,
  snapshot: string | undefined,
): EvidenceBundle {
  const files: EvidenceFile[] = KINDS.map((kind) => ({
    path: REPORT_EXPORT_FILES[kind],
    content: exports[kind],
    contentType: CONTENT_TYPES[kind],
  }));
  if (snapshot !== undefined) {
    // Already redacted by the caller (core/evidence-pack/redact.ts); not linked, read by evidence packs.
    files.push({ path: SNAPSHOT_EXPORT_FILE, content: snapshot, contentType: 'application/json' });
  }
  return {
    id: reportId,
    files,
    manifest: {
      bundleId: reportId,
      target: { kind: 'PostureAuditReport', name: reportId },
      capturedAt: takenAt,
      capturedBy: 'kubeguard posture audit',
      files: files.map((file) => ({
        path: file.path,
        sha256: sha256Hex(file.content),
        bytes: Buffer.byteLength(file.content, 'utf8'),
      })),
      missing: [],
    },
  };
}

/** Exports under `<root>/<report id>/`; the links are the files' absolute paths. */
export function createLocalReportExportStore(root: string): ReportExportStore {
  const evidence = lazyEvidenceStore(async () =>
    (await import('./local-dir.ts')).createLocalEvidenceStore(root),
  );
  return createReportExportStore(evidence, (location, file) => `${location}/${file}`);
}

/**
 * Generated policy files on any EvidenceStore: `policies.yaml` and a manifest.json under
 * `policyFileId` (content-addressed). The same file stored again meets the store's CONFLICT (bundles
 * are written once) and is linked where it already is: its id proves it holds the same YAML.
 * `locationOf` says where a bundle id is stored (what the receipt would say), for that case.
 */
export function createPolicyFileStore(
  evidence: EvidenceStore,
  locationOf: (bundleId: string) => string,
  linkTo: (location: string, file: string) => string,
): PolicyFileStore {
  return {
    async putPolicyFile(reportId, file, generatedAt) {
      const { sha256Hex } = await import('#core/remediation/forensics.ts');
      const sha256 = sha256Hex(file.yaml);
      const bundleId = policyFileId(reportId, file, sha256);
      try {
        const receipt = await evidence.put(policyBundle(bundleId, file, generatedAt, sha256));
        return linkTo(receipt.location, POLICY_FILE_NAME);
      } catch (error) {
        if (error instanceof KubeguardError && error.code === 'CONFLICT') {
          return linkTo(locationOf(bundleId), POLICY_FILE_NAME);
        }
        throw error;
      }
    },
  };
}

function policyBundle(
  bundleId: string,
  file: PolicyFile,
  generatedAt: string,
  sha256: string,
): EvidenceBundle {
  return {
    id: bundleId,
    // YAML is plain text to the store, and a browser (and the S3 console's "Open") shows it inline.
    files: [{ path: POLICY_FILE_NAME, content: file.yaml, contentType: 'text/plain' }],
    manifest: {
      bundleId,
      target: { kind: 'GeneratedAdmissionPolicies', name: bundleId },
      capturedAt: generatedAt,
      capturedBy: `kubeguard policy generation (${file.engine}, ${file.mode})`,
      files: [{ path: POLICY_FILE_NAME, sha256, bytes: Buffer.byteLength(file.yaml, 'utf8') }],
      missing: [],
    },
  };
}

/** Policy files under `<root>/<report id>/policies/…/policies.yaml`; the link is the file's absolute path. */
export function createLocalPolicyFileStore(root: string): PolicyFileStore {
  const evidence = lazyEvidenceStore(async () =>
    (await import('./local-dir.ts')).createLocalEvidenceStore(root),
  );
  return createPolicyFileStore(
    evidence,
    (bundleId) => join(resolve(root), bundleId),
    (location, file) => `${location}/${file}`,
  );
}

/** An evidence store built on its first put (and built again after a failed build). */
function lazyEvidenceStore(build: () => Promise<EvidenceStore>): EvidenceStore {
  let loading: Promise<EvidenceStore> | undefined;
  return {
    async put(bundle) {
      loading ??= build().catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      return (await loading).put(bundle);
    },
  };
}

export interface S3ReportExportStoreOptions {
  /**
   * The S3 client, or what builds it when the first export is written: the functions pass a builder,
   * so @aws-sdk/client-s3 is evaluated then, not when their bundle loads (D56).
   */
  client: S3Client | (() => Promise<S3Client>);
  bucket: string;
  /** The bucket's region, for the console links. */
  region: string;
  /** KMS key for SSE-KMS; without it the objects use SSE-S3 (AES256). */
  kmsKeyId?: string;
}

/**
 * Exports at `s3://<bucket>/audits/<cluster>/<timestamp>/report.{json,md,csv}`, encrypted and
 * checksummed by the S3 evidence store. The links open the objects in the S3 console (the reader
 * signs in with their own AWS access): a presigned GET URL would need @aws-sdk/s3-request-presigner,
 * which kubeguard does not depend on, and would expire while the Slack message stays.
 */
export function createS3ReportExportStore(options: S3ReportExportStoreOptions): ReportExportStore {
  // The S3 evidence store (and the S3 client's commands it imports) is loaded on the first export.
  const evidence = s3EvidenceStore(options);
  return createReportExportStore(evidence, s3Link(options, `s3://${options.bucket}/`));
}

/**
 * Policy files at `s3://<bucket>/audits/<cluster>/<timestamp>/policies/<engine>-<mode>-<digest>/policies.yaml`,
 * linked in the S3 console like the exports (the reader signs in with their own AWS access).
 */
export function createS3PolicyFileStore(options: S3ReportExportStoreOptions): PolicyFileStore {
  const evidence = s3EvidenceStore(options);
  const prefix = `s3://${options.bucket}/`;
  return createPolicyFileStore(evidence, (bundleId) => `${prefix}${bundleId}/`, s3Link(options, prefix));
}

function s3EvidenceStore(options: S3ReportExportStoreOptions): EvidenceStore {
  return lazyEvidenceStore(async () => {
    const [{ createS3EvidenceStore }, client] = await Promise.all([
      import('./s3.ts'),
      typeof options.client === 'function' ? options.client() : options.client,
    ]);
    return createS3EvidenceStore({
      client,
      bucket: options.bucket,
      ...(options.kmsKeyId === undefined ? {} : { kmsKeyId: options.kmsKeyId }),
    });
  });
}

function s3Link(options: S3ReportExportStoreOptions, prefix: string) {
  return (location: string, file: string) => {
    if (!location.startsWith(prefix)) {
      throw new KubeguardError(
        'INTERNAL',
        `the S3 evidence store answered location ${location}, not under ${prefix}`,
      );
    }
    return s3ConsoleObjectUrl(options.bucket, `${location.slice(prefix.length)}${file}`, options.region);
  };
}

/** The S3 console page of one object (commercial partition). */
export function s3ConsoleObjectUrl(bucket: string, key: string, region: string): string {
  return `https://${encodeURIComponent(region)}.console.aws.amazon.com/s3/object/${encodeURIComponent(bucket)}?region=${encodeURIComponent(region)}&bucketType=general&prefix=${encodeURIComponent(key)}`;
}

/**
 * The report export store the environment names: the S3 bucket KUBEGUARD_EVIDENCE_BUCKET (deployed),
 * else the directory KUBEGUARD_EVIDENCE_DIR (local runs). Throws ConfigError when neither is set.
 */
export function createReportExportStoreFromEnv(environment: FunctionEnvironment): ReportExportStore {
  const where = evidenceFromEnv(environment);
  return where.type === 's3'
    ? createS3ReportExportStore(where.options)
    : createLocalReportExportStore(where.root);
}

/** The policy file store beside the report exports the environment names (createReportExportStoreFromEnv). */
export function createPolicyFileStoreFromEnv(environment: FunctionEnvironment): PolicyFileStore {
  const where = evidenceFromEnv(environment);
  return where.type === 's3'
    ? createS3PolicyFileStore(where.options)
    : createLocalPolicyFileStore(where.root);
}

function evidenceFromEnv(
  environment: FunctionEnvironment,
): { type: 's3'; options: S3ReportExportStoreOptions } | { type: 'local'; root: string } {
  if (environment.evidenceBucket !== undefined) {
    if (environment.region === undefined) {
      throw new ConfigError(
        'AWS_REGION is not set; Lambda sets it — set it for local runs that use KUBEGUARD_EVIDENCE_BUCKET',
      );
    }
    const region = environment.region;
    return {
      type: 's3',
      options: {
        client: async () => {
          const { S3Client } = await import('@aws-sdk/client-s3');
          return tracedAwsClient(new S3Client({ region }));
        },
        bucket: environment.evidenceBucket,
        region,
      },
    };
  }
  if (environment.evidenceDirectory !== undefined)
    return { type: 'local', root: environment.evidenceDirectory };
  throw new ConfigError(
    'neither KUBEGUARD_EVIDENCE_BUCKET nor KUBEGUARD_EVIDENCE_DIR is set; the CDK app sets the bucket — set a directory for local runs',
  );
}
