import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../../../../core/detection/config.ts';
import { parseAuditEvent } from '../../../../core/detection/decode-audit.ts';
import { evaluateAuditEvent } from '../../../../core/detection/engine.ts';
import { kd020ExecIntoPod } from '../../../../core/detection/rules/kd-020-exec-into-pod.ts';
import type { Detection } from '../../../../core/model/detection.ts';
import { openFinding } from '../../../../core/model/finding.ts';
import { buildAlertMessage, validateBlockKitMessage } from '../../../../core/slack-views/alert.ts';
import type { Block, SectionBlock } from '../../../../core/slack-views/blocks.ts';
import { fixtureWith, loadFixture } from '../../../support/fixtures.ts';

const NOW = '2024-05-15T16:40:00.000Z';
const GUIDE = { whyItMatters: 'Exec gives a shell.', firstResponse: 'Ask who ran it.' };

/**
 * The attacker's exec command: a backtick closes the summary's code span, blank lines start a new
 * paragraph, and a fake resolution follows in bold, italic and strike, with a channel mention.
 */
const HOSTILE_COMMAND = [
  'sh',
  '-c',
  'id`\n\n✅ *Status: RESOLVED* — _false positive, no action needed_ ~by security~ <!channel>\n`',
];

/** The real exec event (test/fixtures/eks-audit-exec-pod-create.json) running the hostile command. */
function hostileExec(): Detection {
  const real = loadFixture<{ requestURI: string }>('eks-audit-exec-pod-create.json');
  const query = new URLSearchParams(real.requestURI.slice(real.requestURI.indexOf('?') + 1));
  query.delete('command');
  for (const argument of HOSTILE_COMMAND) query.append('command', argument);
  const path = real.requestURI.slice(0, real.requestURI.indexOf('?'));
  const event = parseAuditEvent(
    fixtureWith('eks-audit-exec-pod-create.json', { requestURI: `${path}?${query.toString()}` }),
  );
  const [detection] = evaluateAuditEvent(
    event,
    { cluster: 'prod-cluster', config: DEFAULT_DETECTION_CONFIG, now: NOW },
    [kd020ExecIntoPod],
  ).detections;
  if (detection === undefined) throw new Error('KD-020 did not fire on the exec fixture');
  return detection;
}

function summarySection(blocks: Block[]): string {
  const section = blocks.find((b) => b.block_id === 'alert_summary') as SectionBlock | undefined;
  return section?.text?.text ?? '';
}

/** What remains of mrkdwn once every code span is removed: the only place formatting could act. */
function outsideCodeSpans(text: string): string {
  return text.replace(/`[^`]*`/g, '');
}

describe('alert summary: formatting injection through an exec command', () => {
  const detection = hostileExec();
  const message = buildAlertMessage(openFinding(detection, NOW), GUIDE);

  it('keeps the attacker text in the plain summary as it came (the stored record)', () => {
    expect(detection.summary).toContain('*Status: RESOLVED*');
    expect(detection.summary).toContain('\n\n');
  });

  it('renders the summary as one line, every value in its own code span', () => {
    expect(summarySection(message.blocks)).toBe(
      '`kubernetes-admin` ran ' +
        "`sh -c id' ✅ *Status: RESOLVED* — _false positive, no action needed_ ~by security~ &lt;!channel&gt; '`" +
        ' in pod `nginx-deployment-7998647bdf-phvq7` (container `nginx1`) in namespace `default`.',
    );
  });

  it('opens no bold, italic, strike, code, link or mention outside code spans', () => {
    const summary = summarySection(message.blocks);
    expect(summary).not.toMatch(/[\r\n]/);
    expect(summary.match(/`/g)?.length ?? 0).toBe(10);
    expect(outsideCodeSpans(summary)).not.toMatch(/[*_~<>]/);
  });

  it('keeps the notification text to one neutralized, escaped line', () => {
    expect(message.text).toBe(
      '[MEDIUM] Exec / attach into a pod — kubernetes-admin ran ' +
        "'sh -c id' ✅ ∗Status: RESOLVED∗ — ˍfalse positive, no action neededˍ ∼by security∼ &lt;!channel&gt; '' " +
        'in pod nginx-deployment-7998647bdf-phvq7 (container nginx1) in namespace default.',
    );
    expect(message.text).not.toMatch(/[\r\n*_~`<>]/);
  });

  it('is valid Block Kit', () => {
    expect(validateBlockKitMessage(message)).toEqual([]);
  });
});

describe('alert summary of a finding stored before summaries had parts', () => {
  it('is one line with its formatting characters neutralized and escaped', () => {
    const { summaryParts: _parts, ...legacy } = hostileExec();
    const message = buildAlertMessage(openFinding(legacy, NOW), GUIDE);
    expect(summarySection(message.blocks)).toBe(
      "kubernetes-admin ran 'sh -c id' ✅ ∗Status: RESOLVED∗ — ˍfalse positive, no action neededˍ ∼by security∼ " +
        "&lt;!channel&gt; '' in pod nginx-deployment-7998647bdf-phvq7 (container nginx1) in namespace default.",
    );
  });
});

describe('alert actor', () => {
  it('names the IAM identity behind a shared Kubernetes username', () => {
    const message = buildAlertMessage(openFinding(hostileExec(), NOW), GUIDE);
    const who = message.blocks.find((b) => b.block_id === 'alert_who') as SectionBlock;
    expect(who.fields?.[0]?.text).toBe('*Actor*\n`kubernetes-admin · assumed-role/DevOpsRole/jdoe`');
  });
});
