import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SlackMessage, validateBlockKitMessage } from '../../../core/slack-views/blocks.ts';
import { runCli } from '../../support/cli.ts';
import { FIXTURES_DIR, fixturePath, fixtureWith, loadFixture } from '../../support/fixtures.ts';

const REPO = join(FIXTURES_DIR, '..', '..');

async function render(
  args: string[],
  stdin = '',
): Promise<{ code: number; lines: Rendered[]; stderr: string }> {
  const { code, stdout, stderr } = await runCli(['render', ...args], { stdin, cwd: REPO });
  const lines = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Rendered);
  return { code, lines, stderr };
}

interface Rendered {
  eventId: string;
  ruleId: string;
  message: SlackMessage;
}

const everyFixtureEvent = () => {
  const names = readdirSync(FIXTURES_DIR).filter((f) => /^(guardduty-eks|eks-audit)-.*\.json$/.test(f));
  return names.map((name) => JSON.stringify(loadFixture(name))).join('\n');
};

describe('kubeguard render alert', () => {
  it('prints, per detection, the exact payload the bot posts, within every Block Kit limit (all fixtures)', async () => {
    const { code, lines } = await render(['alert'], everyFixtureEvent());

    expect(code).toBe(0);
    expect(lines.length).toBeGreaterThanOrEqual(14);
    for (const line of lines) {
      expect(line).toEqual({
        eventId: expect.any(String),
        ruleId: expect.any(String),
        message: expect.any(Object),
      });
      expect(validateBlockKitMessage(line.message)).toEqual([]);
      expect(line.message.blocks.length).toBeGreaterThan(0);
    }
    expect(lines.map((l) => l.ruleId)).toEqual(
      expect.arrayContaining(['KD-001', 'KD-020', 'KD-040', 'KD-021']),
    );
  });

  it('renders every detection of the public corpus within the limits', async () => {
    const corpus = readFileSync(fixturePath('corpus/public/audit-events.jsonl'), 'utf8');

    const { code, lines } = await render(['alert', '--lenient'], corpus);

    expect(code).toBe(0);
    expect(lines.length).toBeGreaterThan(60);
    const violations = lines.flatMap((line) =>
      validateBlockKitMessage(line.message).map((v) => `${line.eventId} ${line.ruleId}: ${v}`),
    );
    expect(violations).toEqual([]);
  });

  it('escapes hostile values and keeps megabyte strings within the limits', async () => {
    const hostile = `<!channel> <https://evil.example|click> ${'A'.repeat(1_000_000)}`;
    const event = fixtureWith('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: {
        resource: { kubernetesDetails: { kubernetesWorkloadDetails: { name: hostile } } },
        service: { action: { kubernetesApiCallAction: { resourceName: hostile, userAgent: hostile } } },
      },
    });

    const { lines } = await render(['alert'], JSON.stringify(event));

    expect(lines).toHaveLength(1);
    const wire = JSON.stringify(lines[0]?.message);
    expect(wire).not.toContain('<!channel>');
    expect(wire).not.toContain('<https://evil');
    expect(validateBlockKitMessage(lines[0]?.message as SlackMessage)).toEqual([]);
  });

  it('uses the routing configuration for mentions on critical findings', async () => {
    const critical = fixtureWith('guardduty-eks-exec-in-kube-system-pod.json', { detail: { severity: 9.5 } });
    const config = join(mkdtempSync(join(tmpdir(), 'kg-render-')), 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
        slack: { defaultChannel: 'C0ALERTS', criticalMention: 'S0ONCALL' },
      }),
    );

    const { lines } = await render(['alert', '--config', config], JSON.stringify(critical));

    expect(lines[0]?.message.text.startsWith('<!subteam^S0ONCALL>')).toBe(true);
  });

  it('exits 2 naming what is wrong with the arguments', async () => {
    expect((await render([])).stderr).toContain('render needs what to render: "alert"');
    expect((await render(['alert', '--bogus'])).code).toBe(2);
    const missing = await render(['alert', '--config', 'no-such-file.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such-file.json');
  });
});
