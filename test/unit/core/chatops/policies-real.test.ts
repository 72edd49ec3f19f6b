import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createLocalPolicyFileStore,
  createLocalReportExportStore,
} from '#adapters/evidence/report-exports.ts';
import { createLocalAuditReportReader } from '#adapters/evidence/report-reader.ts';
import { InMemoryAuditTrail } from '#adapters/local/in-memory-audit-trail.ts';
import { InMemoryClaimStore } from '#adapters/local/in-memory-claims.ts';
import type { AuditWorkerPorts } from '#core/chatops/audit-ports.ts';
import { runQueuedRequest, type WorkerDeps } from '#core/chatops/worker.ts';
import { parseConfig } from '#core/config/schema.ts';
import { generatePolicies } from '#core/policy-as-code/generate.ts';
import { runAudit } from '#core/posture/engine.ts';
import { policiesOffered } from '#core/posture/policy-offer.ts';
import { renderReportExports, reportExportId } from '#core/posture/report-exports.ts';
import { validateBlockKitMessage } from '#core/slack-views/blocks.ts';
import { buildPolicyResultMessage } from '#core/slack-views/policy-result.ts';
import { FakeMessenger } from '#test/support/fake-messenger.ts';
import { InMemoryFindingStore } from '#test/support/in-memory-finding-store.ts';
import { corpusSnapshot } from '../posture/support.ts';

/**
 * The `policies` request with the real generator (core/policy-as-code/generate.ts) on a report the
 * posture engine made from corpus manifests and stored as evidence: the reply is the generator's own
 * output laid out, the stored file is its YAML byte for byte.
 */

const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-policies-real-'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

const config = parseConfig({
  clusters: [{ name: 'prod-eu', region: 'eu-west-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
  authorization: { grants: [{ role: 'viewer', users: ['U0VIEWER'] }] },
});
const NOW = '2026-12-03T10:00:00.000Z';

describe('Generate policies with the real generator', () => {
  it('offers the button for a report with Pod Security failures, stores the generated YAML and posts its policies', async () => {
    const report = { ...runAudit(corpusSnapshot('m08.yaml', 'm18.yaml', 'm22.yaml')), cluster: 'prod-eu' };
    await createLocalReportExportStore(WORK).putReportExports(
      reportExportId(report),
      renderReportExports(report),
      report.takenAt,
    );
    const stored = await createLocalAuditReportReader(WORK).read(report);
    expect(stored).toBeDefined();
    expect(await policiesOffered(report)).toBe(true);

    const messenger = new FakeMessenger();
    const audit: AuditWorkerPorts = {
      runner: { collect: () => Promise.reject(new Error('no audits here')) },
      history: {} as AuditWorkerPorts['history'],
      exports: createLocalReportExportStore(WORK),
      reports: createLocalAuditReportReader(WORK),
      claims: new InMemoryClaimStore(),
      views: { update: async () => {} },
      policies: createLocalPolicyFileStore(WORK),
    };
    const deps: WorkerDeps = {
      config,
      findings: new InMemoryFindingStore(),
      trail: new InMemoryAuditTrail(),
      replies: { reply: async () => {} },
      delivery: { nudge: async () => {} },
      messenger,
      clock: () => NOW,
      log: { info: () => {}, warn: () => {}, error: () => {} },
      audit,
    };
    const ref = `prod-eu/${report.takenAt}`;

    await runQueuedRequest(
      {
        v: 1,
        requestId: 'r-00000000000000cc',
        source: 'modal',
        receivedAt: NOW,
        actor: { userId: 'U0VIEWER', groups: [] },
        reply: { channelId: 'C0ALERTS' },
        kind: 'policies',
        args: { ref, engine: 'vap', mode: 'warn', thread: { channel: 'C0ALERTS', ts: '1733220000.000100' } },
      },
      deps,
      { attempt: 1, final: true },
    );

    const generated = generatePolicies(stored ?? report, { engine: 'vap', mode: 'warn' });
    expect(generated.policies.length).toBeGreaterThan(0);
    const [post] = messenger.posts;
    const file =
      /`([^`]+policies\.yaml)`/.exec(JSON.stringify(post?.blocks).replaceAll('\\n', '\n'))?.[1] ?? '';
    expect(readFileSync(file, 'utf8')).toBe(generated.yaml);
    const expected = buildPolicyResultMessage({
      ref,
      engine: 'vap',
      mode: 'warn',
      generated,
      file,
      requestedBy: 'U0VIEWER',
    });
    expect({ text: post?.text, blocks: post?.blocks }).toEqual(expected);
    expect(validateBlockKitMessage(expected)).toEqual([]);
    // Every generated policy is listed by its check id.
    for (const policy of generated.policies)
      expect(JSON.stringify(post?.blocks)).toContain(`*${policy.checkId}*`);
  });
});
