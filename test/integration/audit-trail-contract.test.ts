import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditTrailStore } from '../../adapters/aws/audit-trail-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { InMemoryAuditTrail } from '../../adapters/local/in-memory-audit-trail.ts';
import { exportAuditTrail } from '../../core/audit-trail/export.ts';
import type { AuditTrailStore } from '../../core/audit-trail/ports.ts';
import type { AuditRecord } from '../../core/audit-trail/record.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';

let db: Dynalite;
let tables = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

const kinds: { name: string; create(): Promise<AuditTrailStore> }[] = [
  { name: 'in-memory audit trail', create: async () => new InMemoryAuditTrail() },
  {
    name: 'DynamoDB audit trail (dynalite)',
    create: async () => {
      tables += 1;
      const tableName = `audit-${tables}`;
      await db.createTable(findingsTableDefinition(tableName));
      return new DynamoAuditTrailStore({ client: db.documentClient, tableName });
    },
  },
];

const FP = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OTHER = 'ffffffffffffffffffffffffffffffff';

function record(
  requestId: string,
  type: AuditRecord['type'],
  at: string,
  extra: Partial<AuditRecord> = {},
): AuditRecord {
  return {
    id: `${requestId}:${type}`,
    requestId,
    type,
    at,
    actor: 'U0RESPONDER',
    team: 'T111',
    kind: 'ack',
    source: 'button',
    ...extra,
  };
}

describe.each(kinds)('AuditTrailStore contract: $name', (kind) => {
  it('lists a finding’s records oldest first, and only its own', async () => {
    const trail = await kind.create();
    await trail.append(
      record('r-0000000000000002', 'outcome', '2026-12-03T10:00:02.000Z', { finding: FP, result: 'done' }),
    );
    await trail.append(
      record('r-0000000000000002', 'request', '2026-12-03T10:00:00.000Z', {
        finding: FP,
        result: 'accepted',
      }),
    );
    await trail.append(
      record('r-0000000000000003', 'request', '2026-12-03T10:00:01.000Z', { finding: OTHER }),
    );
    await trail.append(record('r-0000000000000004', 'request', '2026-12-03T10:00:01.500Z', { kind: 'help' }));

    const records = await trail.byFinding(FP);

    expect(records.map((r) => r.id)).toEqual(['r-0000000000000002:request', 'r-0000000000000002:outcome']);
    expect(records[1]).toEqual(
      record('r-0000000000000002', 'outcome', '2026-12-03T10:00:02.000Z', { finding: FP, result: 'done' }),
    );
  });

  it('keeps the first write of a record id: a retried write, even at a later time, adds nothing', async () => {
    const trail = await kind.create();
    await trail.append(
      record('r-00000000000000a1', 'action', '2026-12-03T10:00:00.000Z', {
        finding: FP,
        plan: 'open → acknowledged',
      }),
    );

    await trail.append(
      record('r-00000000000000a1', 'action', '2026-12-03T10:05:00.000Z', {
        finding: FP,
        plan: 'open → acknowledged',
      }),
    );

    expect(await trail.byFinding(FP)).toEqual([
      record('r-00000000000000a1', 'action', '2026-12-03T10:00:00.000Z', {
        finding: FP,
        plan: 'open → acknowledged',
      }),
    ]);
    const page = await trail.byTime({ from: '2026-12-03T00:00:00Z', to: '2026-12-04T00:00:00Z' });
    expect(page.records.map((r) => r.at)).toEqual(['2026-12-03T10:00:00.000Z']);
  });

  it('lists a time range across days, oldest first, page by page, the end exclusive', async () => {
    const trail = await kind.create();
    const times = [
      '2026-12-01T23:59:59.000Z',
      '2026-12-02T00:00:00.000Z',
      '2026-12-02T08:00:00.000Z',
      '2026-12-03T09:00:00.000Z',
      '2026-12-03T09:00:00.000Z',
      '2026-12-04T00:00:00.000Z',
    ];
    for (const [index, at] of times.entries()) {
      await trail.append(record(`r-${String(index).padStart(16, '0')}`, 'request', at));
    }

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await trail.byTime({
        from: '2026-12-02T00:00:00Z',
        to: '2026-12-04T00:00:00Z',
        limit: 2,
        ...(cursor === undefined ? {} : { cursor }),
      });
      pages.push(page.records.map((r) => r.requestId));
      cursor = page.cursor;
    } while (cursor !== undefined);

    expect(pages).toEqual([
      ['r-0000000000000001', 'r-0000000000000002'],
      ['r-0000000000000003', 'r-0000000000000004'],
    ]);
  });

  it('exports a range as JSON Lines, fields in a fixed order', async () => {
    const trail = await kind.create();
    await trail.append(
      record('r-00000000000000b2', 'denial', '2026-12-03T10:00:00.000Z', {
        result: 'denied',
        role: 'responder',
        cluster: 'prod-cluster',
        detail: 'needs the responder role on prod-cluster to acknowledge findings',
      }),
    );
    await trail.append(
      record('r-00000000000000b3', 'request', '2026-12-03T11:00:00.000Z', {
        kind: 'help',
        source: 'command',
        result: 'answered',
      }),
    );

    let text = '';
    for await (const chunk of exportAuditTrail(
      trail,
      { from: '2026-12-03T00:00:00Z', to: '2026-12-04T00:00:00Z' },
      1,
    )) {
      text += chunk;
    }

    expect(text).toBe(
      '{"at":"2026-12-03T10:00:00.000Z","id":"r-00000000000000b2:denial","requestId":"r-00000000000000b2","type":"denial","actor":"U0RESPONDER","team":"T111","kind":"ack","source":"button","cluster":"prod-cluster","result":"denied","detail":"needs the responder role on prod-cluster to acknowledge findings","role":"responder"}\n' +
        '{"at":"2026-12-03T11:00:00.000Z","id":"r-00000000000000b3:request","requestId":"r-00000000000000b3","type":"request","actor":"U0RESPONDER","team":"T111","kind":"help","source":"command","result":"answered"}\n',
    );
  });

  it('refuses a range of more than 366 days or one that ends before it starts', async () => {
    const trail = await kind.create();

    await expect(
      trail.byTime({ from: '2025-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message:
        'audit trail: ask for a range of at most 366 days, from before to; received 2025-01-01T00:00:00Z to 2026-01-03T00:00:00Z — export longer periods in pieces',
    });
    await expect(
      trail.byTime({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('refuses a cursor it did not issue', async () => {
    const trail = await kind.create();

    await expect(
      trail.byTime({ from: '2026-12-03T00:00:00Z', to: '2026-12-04T00:00:00Z', cursor: 'bm90LWEtY3Vyc29y' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
