import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFileEvidenceSources,
  createStoredEvidenceSources,
  localReportFiles,
  openDuring,
  trailRanges,
} from '#adapters/evidence/pack-sources.ts';
import { InMemoryAuditTrail } from '#adapters/local/in-memory-audit-trail.ts';
import { auditRecordLine } from '#core/audit-trail/export.ts';
import type { AuditRecord } from '#core/audit-trail/record.ts';
import type { EvidencePeriod } from '#core/evidence-pack/model.ts';
import { listingOf } from '#core/findings/list.ts';
import type { StoredFinding } from '#core/findings/stored-finding.ts';
import { runAudit } from '#core/posture/engine.ts';
import { toJson } from '#core/posture/export/json.ts';
import { type AuditHistoryEntry, historyEntryOf } from '#core/posture/history.ts';
import { reportExportId } from '#core/posture/report-exports.ts';
import { finding } from '#test/support/digest-data.ts';
import { corpusSnapshot } from '#test/unit/core/posture/support.ts';

/** The sources of an evidence pack: the stores (history + stored reports, findings, trail) and export files. */

const Q1: EvidencePeriod = { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kubeguard-pack-sources-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function report(cluster: string, takenAt: string) {
  return { ...runAudit(corpusSnapshot('m08.yaml')), cluster, takenAt };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function record(id: string, at: string): AuditRecord {
  return {
    id: `${id}:request`,
    requestId: id,
    type: 'request',
    at,
    actor: 'U1',
    kind: 'ack',
    source: 'button',
  };
}

const FINDINGS: StoredFinding[] = [
  finding({ fingerprint: 'a1', cluster: 'prod', severity: 'high', firstSeen: '2025-12-01T00:00:00.000Z' }),
  finding({
    fingerprint: 'b2',
    cluster: 'prod',
    severity: 'high',
    firstSeen: '2025-11-01T00:00:00.000Z',
    changes: [['resolved', '2025-12-20T00:00:00.000Z']],
  }),
  finding({
    fingerprint: 'c3',
    cluster: 'prod',
    severity: 'medium',
    firstSeen: '2025-12-01T00:00:00.000Z',
    changes: [['remediated', '2026-01-05T00:00:00.000Z']],
  }),
  finding({ fingerprint: 'd4', cluster: 'prod', severity: 'low', firstSeen: '2026-04-01T00:00:00.000Z' }),
  finding({
    fingerprint: 'e5',
    cluster: 'prod',
    severity: 'low',
    firstSeen: '2026-02-01T00:00:00.000Z',
    changes: [['suppressed', '2026-02-02T00:00:00.000Z', '2026-06-01T00:00:00.000Z']],
  }),
];

describe('the period rules', () => {
  it('keeps a finding open at some point of the period: first seen before its end, not closed before its start', () => {
    expect(FINDINGS.filter((f) => openDuring(f, Q1)).map((f) => f.fingerprint)).toEqual(['a1', 'c3', 'e5']);
  });

  it('cuts a long period into audit-trail queries of at most 366 days', () => {
    expect(trailRanges({ from: '2024-01-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' })).toEqual([
      { from: '2024-01-01T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' },
      { from: '2025-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' },
      { from: '2026-01-02T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' },
    ]);
  });
});

describe('stored evidence sources', () => {
  it('reads the audits of the period from the history, each stored report and its snapshot; findings and the trail of the period', async () => {
    const entries: AuditHistoryEntry[] = [];
    for (const takenAt of [
      '2025-12-31T06:00:00.000Z',
      '2026-01-15T06:00:00.000Z',
      '2026-03-31T06:00:00.000Z',
    ]) {
      const run = report('prod', takenAt);
      const id = reportExportId(run);
      mkdirSync(join(root, id), { recursive: true });
      writeFileSync(join(root, id, 'report.json'), toJson(run));
      if (takenAt.startsWith('2026-01'))
        writeFileSync(join(root, id, 'snapshot.json'), '{"kind":"List","items":[]}');
      entries.push(historyEntryOf(run, id));
    }
    entries.push({ ...historyEntryOf(report('prod', '2026-02-01T06:00:00.000Z')) }); // exports not stored
    const trail = new InMemoryAuditTrail();
    for (const [id, at] of [
      ['r0', '2024-12-31T23:59:59.999Z'],
      ['r1', '2025-01-01T00:00:00.000Z'],
      ['r2', '2026-02-01T00:00:00.000Z'],
      ['r3', '2026-03-01T00:00:00.000Z'],
    ] as const) {
      await trail.append(record(id, at));
    }
    const sources = createStoredEvidenceSources({
      clusters: () => ['prod', 'staging'],
      history: {
        put: async () => {},
        latest: async (cluster) => entries.filter((e) => e.cluster === cluster),
      },
      reports: localReportFiles(root),
      findings: { listFindings: async (query) => listingOf(FINDINGS, query) },
      trail,
    });

    const runs = await collect(sources.postureRuns('prod', Q1));
    expect(runs.map((run) => [run.report.takenAt, run.snapshot])).toEqual([
      ['2026-01-15T06:00:00.000Z', { kind: 'List', items: [] }],
      ['2026-03-31T06:00:00.000Z', undefined],
    ]);
    expect(await sources.clusters()).toEqual(['prod', 'staging']);
    expect((await collect(sources.findings(Q1))).map((f) => f.fingerprint)).toEqual(['a1', 'c3', 'e5']);
    const twoYears = { from: '2025-01-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' };
    expect((await collect(sources.auditRecords(twoYears))).map((r) => r.requestId)).toEqual(['r1', 'r2']);
  });

  it('says so instead of cutting the findings short', async () => {
    const sources = createStoredEvidenceSources({
      clusters: () => [],
      history: { put: async () => {}, latest: async () => [] },
      reports: localReportFiles(root),
      findings: { listFindings: async (query) => listingOf(FINDINGS, query) },
      trail: new InMemoryAuditTrail(),
      maxFindings: 2,
    });
    await expect(collect(sources.findings(Q1))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});

describe('file evidence sources', () => {
  it('reads report files and folders (snapshots beside them), a findings export and an audit-trail export', async () => {
    const stored = join(root, 'audits');
    const a = report('prod', '2026-02-01T06:00:00.000Z');
    mkdirSync(join(root, reportExportId(a)), { recursive: true });
    writeFileSync(join(root, reportExportId(a), 'report.json'), toJson(a));
    writeFileSync(join(root, reportExportId(a), 'snapshot.json'), '{"a":1}');
    writeFileSync(join(root, reportExportId(a), 'manifest.json'), '{"files":[]}');
    const b = join(root, 'staging-march.json');
    writeFileSync(b, toJson(report('staging', '2026-03-01T06:00:00.000Z')));
    writeFileSync(join(root, 'staging-march.snapshot.json'), '{"b":2}');
    const outside = join(root, 'old.json');
    writeFileSync(outside, toJson(report('prod', '2025-06-01T06:00:00.000Z')));
    const findings = join(root, 'findings.jsonl');
    writeFileSync(findings, FINDINGS.map((f) => JSON.stringify(f)).join('\n'));
    const scan = join(root, 'scan.json');
    writeFileSync(
      scan,
      JSON.stringify({
        Items: [
          {
            pk: { S: 'FINDING#a1' },
            sk: { S: 'FINDING' },
            body: { S: JSON.stringify(FINDINGS[0]) },
            version: { N: '3' },
          },
          { pk: { S: 'FINDING#a1' }, sk: { S: 'OCC#e1' } },
        ],
        Count: 2,
      }),
    );
    const trail = join(root, 'trail.jsonl');
    writeFileSync(
      trail,
      `${auditRecordLine(record('r1', '2026-01-02T00:00:00.000Z'))}\n${auditRecordLine(record('r0', '2025-12-02T00:00:00.000Z'))}\n`,
    );

    const sources = createFileEvidenceSources({ reports: [stored, b, outside], findings, auditTrail: trail });

    expect(await sources.clusters()).toEqual(['prod', 'staging']);
    expect(
      (await collect(sources.postureRuns('prod', Q1))).map((r) => [r.report.takenAt, r.snapshot]),
    ).toEqual([['2026-02-01T06:00:00.000Z', { a: 1 }]]);
    expect((await collect(sources.postureRuns('staging', Q1))).map((r) => r.snapshot)).toEqual([{ b: 2 }]);
    expect((await collect(sources.findings(Q1))).map((f) => f.fingerprint)).toEqual(['a1', 'c3', 'e5']);
    expect((await collect(sources.auditRecords(Q1))).map((r) => r.requestId)).toEqual(['r1']);
    const fromScan = await collect(createFileEvidenceSources({ reports: [], findings: scan }).findings(Q1));
    expect(fromScan.map((f) => [f.fingerprint, f.version])).toEqual([['a1', 3]]);
    const trailScan = join(root, 'trail-scan.json');
    const body = { S: JSON.stringify(record('r1', '2026-01-02T00:00:00.000Z')) };
    writeFileSync(
      trailScan,
      JSON.stringify({
        Items: [
          { pk: { S: 'AUDIT#r1:request' }, sk: { S: 'RECORD' }, type: { S: 'AUDIT_RECORD' }, body },
          { pk: { S: 'AUDITDAY#2026-01-02' }, sk: { S: '2026-01-02T00:00:00.000Z#r1:request' }, body },
        ],
      }),
    );
    const fromTrailScan = await collect(
      createFileEvidenceSources({ reports: [], auditTrail: trailScan }).auditRecords(Q1),
    );
    expect(fromTrailScan.map((r) => r.id)).toEqual(['r1:request']);
  });

  it('names a file that is not a report', async () => {
    const wrong = join(root, 'wrong.json');
    writeFileSync(wrong, '{"hello":"world"}');
    await expect(createFileEvidenceSources({ reports: [wrong] }).clusters()).rejects.toThrow(
      /is not an audit report/,
    );
  });
});
