import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalReportExportStore,
  createS3ReportExportStore,
} from '#adapters/evidence/report-exports.ts';
import { runAudit } from '#core/posture/engine.ts';
import { renderReportExports, reportExportId } from '#core/posture/report-exports.ts';
import { sha256Hex } from '#core/remediation/forensics.ts';
import { corpusSnapshot } from '#test/unit/core/posture/support.ts';

/** Audit report exports stored through the forensic evidence stores. */

const REPORT = { ...runAudit(corpusSnapshot('m08.yaml', 'm18.yaml')), cluster: 'prod-eu' };
const EXPORTS = renderReportExports(REPORT);
const ID = reportExportId(REPORT);
const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-report-exports-'));

afterAll(() => {
  rmSync(WORK, { recursive: true, force: true });
});

describe('reportExportId', () => {
  it('is audits/<cluster>/<takenAt in ISO basic format>', () => {
    expect(reportExportId({ cluster: 'prod-eu', takenAt: '2026-03-02T06:00:00.000Z' })).toBe(
      'audits/prod-eu/20260302T060000.000Z',
    );
  });

  it('keeps a hostile cluster label inside one path segment', () => {
    expect(reportExportId({ cluster: '../../etc/passwd', takenAt: '2026-03-02T06:00:00Z' })).toBe(
      'audits/--..-etc-passwd/20260302T060000Z',
    );
  });
});

describe('local report export store', () => {
  it('writes report.json, report.md and report.csv with a manifest, and links to the files', async () => {
    const links = await createLocalReportExportStore(WORK).putReportExports(ID, EXPORTS, REPORT.takenAt);

    expect(links.json).toBe(join(WORK, ID, 'report.json'));
    expect(readFileSync(links.json, 'utf8')).toBe(EXPORTS.json);
    expect(readFileSync(links.markdown, 'utf8')).toBe(EXPORTS.markdown);
    expect(readFileSync(links.csv, 'utf8')).toBe(EXPORTS.csv);
    const manifest = JSON.parse(readFileSync(join(WORK, ID, 'manifest.json'), 'utf8'));
    expect(manifest.files).toContainEqual(
      expect.objectContaining({ path: 'report.csv', sha256: sha256Hex(EXPORTS.csv) }),
    );
  });

  it('never overwrites a stored report', async () => {
    const store = createLocalReportExportStore(WORK);
    const id = reportExportId({ cluster: 'prod-eu', takenAt: '2026-03-03T06:00:00Z' });
    await store.putReportExports(id, EXPORTS, REPORT.takenAt);

    await expect(store.putReportExports(id, EXPORTS, REPORT.takenAt)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });
});

describe('S3 report export store', () => {
  const s3 = mockClient(S3Client);
  const BUCKET = 'kubeguard-evidence-123456789012';

  beforeEach(() => {
    s3.reset();
    s3.on(PutObjectCommand).callsFake((input: { ChecksumSHA256: string }) => ({
      ChecksumSHA256: input.ChecksumSHA256,
    }));
  });

  function store(kmsKeyId?: string) {
    return createS3ReportExportStore({
      client: new S3Client({ region: 'eu-west-1' }),
      bucket: BUCKET,
      region: 'eu-west-1',
      ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
    });
  }

  it('puts audits/<cluster>/<timestamp>/report.{json,md,csv}, encrypted, typed and written once', async () => {
    await store().putReportExports(ID, EXPORTS, REPORT.takenAt);

    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => put.Key)).toEqual([
      `${ID}/report.json`,
      `${ID}/report.md`,
      `${ID}/report.csv`,
      `${ID}/manifest.json`,
    ]);
    expect(puts[0]).toMatchObject({
      Bucket: BUCKET,
      Body: EXPORTS.json,
      ContentType: 'application/json; charset=utf-8',
      ServerSideEncryption: 'AES256',
      IfNoneMatch: '*',
    });
    expect(puts[2]).toMatchObject({ Body: EXPORTS.csv, ContentType: 'text/plain; charset=utf-8' });
  });

  it('uses SSE-KMS when a key is configured', async () => {
    await store('alias/kubeguard-evidence').putReportExports(ID, EXPORTS, REPORT.takenAt);

    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/kubeguard-evidence' });
  });

  it('links each export to its object in the S3 console', async () => {
    const links = await store().putReportExports(ID, EXPORTS, REPORT.takenAt);

    expect(links.markdown).toBe(
      `https://eu-west-1.console.aws.amazon.com/s3/object/${BUCKET}?region=eu-west-1&bucketType=general&prefix=${encodeURIComponent(`${ID}/report.md`)}`,
    );
  });
});
