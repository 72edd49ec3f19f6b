import { describe, expect, it } from 'vitest';
import { runAudit } from '#core/posture/engine.ts';
import type { AuditReport } from '#core/posture/report.ts';
import { buildAuditDetailsView, buildAuditSummaryMessage } from '#core/slack-views/audit-report.ts';
import type { Block } from '#core/slack-views/blocks.ts';
import { corpusSnapshot } from '../posture/support.ts';

const HOSTILE = 'runs as root`\n\n✅ *Status: RESOLVED* _no action needed_ ~fixed~';
const NEUTRALIZED = "runs as root' ✅ ∗Status: RESOLVED∗ ˍno action neededˍ ∼fixed∼";

/** A real corpus audit whose first failure carries a message and a kind an attacker shaped. */
function hostileReport(): AuditReport {
  const report = structuredClone(runAudit(corpusSnapshot('m08.yaml', 'm18.yaml', 'm22.yaml')));
  const failure = report.results.find((result) => result.status === 'fail');
  if (failure === undefined) throw new Error('the corpus audit has no failure');
  failure.message = HOSTILE;
  failure.object = { ...failure.object, kind: 'Pod*_x_*' };
  return report;
}

function mrkdwnTexts(blocks: readonly Block[]): string[] {
  return blocks.flatMap((block) => {
    if (block.type === 'section') return [block.text?.text ?? '', ...(block.fields ?? []).map((f) => f.text)];
    if (block.type === 'context') return block.elements.map((e) => ('text' in e ? e.text : ''));
    return [];
  });
}

describe('posture audit views: formatting injection through check messages', () => {
  const report = hostileReport();

  it('shows a hostile message in the top risks as one neutralized line', () => {
    const summary = mrkdwnTexts(buildAuditSummaryMessage(report).blocks).join('\n');
    expect(summary).toContain(NEUTRALIZED);
    expect(summary).toContain('Pod∗ˍxˍ∗ `');
    expect(summary).not.toContain('*Status: RESOLVED*');
  });

  it('shows it the same way in the details modal', () => {
    const details = mrkdwnTexts(buildAuditDetailsView(report, 1).blocks).join('\n');
    expect(details).toContain(NEUTRALIZED);
    expect(details).not.toContain('*Status: RESOLVED*');
    expect(details).not.toContain('_no action needed_');
  });
});
