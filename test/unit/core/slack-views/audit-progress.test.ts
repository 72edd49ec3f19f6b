import { describe, expect, it } from 'vitest';
import { KubeguardError } from '#core/errors.ts';
import { runAudit } from '#core/posture/engine.ts';
import {
  type AuditProgress,
  buildAuditProgressMessage,
  buildAuditResultMessage,
  type CollectorProgress,
} from '#core/slack-views/audit-progress.ts';
import { buildAuditSummaryMessage } from '#core/slack-views/audit-report.ts';
import { validateBlockKitMessage } from '#core/slack-views/blocks.ts';
import { corpusSnapshot } from '../posture/support.ts';
import { textOf } from './views-support.ts';

const STARTED =
  'Requested by <@U024BE7LH> <!date^1714557600^{date_short_pretty} {time}|2024-05-01T10:00:00.000Z>';
const BASE: AuditProgress = {
  cluster: 'prod',
  requestedBy: 'U024BE7LH',
  startedAt: '2024-05-01T10:00:00Z',
  collectors: [
    { collector: 'eks', status: 'running' },
    { collector: 'guardduty', status: 'pending' },
    { collector: 'secretsmanager', status: 'pending' },
    { collector: 'cluster', status: 'running' },
  ],
};
const FINISHED: CollectorProgress[] = [
  { collector: 'eks', status: 'done' },
  { collector: 'guardduty', status: 'skipped', detail: 'no GuardDuty detector in eu-west-1' },
  { collector: 'secretsmanager', status: 'done', detail: '12 secrets' },
  { collector: 'cluster', status: 'failed', detail: 'HTTP 403 listing networkpolicies' },
];

function fields(progress: AuditProgress): string[] {
  const block = buildAuditProgressMessage(progress).blocks.find(
    (b) => b.block_id === 'audit_progress_collectors',
  );
  return block?.type === 'section' ? (block.fields ?? []).map((field) => field.text) : [];
}

describe('/k8s audit progress', () => {
  it('starts with each collector waiting or running', () => {
    const message = buildAuditProgressMessage(BASE);
    expect(message.text).toBe('Posture audit of prod: collecting (0 of 4 done)');
    expect(fields(BASE)).toEqual([
      '*EKS*\n:hourglass_flowing_sand: running',
      '*GuardDuty*\n○ waiting',
      '*Secrets Manager*\n○ waiting',
      '*Cluster objects (Kubernetes API)*\n:hourglass_flowing_sand: running',
    ]);
    expect(textOf(message.blocks, 'audit_progress_context')).toBe(`${STARTED} · collecting (0 of 4 done)`);
  });

  it('is updated as each collector finishes: done, skipped or failed with the reason', () => {
    const progress = {
      ...BASE,
      namespace: 'shop',
      collectors: [...BASE.collectors, ...FINISHED.slice(0, 2)],
    };
    const message = buildAuditProgressMessage(progress);
    expect(textOf(message.blocks, 'audit_progress_header')).toBe('Posture audit: prod (namespace shop)');
    expect(fields(progress).slice(0, 2)).toEqual([
      '*EKS*\n✅ done',
      '*GuardDuty*\n➖ skipped\nno GuardDuty detector in eu-west-1',
    ]);
    expect(message.text).toBe('Posture audit of prod (namespace shop): collecting (2 of 4 done)');

    const all = buildAuditProgressMessage({ ...BASE, collectors: FINISHED });
    expect(all.text).toBe('Posture audit of prod: evaluating the checks');
    expect(validateBlockKitMessage(all)).toEqual([]);
  });

  it('ends with the error, through the one mapping, when the audit fails', () => {
    const message = buildAuditProgressMessage({
      ...BASE,
      failure: new KubeguardError('UPSTREAM', 'eks:DescribeCluster failed (timeout)'),
      requestId: 'req-1',
    });
    expect(textOf(message.blocks, 'audit_progress_failure')).toBe(
      '*The audit did not finish; no report was stored.*\n*A service kubeguard depends on failed.* eks:DescribeCluster failed (timeout)\nTry again in a minute; if it keeps failing, an admin can check that service. Reference: `req-1`',
    );
    expect(message.text).toBe('Posture audit of prod: failed');
  });

  it('is replaced by the posture summary, naming what was not collected before its buttons', () => {
    const report = runAudit(corpusSnapshot('m08.yaml', 'm18.yaml'));
    const summary = buildAuditSummaryMessage(report);
    const result = buildAuditResultMessage(report, FINISHED);

    expect(result.text).toBe(summary.text);
    expect(result.blocks.map((b) => b.block_id)).toEqual([
      ...summary.blocks.slice(0, -1).map((b) => b.block_id),
      'audit_collectors',
      'audit_actions',
    ]);
    expect(textOf(result.blocks, 'audit_collectors')).toBe(
      'Not collected (their checks are skipped): GuardDuty skipped: no GuardDuty detector in eu-west-1 · Cluster objects (Kubernetes API) failed: HTTP 403 listing networkpolicies',
    );
    expect(buildAuditResultMessage(report, [{ collector: 'eks', status: 'done' }])).toEqual(summary);
    expect(validateBlockKitMessage(result)).toEqual([]);
  });
});
