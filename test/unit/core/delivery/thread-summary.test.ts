import { describe, expect, it } from 'vitest';
import { threadSummaryText } from '../../../../core/delivery/thread-summary.ts';
import { evidenceLine } from '../../../../core/findings/stored-finding.ts';
import { guardDutyDetection } from '../../../support/detections.ts';

describe('thread summary', () => {
  it('shows each evidence line in a one-line code span that attacker text cannot close', () => {
    const text = threadSummaryText(3, [
      '2024-05-14T09:11:02.000Z · by mallory`\n\n✅ *Status: RESOLVED* <!channel> · pod web',
      '2024-05-14T09:12:02.000Z · by alice',
    ]);
    expect(text).toBe(
      '3 new occurrences since the last update\n' +
        "• `2024-05-14T09:11:02.000Z · by mallory' ✅ *Status: RESOLVED* &lt;!channel&gt; · pod web`\n" +
        '• `2024-05-14T09:12:02.000Z · by alice`\n' +
        '…and 1 more',
    );
  });

  it('keeps whole lines within the message limit', () => {
    const text = threadSummaryText(50, Array(50).fill('x'.repeat(400)));
    expect(text.length).toBeLessThanOrEqual(3000);
    for (const line of text.split('\n').slice(1, -1)) expect(line).toMatch(/^• `[^`]*`$/);
    expect(text).toMatch(/…and \d+ more$/);
  });

  it('names the IAM identity behind the username in an evidence line', () => {
    const detection = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
    expect(evidenceLine({ ...detection, principal: 'kubernetes-admin' })).toContain(
      'by kubernetes-admin · assumed-role/DevOpsRole/jdoe',
    );
  });
});
