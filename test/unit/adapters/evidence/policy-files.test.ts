import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalPolicyFileStore, createS3PolicyFileStore } from '#adapters/evidence/report-exports.ts';
import { type PolicyFile, policyFileId } from '#core/posture/report-exports.ts';
import { sha256Hex } from '#core/remediation/forensics.ts';

/** Generated policy files ("Generate policies"): beside the report's exports, content-addressed, written once. */

const REPORT_ID = 'audits/prod-eu/20261203T060000.000Z';
const FILE: PolicyFile = {
  engine: 'vap',
  mode: 'warn',
  yaml: 'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n',
};
const DIGEST = sha256Hex(FILE.yaml).slice(0, 12);
const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-policy-files-'));

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('policyFileId', () => {
  it('is <report id>/policies/<engine>-<mode>-<first 12 hex of the SHA-256>', () => {
    expect(policyFileId(REPORT_ID, FILE, sha256Hex(FILE.yaml))).toBe(
      `${REPORT_ID}/policies/vap-warn-${DIGEST}`,
    );
  });

  it('keeps hostile engine and mode words inside one path segment', () => {
    expect(policyFileId(REPORT_ID, { ...FILE, engine: '../..', mode: 'a/b' }, 'f'.repeat(64))).toBe(
      `${REPORT_ID}/policies/------a-b-ffffffffffff`,
    );
  });
});

describe('local policy file store', () => {
  it('writes policies.yaml with a manifest beside the report and returns its path', async () => {
    const path = await createLocalPolicyFileStore(WORK).putPolicyFile(
      REPORT_ID,
      FILE,
      '2026-12-03T07:00:00Z',
    );

    expect(path).toBe(join(WORK, `${REPORT_ID}/policies/vap-warn-${DIGEST}`, 'policies.yaml'));
    expect(readFileSync(path, 'utf8')).toBe(FILE.yaml);
    const manifest = JSON.parse(readFileSync(join(path, '..', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      target: { kind: 'GeneratedAdmissionPolicies' },
      capturedAt: '2026-12-03T07:00:00Z',
      capturedBy: 'kubeguard policy generation (vap, warn)',
      files: [{ path: 'policies.yaml', sha256: sha256Hex(FILE.yaml) }],
    });
  });

  it('links the stored file when the same YAML is stored again, and stores different YAML apart', async () => {
    const store = createLocalPolicyFileStore(WORK);
    const first = await store.putPolicyFile(REPORT_ID, { ...FILE, mode: 'deny' }, '2026-12-03T07:00:00Z');

    expect(await store.putPolicyFile(REPORT_ID, { ...FILE, mode: 'deny' }, '2026-12-03T07:05:00Z')).toBe(
      first,
    );
    const other = await store.putPolicyFile(
      REPORT_ID,
      { ...FILE, mode: 'deny', yaml: `${FILE.yaml}# changed\n` },
      '2026-12-03T07:05:00Z',
    );
    expect(other).not.toBe(first);
    expect(readFileSync(first, 'utf8')).toBe(FILE.yaml);
  });
});

describe('S3 policy file store', () => {
  const s3 = mockClient(S3Client);
  const BUCKET = 'kubeguard-evidence-123456789012';
  const store = () =>
    createS3PolicyFileStore({
      client: new S3Client({ region: 'eu-west-1' }),
      bucket: BUCKET,
      region: 'eu-west-1',
    });
  const key = `${REPORT_ID}/policies/vap-warn-${DIGEST}/policies.yaml`;
  const link = `https://eu-west-1.console.aws.amazon.com/s3/object/${BUCKET}?region=eu-west-1&bucketType=general&prefix=${encodeURIComponent(key)}`;

  beforeEach(() => {
    s3.reset();
  });

  it('puts policies.yaml then its manifest under the report, encrypted, written once, linked in the console', async () => {
    s3.on(PutObjectCommand).callsFake((input: { ChecksumSHA256: string }) => ({
      ChecksumSHA256: input.ChecksumSHA256,
    }));

    expect(await store().putPolicyFile(REPORT_ID, FILE, '2026-12-03T07:00:00Z')).toBe(link);
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => put.Key)).toEqual([key, key.replace('policies.yaml', 'manifest.json')]);
    expect(puts[0]).toMatchObject({
      Bucket: BUCKET,
      Body: FILE.yaml,
      ContentType: 'text/plain; charset=utf-8',
      ServerSideEncryption: 'AES256',
      IfNoneMatch: '*',
    });
  });

  it('links the stored object when S3 says the same file already exists (412)', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      }),
    );

    expect(await store().putPolicyFile(REPORT_ID, FILE, '2026-12-03T07:00:00Z')).toBe(link);
  });

  it('fails as the evidence store does for anything else (403: the role lacks s3:PutObject)', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'Access Denied',
      }),
    );

    await expect(store().putPolicyFile(REPORT_ID, FILE, '2026-12-03T07:00:00Z')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
