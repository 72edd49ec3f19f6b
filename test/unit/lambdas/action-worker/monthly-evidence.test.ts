import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalEvidencePackStore } from '../../../../adapters/evidence/pack-store.ts';
import { InMemoryAuditTrail } from '../../../../adapters/local/in-memory-audit-trail.ts';
import { MONTHLY_EVIDENCE_EVENT } from '../../../../core/chatops/evidence-ports.ts';
import type { WorkerDeps } from '../../../../core/chatops/worker.ts';
import { parseConfig } from '../../../../core/config/schema.ts';
import { KubeguardError } from '../../../../core/errors.ts';
import type { EvidencePackRequest } from '../../../../core/evidence-pack/model.ts';
import { createActionWorkerHandler } from '../../../../lambdas/action-worker/handler.ts';
import { FakeMessenger } from '../../../support/fake-messenger.ts';
import { InMemoryFindingStore } from '../../../support/in-memory-finding-store.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function setup(evidence: Record<string, unknown>, failStore = false) {
  const root = mkdtempSync(join(tmpdir(), 'kubeguard-monthly-pack-'));
  roots.push(root);
  // The real builder, archive and local store: the schedule handler on the real pieces.
  const local = createLocalEvidencePackStore(root);
  const built: EvidencePackRequest[] = [];
  const logs: { level: string; message: string }[] = [];
  const messenger = new FakeMessenger();
  const worker: WorkerDeps = {
    config: parseConfig({
      clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
      slack: { defaultChannel: 'C0ALERTS' },
      evidence,
    }),
    findings: new InMemoryFindingStore(),
    trail: new InMemoryAuditTrail(),
    replies: { reply: async () => {} },
    delivery: { nudge: async () => {} },
    messenger,
    clock: () => '2027-01-01T06:00:00.000Z',
    log: { info: () => {}, warn: () => {}, error: () => {} },
    evidence: {
      sources: {
        clusters: async () => ['prod-cluster'],
        postureRuns: async function* () {},
        findings: async function* () {},
        auditRecords: async function* () {},
      },
      store: {
        write: async (request, sources) => {
          built.push(request);
          if (failStore) throw new KubeguardError('UPSTREAM', 'S3 did not answer');
          return local.write(request, sources);
        },
      },
    },
  };
  const logger = {
    info: (message: string) => logs.push({ level: 'info', message }),
    warn: (message: string) => logs.push({ level: 'warn', message }),
    error: (message: string) => logs.push({ level: 'error', message }),
  };
  return { handler: createActionWorkerHandler({ logger, worker }), built, logs, messenger, root };
}

describe('the action worker on the monthly evidence schedule', () => {
  it('builds last month’s pack of every cluster and posts it to evidence.channel', async () => {
    const { handler, built, logs, messenger, root } = setup({ schedule: true, channel: 'C0COMPLY' });

    expect(await handler({ ...MONTHLY_EVIDENCE_EVENT })).toEqual({ batchItemFailures: [] });
    expect(readdirSync(root).filter((name) => name.endsWith('.tar.gz'))).toHaveLength(1);

    expect(built).toMatchObject([
      {
        clusters: ['prod-cluster'],
        period: { from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' },
        requestedBy: 'schedule',
      },
    ]);
    expect(messenger.posts).toHaveLength(1);
    expect(messenger.posts[0]).toMatchObject({ channel: 'C0COMPLY' });
    // The real builder's summaries give every framework its line.
    const text = JSON.stringify(messenger.posts[0]);
    for (const name of ['SOC 2', 'PCI DSS v4.0', 'ISO/IEC 27001:2022']) expect(text).toContain(name);
    expect(logs).toContainEqual({ level: 'info', message: 'monthly evidence pack done' });
  });

  it('does nothing when the schedule is off', async () => {
    const { handler, built, messenger } = setup({});

    expect(await handler({ ...MONTHLY_EVIDENCE_EVENT })).toEqual({ batchItemFailures: [] });
    expect(built).toEqual([]);
    expect(messenger.posts).toEqual([]);
  });

  it('logs and throws a failure, so the invocation counts as an error', async () => {
    const { handler, logs, messenger } = setup({ schedule: true, channel: 'C0COMPLY' }, true);

    await expect(handler({ ...MONTHLY_EVIDENCE_EVENT })).rejects.toThrow('S3 did not answer');
    expect(logs).toContainEqual({ level: 'error', message: 'monthly evidence pack failed' });
    expect(messenger.posts).toEqual([]);
  });
});
