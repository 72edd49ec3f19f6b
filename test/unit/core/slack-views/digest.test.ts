import { describe, expect, it } from 'vitest';
import { buildDigest, type DigestPeriodRange } from '#core/digest/content.ts';
import { validateBlockKitMessage } from '#core/slack-views/blocks.ts';
import { buildDigestMessage, duration } from '#core/slack-views/digest.ts';
import { dailyHistory, finding, historyEntry, statusOutcome } from '#test/support/digest-data.ts';

const PERIOD: DigestPeriodRange = {
  frequency: 'weekly',
  from: '2026-11-30T09:00:00.000Z',
  to: '2026-12-07T09:00:00.000Z',
  nextTo: '2026-12-14T09:00:00.000Z',
};
const HOSTILE = '<!channel> *pwned* <https://evil.example|click> `x` _y_ ~z~ &amp;\nnew line ';

function textOf(message: ReturnType<typeof buildDigestMessage>): string {
  return JSON.stringify(message.blocks);
}

describe('digest message', () => {
  it('stays within Block Kit limits with 50 clusters, huge hostile names and every section full', () => {
    const clusters = Array.from({ length: 50 }, (_, index) => {
      const name = `${HOSTILE}${'x'.repeat(400)}-${index}`;
      return {
        name,
        history: dailyHistory(name, PERIOD.to, 84, (day) => (day * 7 + index) % 100),
        facts: {
          cluster: name,
          takenAt: '2026-12-07T06:00:00.000Z',
          risks: Array.from({ length: 5 }, (_, r) => ({
            checkId: `KP-06${r}`,
            title: HOSTILE.repeat(20),
            severity: 'critical' as const,
            object: { kind: 'Deployment', namespace: HOSTILE, name: HOSTILE.repeat(10) },
            message: HOSTILE,
            owner: HOSTILE.repeat(5),
          })),
          guardDutyGaps: [{ checkId: 'KP-016', title: HOSTILE, status: 'fail' as const, message: HOSTILE }],
        },
      };
    });
    const findings = clusters.flatMap((cluster, index) => [
      finding({
        fingerprint: index.toString(16).padStart(32, '0'),
        cluster: cluster.name,
        severity: 'low',
        firstSeen: '2026-12-01T00:00:00.000Z',
        ruleId: `KD-0${10 + (index % 5)}`,
        occurrences: 40,
        quiet: true,
        namespace: HOSTILE,
        principal: HOSTILE.repeat(3),
        changes: [['suppressed', '2026-12-02T00:00:00.000Z', '2026-12-09T00:00:00.000Z']],
      }),
    ]);
    const trail = clusters.map((cluster, index) =>
      statusOutcome(
        `r${index}`,
        '2026-12-02T00:00:00.000Z',
        `U0PERSON${index}`,
        cluster.name,
        findings[index]?.fingerprint ?? '',
        HOSTILE,
        'open',
        'suppressed',
      ),
    );
    const digest = buildDigest({
      period: PERIOD,
      clusters,
      findings,
      trail,
      suppressions: clusters.map((cluster) => ({
        cluster: cluster.name,
        namespace: HOSTILE,
        until: '2027-01-01T00:00:00.000Z',
        reason: HOSTILE,
      })),
    });

    const message = buildDigestMessage(digest, { chart: true });

    expect(validateBlockKitMessage(message)).toEqual([]);
    const text = textOf(message);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    // Inside a code span `*` formats nothing; outside, every formatting character is neutralized.
    expect(text.replace(/`[^`]*`/g, '')).not.toContain('*pwned*');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toMatch(/…and \d+ more/);
  });

  it('leads with the verdict and each cluster’s score and change', () => {
    const digest = buildDigest({
      period: PERIOD,
      clusters: [
        { name: 'prod', history: dailyHistory('prod', PERIOD.to, 84, (day) => 50 + Math.floor(day / 7)) },
        { name: 'new', history: [] },
      ],
      findings: [],
      trail: [],
      suppressions: [],
    });

    const message = buildDigestMessage(digest);

    expect(message.text).toBe('Weekly posture digest: safer');
    expect(message.blocks[2]).toEqual({
      type: 'section',
      block_id: 'digest_headline',
      text: {
        type: 'mrkdwn',
        text: ':large_green_circle: *Safer this week* — scores ▲ 1 on average\n1 improved · 1 without an audit yet',
      },
    });
    expect(message.blocks[3]).toMatchObject({
      text: { text: '*Posture by cluster*\n• `prod` · *62/100* · ▲ 1\n• `new` · no audit yet' },
    });
  });

  it('says "no audit yet" rather than an empty chart or zeros for clusters never audited', () => {
    const digest = buildDigest({
      period: PERIOD,
      clusters: [{ name: 'new', history: [] }],
      findings: [],
      trail: [],
      suppressions: [],
    });

    const message = buildDigestMessage(digest);

    expect(message.text).toBe('Weekly posture digest: no audit yet');
    expect(textOf(message)).toContain('*GuardDuty coverage*\\nNo audit yet.');
    expect(textOf(message)).toContain('time to acknowledge — (0 findings)');
    expect(textOf(message)).not.toMatch(/NaN|undefined|Infinity/);
    expect(validateBlockKitMessage(message)).toEqual([]);
  });

  it('says one audit is a first week, not a change', () => {
    const digest = buildDigest({
      period: PERIOD,
      clusters: [{ name: 'fresh', history: [historyEntry('fresh', '2026-12-06T06:00:00.000Z', 80)] }],
      findings: [],
      trail: [],
      suppressions: [],
    });

    expect(textOf(buildDigestMessage(digest))).toContain('• `fresh` · *80/100* · first week');
  });

  it('writes durations a manager reads', () => {
    expect([duration(undefined), duration(30), duration(150), duration(48_600)]).toEqual([
      '—',
      '30 min',
      '2.5 h',
      '33.8 days',
    ]);
  });
});
