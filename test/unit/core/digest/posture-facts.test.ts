import { describe, expect, it } from 'vitest';
import { InMemoryPostureFacts } from '#adapters/local/digest-stores.ts';
import { GUARDDUTY_CHECKS } from '#core/digest/posture-facts.ts';
import { parseManifests } from '#core/manifests/load.ts';
import type { AuditHistoryEntry } from '#core/posture/history.ts';
import { snapshotFromManifests } from '#core/posture/manifest-snapshot.ts';
import { runScheduledAudit } from '#core/posture/scheduled-audit.ts';
import { readFixtureText } from '#test/support/fixtures.ts';

const TAKEN_AT = '2026-12-07T06:00:00.000Z';
// The real manifests of the Argo Rollouts fixture, with the namespace they live in labelled by owner.
const NAMESPACE =
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n  labels:\n    example.com/team: team-payments\n';

describe('posture facts for the digests, stored by the scheduled audit', () => {
  it('keeps the 5 most severe failures with their namespace owner and every GuardDuty check not passed', async () => {
    const manifests = parseManifests(
      [
        NAMESPACE,
        readFixtureText('kubernetes/argo-rollouts/payments-canary.yaml'),
        readFixtureText('kubernetes/secret-consumers/cluster.yaml'),
      ].join('---\n'),
      'payments.yaml',
    );
    const facts = new InMemoryPostureFacts();
    const history: AuditHistoryEntry[] = [];

    const outcome = await runScheduledAudit('payments-prod', {
      collect: async () => snapshotFromManifests(manifests.objects, TAKEN_AT, 'payments-prod'),
      history: { put: async (entry) => void history.push(entry), latest: async () => [] },
      exports: { putReportExports: async () => ({ json: 'j', markdown: 'm', csv: 'c' }) },
      messenger: { postMessage: async () => ({ channel: 'C0SEC', ts: '1.1' }) },
      channel: 'C0SEC',
      facts: { store: facts, ownerLabel: 'example.com/team' },
    });

    const stored = await facts.latest('payments-prod');
    expect(stored?.takenAt).toBe(outcome.takenAt);
    expect(
      stored?.risks.map((risk) => [
        risk.checkId,
        risk.severity,
        risk.object.namespace,
        risk.object.name,
        risk.owner,
      ]),
    ).toEqual([
      ['KP-064', 'high', 'other', 'other-app', undefined],
      ['KP-064', 'high', 'payments', 'batch', 'team-payments'],
      ['KP-064', 'high', 'payments', 'checkout', 'team-payments'],
      ['KP-064', 'high', 'payments', 'debug-shell', 'team-payments'],
      ['KP-064', 'high', 'payments', 'ledger', 'team-payments'],
    ]);
    expect(stored?.guardDutyGaps.map((gap) => [gap.checkId, gap.status])).toEqual(
      GUARDDUTY_CHECKS.map((id) => [id, 'skip']),
    );
  });
});
