import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { AuditReportLocation, AuditReportReader } from '#core/chatops/audit-ports.ts';
import { KubeguardError } from '#core/errors.ts';
import { REPORT_EXPORT_FILES, reportExportId } from '#core/posture/report-exports.ts';
import { parseStoredReport } from '#core/posture/stored-report.ts';
import type { FunctionEnvironment } from '../config/env.ts';

/**
 * Reads an audit report back from its JSON evidence export (report-exports.ts wrote it), by the
 * cluster and time its reference names: "Show details" carries that reference, never report data.
 */

/** `<root>/audits/<cluster>/<time>/report.json`, as createLocalReportExportStore writes it. */
export function createLocalAuditReportReader(root: string): AuditReportReader {
  return {
    async read(location: AuditReportLocation) {
      const path = join(resolve(root), reportExportId(location), REPORT_EXPORT_FILES.json);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new KubeguardError('UPSTREAM', `cannot read the stored report ${path}`, { cause: error });
      }
      return parseStoredReport(text, path);
    },
  };
}

/** `s3://<bucket>/audits/<cluster>/<time>/report.json`, as createS3ReportExportStore writes it. */
export function createS3AuditReportReader(options: { client: S3Client; bucket: string }): AuditReportReader {
  return {
    async read(location: AuditReportLocation) {
      const key = `${reportExportId(location)}/${REPORT_EXPORT_FILES.json}`;
      let text: string;
      try {
        const answer = await options.client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
        text = (await answer.Body?.transformToString('utf-8')) ?? '';
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw new KubeguardError('UPSTREAM', `cannot read the stored report s3://${options.bucket}/${key}`, {
          cause: error,
        });
      }
      return parseStoredReport(text, `s3://${options.bucket}/${key}`);
    },
  };
}

/** The reader of wherever the environment's report exports go (createReportExportStoreFromEnv). */
export function createAuditReportReaderFromEnv(
  environment: FunctionEnvironment,
  client: () => S3Client,
): AuditReportReader | undefined {
  if (environment.evidenceBucket !== undefined) {
    return createS3AuditReportReader({ client: client(), bucket: environment.evidenceBucket });
  }
  if (environment.evidenceDirectory !== undefined)
    return createLocalAuditReportReader(environment.evidenceDirectory);
  return undefined;
}
