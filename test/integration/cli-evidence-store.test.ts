import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditHistoryStore } from '../../adapters/aws/audit-history-store.ts';
import { DynamoAuditTrailStore } from '../../adapters/aws/audit-trail-store.ts';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { createLocalReportExportStore } from '../../adapters/evidence/report-exports.ts';
import { auditRecordLine } from '../../core/audit-trail/export.ts';
import { snapshotFromManifests } from '../../core/posture/manifest-snapshot.ts';
import { auditAndStore } from '../../core/posture/scheduled-audit.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import {
  evidenceCli,
  extractPack,
  jsonLines,
  QUARTER_FINDINGS,
  QUARTER_TRAIL,
  verifyPrintedPack,
  workloadWithSecret,
} from '../support/evidence-cli.ts';

/**
 * `kubeguard evidence --store` as an operator runs it: the CLI spawned against a kubeguard table on
 * dynalite and a local evidence directory, filled the way the deployment fills them — audits stored
 * by the posture audit's own auditAndStore (history entries in the table, report.json and the
 * redacted snapshot.json in the directory), findings saved by the finding store, trail records
 * appended by the trail store — and the archive extracted with the system tar, checked with
 * `sha256sum -c`.
 */

const SENTINEL = 'sentinel-Qm3v-never-in-a-pack';
const TABLE = 'kubeguard-store';
let db: Dynalite;
let work: string;
/** report.json paths (under audits/) stored for each cluster, oldest first. */
const stored: Record<string, string[]> = {};

const cli = (args: string[], env: Record<string, string> = {}) => evidenceCli(work, args, env);

/** The deployed function's variables, the table on dynalite, the reports in ./evidence. */
function deployed(): Record<string, string> {
  return {
    DYNAMODB_ENDPOINT: db.endpoint,
    KUBEGUARD_TABLE_NAME: TABLE,
    KUBEGUARD_EVIDENCE_DIR: 'evidence',
  };
}

function config(clusters: string[]): string {
  return JSON.stringify({
    clusters: clusters.map((name) => ({ name, region: 'eu-west-1' })),
    slack: { defaultChannel: '#kubeguard-alerts' },
  });
}

/**
 * A loopback bucket that serves ./evidence as `s3://<name>/<key>` (path-style GetObject, what the SDK
 * sends to an IP endpoint; AWS_ENDPOINT_URL_S3 points the CLI's client at it), or refuses every read.
 */
async function startBucket(name: string, mode: 'answer' | 'deny') {
  const gets: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const fail = (status: number, code: string) => {
      response.writeHead(status, { 'content-type': 'application/xml' });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
      );
    };
    if (request.method !== 'GET') return fail(405, 'MethodNotAllowed');
    if (mode === 'deny') return fail(403, 'AccessDenied');
    gets.push(path);
    const key = path.slice(`/${name}/`.length);
    const file = join(work, 'evidence', key);
    if (!path.startsWith(`/${name}/`) || key.includes('..') || !existsSync(file))
      return fail(404, 'NoSuchKey');
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    gets,
    env: {
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret-example',
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  db = await startDynalite();
  await db.createTable(findingsTableDefinition(TABLE));
  work = mkdtempSync(join(tmpdir(), 'kubeguard-cli-evidence-store-'));
  writeFileSync(join(work, 'kubeguard.config.json'), config(['prod-eu', 'prod-us']));
  const table = { client: db.documentClient, tableName: TABLE };
  const history = new DynamoAuditHistoryStore(table);
  const exports = createLocalReportExportStore(join(work, 'evidence'));
  const manifests = workloadWithSecret(SENTINEL);
  // A weekly audit from mid-December to mid-April, stored as the posture audit stores it; `retired`
  // is audited too but no longer configured, so `all` leaves it out.
  for (const cluster of ['prod-eu', 'prod-us', 'retired']) {
    stored[cluster] = [];
    for (let day = 0; day < 120; day += 7) {
      const takenAt = new Date(Date.parse('2025-12-15T06:00:00.000Z') + day * 86_400_000).toISOString();
      const audit = await auditAndStore(cluster, {
        collect: async () => snapshotFromManifests(manifests, takenAt, cluster),
        history,
        exports,
      });
      stored[cluster].push(`${audit.reportId}/report.json`);
    }
  }
  const findingStore = new DynamoFindingStore({ ...table, nowSeconds: () => 1_775_000_000 });
  for (const f of QUARTER_FINDINGS) expect(await findingStore.save(f)).toBe(true);
  const trail = new DynamoAuditTrailStore(table);
  for (const record of QUARTER_TRAIL) await trail.append(record);
  // The same records as export files, for the comparison with a pack built from files.
  writeFileSync(join(work, 'findings.jsonl'), QUARTER_FINDINGS.map((f) => JSON.stringify(f)).join('\n'));
  writeFileSync(join(work, 'trail.jsonl'), QUARTER_TRAIL.map((r) => `${auditRecordLine(r)}\n`).join(''));
}, 60_000);

afterAll(async () => {
  await db?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** Weekly audits from 2025-12-15: 2026-01-05 … 2026-03-30 are in the first quarter. */
const inQ1 = (path: string) => {
  const time = /\/(\d{8})T/.exec(path)?.[1] ?? '';
  return time >= '20260101' && time < '20260401';
};

describe('kubeguard evidence --store', () => {
  it('builds the pack of the quarter from the table and the evidence directory: exactly its records, verified by tar and sha256sum -c', async () => {
    const { stdout, stderr } = await cli(
      ['--from', '2026-01-01', '--to', '2026-03-31', '--store', '--output', 'q1.tar.gz'],
      deployed(),
    );

    expect(stderr).toBe('');
    const { root, checked, manifest } = verifyPrintedPack(work, 'q1.tar.gz', stdout);
    expect(checked.trim().split('\n')).toEqual(
      manifest.files
        .map((f: { path: string }) => f.path)
        // SHA256SUMS is listed in the manifest, and cannot list itself.
        .filter((path: string) => path !== 'SHA256SUMS')
        .map((path: string) => `${path}: OK`),
    );
    expect(manifest).toMatchObject({
      period: { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' },
      clusters: ['prod-eu', 'prod-us'],
      requestedBy: 'cli:auditor',
      generatedAt: '2026-04-01T08:00:00.000Z',
    });
    // Every stored audit of the quarter of the configured clusters, none other, each with its snapshot.
    const runs = jsonLines(join(root, 'posture/runs.jsonl'));
    const expected = [...(stored['prod-eu'] ?? []), ...(stored['prod-us'] ?? [])].filter(inQ1);
    expect(expected).toHaveLength(26);
    expect(runs.map((r) => `${r.cluster}@${r.takenAt}`).sort()).toEqual(
      expected
        .map((path) => {
          const [, cluster, time] = /^audits\/([^/]+)\/([^/]+)\//.exec(path) as RegExpExecArray;
          const iso = (time as string).replace(
            /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/,
            '$1-$2-$3T$4:$5:$6',
          );
          return `${cluster}@${iso}`;
        })
        .sort(),
    );
    const reportFiles = manifest.files.filter((f: { path: string }) => f.path.endsWith('/report.json'));
    const snapshotFiles = manifest.files.filter((f: { path: string }) => f.path.endsWith('/snapshot.json'));
    expect(reportFiles).toHaveLength(26);
    expect(snapshotFiles).toHaveLength(26);
    expect(jsonLines(join(root, 'findings.jsonl')).map((f) => f.fingerprint)).toEqual(['f1', 'f2']);
    expect(jsonLines(join(root, 'audit-trail.jsonl')).map((r) => r.id)).toEqual(['r1:request', 'r1:outcome']);
    const withSentinel = (readdirSync(root, { recursive: true }) as string[]).filter((path) => {
      try {
        return readFileSync(join(root, path), 'utf8').includes(SENTINEL);
      } catch {
        return false; // a folder
      }
    });
    expect(withSentinel).toEqual([]);
    expect(stdout).toContain('Evidence pack');
    expect(stdout).toContain('26 posture reports');
    expect(stdout).toContain('sha256sum -c SHA256SUMS');
  }, 60_000);

  it('gives the same bytes as the pack built from export files of the same records, the flags naming the stores', async () => {
    writeFileSync(join(work, 'deployed.json'), config(['prod-eu', 'prod-us', 'retired']));
    const common = [
      '--from',
      '2026-02-01',
      '--to',
      '2026-02-28',
      '--cluster',
      'prod-us',
      '--framework',
      'soc2',
    ];
    // Only the endpoint in the environment: the flags say where the table and the reports are.
    await cli(
      [
        ...common,
        '--store',
        '--table',
        TABLE,
        '--evidence-dir',
        'evidence',
        '--config',
        'deployed.json',
        '--output',
        'store.tar.gz',
      ],
      { DYNAMODB_ENDPOINT: db.endpoint, KUBEGUARD_TABLE_NAME: 'not-this-table' },
    );
    await cli([
      ...common,
      '--reports',
      'evidence/audits',
      '--findings',
      'findings.jsonl',
      '--audit-trail',
      'trail.jsonl',
      '--output',
      'files.tar.gz',
    ]);

    const root = extractPack(work, 'store.tar.gz');
    expect(jsonLines(join(root, 'posture/runs.jsonl')).map((r) => r.cluster)).toEqual([
      'prod-us',
      'prod-us',
      'prod-us',
      'prod-us',
    ]);
    expect(jsonLines(join(root, 'findings.jsonl')).map((f) => f.fingerprint)).toEqual(['f2']);
    expect(readFileSync(join(work, 'store.tar.gz')).equals(readFileSync(join(work, 'files.tar.gz')))).toBe(
      true,
    );
  }, 60_000);

  it('reads the reports from the evidence bucket (GetObject on audits/): the same pack as from the directory', async () => {
    const bucket = await startBucket('kubeguard-evidence-111122223333-eu-west-1', 'answer');
    try {
      const args = ['--from', '2026-01-01', '--to', '2026-03-31', '--store', '--framework', 'pci'];
      const { KUBEGUARD_EVIDENCE_DIR: _dir, ...table } = deployed();
      await cli([...args, '--bucket', bucket.name, '--output', 'bucket.tar.gz'], { ...table, ...bucket.env });
      await cli([...args, '--output', 'dir.tar.gz'], deployed());

      expect(readFileSync(join(work, 'bucket.tar.gz')).equals(readFileSync(join(work, 'dir.tar.gz')))).toBe(
        true,
      );
      // Each audit of the quarter in the history: its report and its snapshot, nothing else.
      const expected = [...(stored['prod-eu'] ?? []), ...(stored['prod-us'] ?? [])]
        .filter(inQ1)
        .flatMap((report) => [report, report.replace(/report\.json$/, 'snapshot.json')]);
      expect(bucket.gets.sort()).toEqual(expected.map((key) => `/${bucket.name}/${key}`).sort());
    } finally {
      await bucket.close();
    }
  }, 60_000);

  it('exits 3 with the refusal and s3:ListBucket among the permissions when the bucket says AccessDenied', async () => {
    const bucket = await startBucket('kubeguard-evidence-111122223333-eu-west-1', 'deny');
    try {
      const { KUBEGUARD_EVIDENCE_DIR: _dir, ...table } = deployed();
      const failure = await cli(
        [
          '--from',
          '2026-01-01',
          '--to',
          '2026-01-31',
          '--store',
          '--bucket',
          bucket.name,
          '--output',
          'denied.tar.gz',
        ],
        { ...table, ...bucket.env },
      ).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );

      expect(failure?.code).toBe(3);
      expect(failure?.stderr).toContain(
        `cannot read s3://${bucket.name}/audits/prod-eu/20260105T060000.000Z/report.json: AccessDenied`,
      );
      expect(failure?.stderr).toContain("s3:GetObject and s3:ListBucket on the evidence bucket's audits/");
      expect(existsSync(join(work, 'denied.tar.gz'))).toBe(false);
    } finally {
      await bucket.close();
    }
  }, 60_000);

  it('refuses --store with export files, missing stores and unknown clusters with exit 2, naming the fix, and writes nothing', async () => {
    const period = ['--from', '2026-01-01', '--to', '2026-01-31'];
    const refused = async (args: string[], env: Record<string, string>, ...messages: string[]) => {
      const failure = await cli([...period, ...args, '--output', 'refused.tar.gz'], env).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(2);
      for (const message of messages) expect(failure?.stderr).toContain(message);
      expect(existsSync(join(work, 'refused.tar.gz'))).toBe(false);
    };
    await refused(
      ['--store', '--reports', 'evidence/audits', '--findings', 'findings.jsonl'],
      deployed(),
      '--store reads the records from the stores; --reports, --findings would give them again from files',
    );
    const { KUBEGUARD_TABLE_NAME: _table, ...noTable } = deployed();
    await refused(
      ['--store'],
      noTable,
      '--store needs the kubeguard table: give --table NAME or set KUBEGUARD_TABLE_NAME',
      "OutputKey=='FindingsTableName'",
    );
    const { KUBEGUARD_EVIDENCE_DIR: _dir, ...noBucket } = deployed();
    await refused(
      ['--store'],
      noBucket,
      '--store needs the evidence bucket, where the reports are: give --bucket NAME or set KUBEGUARD_EVIDENCE_BUCKET',
      "OutputKey=='EvidenceBucketName'",
    );
    await refused(
      ['--store', '--cluster', 'retired'],
      deployed(),
      'unknown cluster "retired"; kubeguard.config.json configures prod-eu, prod-us',
    );
    await refused(['--store', '--config', 'missing.json'], deployed(), 'cannot read --config "missing.json"');
    await refused(
      ['--reports', 'evidence/audits', '--table', TABLE],
      {},
      '--table says where the stores are: it goes with --store',
    );
    await refused(
      ['--store', '--bucket', 'b', '--evidence-dir', 'evidence'],
      deployed(),
      '--bucket and --evidence-dir both say where the reports are',
    );
    // Against AWS (no DYNAMODB_ENDPOINT), the credentials are checked before anything is read.
    const { DYNAMODB_ENDPOINT: _endpoint, ...aws } = deployed();
    await refused(
      ['--store'],
      aws,
      '--store reads the kubeguard table as you: AWS_REGION, AWS_ACCESS_KEY_ID',
    );
  }, 60_000);

  it('exits 3 naming the refusal and the permissions when the table cannot be read, and writes nothing', async () => {
    const failure = await cli(
      [
        '--from',
        '2026-01-01',
        '--to',
        '2026-01-31',
        '--store',
        '--table',
        'no-such-table',
        '--output',
        'gone.tar.gz',
      ],
      deployed(),
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );

    expect(failure?.code).toBe(3);
    expect(failure?.stderr).toContain(
      'audit history: reading the audits of prod-eu failed: ResourceNotFoundException',
    );
    expect(failure?.stderr).toContain(
      'dynamodb:Query, dynamodb:Scan and dynamodb:GetItem on the kubeguard table',
    );
    expect(failure?.stderr).not.toContain('Usage:');
    expect(existsSync(join(work, 'gone.tar.gz'))).toBe(false);
  }, 60_000);
});
