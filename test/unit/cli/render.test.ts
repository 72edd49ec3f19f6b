import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SlackMessage, validateBlockKitMessage } from '../../../core/slack-views/blocks.ts';
import { filterLogEventsOutput, getFindingsOutput } from '../../support/aws-exports.ts';
import { runCli } from '../../support/cli.ts';
import { FIXTURES_DIR, fixturePath, fixtureWith, loadFixture } from '../../support/fixtures.ts';
import { bindingEvent, execEvent } from '../../support/incident-events.ts';

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

/** A line of the default output: one incident. */
interface RenderedIncident {
  fingerprint: string;
  severity: string;
  ratedBy: string[];
  rules: { ruleId: string; findingType?: string; severity: string; occurrences: number }[];
  occurrences: number;
  eventIds: string[];
  channel: string | null;
  quiet?: true;
  message?: SlackMessage;
}

async function renderIncidents(
  args: string[],
  stdin = '',
): Promise<{ code: number; incidents: RenderedIncident[]; stderr: string }> {
  const { code, lines, stderr } = await render(args, stdin);
  return { code, incidents: lines as unknown as RenderedIncident[], stderr };
}

function configFile(slack: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kg-render-')), 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
      slack: { defaultChannel: 'C0ALERTS', ...slack },
    }),
  );
  return path;
}

const everyFixtureEvent = () => {
  const names = readdirSync(FIXTURES_DIR).filter((f) => /^(guardduty-eks|eks-audit)-.*\.json$/.test(f));
  return names.map((name) => JSON.stringify(loadFixture(name))).join('\n');
};

describe('kubeguard render alert', () => {
  it('prints one message per incident with its counts, within every Block Kit limit (all fixtures)', async () => {
    const { code, incidents, stderr } = await renderIncidents(['alert'], everyFixtureEvent());

    expect(code).toBe(0);
    const perDetection = await render(['alert', '--per-detection'], everyFixtureEvent());
    expect(incidents.length).toBeLessThan(perDetection.lines.length);
    for (const incident of incidents) {
      expect(incident.rules.length).toBeGreaterThan(0);
      expect(incident.occurrences).toBeGreaterThanOrEqual(incident.eventIds.length);
      if (incident.quiet === true) {
        expect(incident).toMatchObject({ severity: 'low', channel: null });
        expect(incident.message).toBeUndefined();
        continue;
      }
      expect(validateBlockKitMessage(incident.message as SlackMessage)).toEqual([]);
    }
    const rules = incidents.flatMap((i) => i.rules.map((r) => r.ruleId));
    expect(new Set(rules)).toEqual(new Set(perDetection.lines.map((l) => l.ruleId)));
    expect(stderr).toMatch(
      new RegExp(
        `^incidents: ${incidents.length} \\(alerts rendered: \\d+, quiet: \\d+\\) from ${perDetection.lines.length} detections$`,
        'm',
      ),
    );
  });

  it('renders an exec into kube-system as one incident listing KD-020, KD-021 and KD-023', async () => {
    const exec = JSON.stringify(execEvent());
    const again = JSON.stringify(execEvent({ auditId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f' }));

    const { incidents } = await renderIncidents(['alert', '--cluster', 'prod-cluster'], `${exec}\n${again}`);

    const incident = incidents[0] as RenderedIncident;
    expect(incidents).toHaveLength(1);
    expect(incident).toMatchObject({
      severity: 'high',
      ratedBy: ['KD-021'],
      occurrences: 2,
      channel: '#platform-security',
      rules: [
        { ruleId: 'KD-021', severity: 'high', occurrences: 2 },
        { ruleId: 'KD-020', severity: 'medium', occurrences: 2 },
        { ruleId: 'KD-023', severity: 'medium', occurrences: 2 },
      ],
    });
    expect(incident.eventIds).toHaveLength(2);
    expect(incident.message?.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: '[HIGH] Exec into a kube-system pod and 2 more' },
    });
    const perDetection = await render(['alert', '--per-detection'], exec);
    expect(perDetection.lines.map((l) => l.ruleId)).toEqual(['KD-020', 'KD-021', 'KD-023']);
  });

  it('lists a LOW incident as quiet unless a route opts in', async () => {
    const view = JSON.stringify(bindingEvent({ role: 'view' }));

    const quiet = await renderIncidents(['alert', '--config', configFile({})], view);
    const optedIn = await renderIncidents(
      ['alert', '--config', configFile({ routes: [{ minSeverity: 'low', channel: 'C0RBAC' }] })],
      view,
    );

    expect(quiet.incidents).toEqual([
      expect.objectContaining({
        severity: 'low',
        rules: [expect.objectContaining({ ruleId: 'KD-047' })],
        quiet: true,
        channel: null,
      }),
    ]);
    expect(quiet.incidents[0]?.message).toBeUndefined();
    expect(quiet.stderr).toContain('incidents: 1 (alerts rendered: 0, quiet: 1) from 1 detections');
    expect(optedIn.incidents[0]).toMatchObject({ channel: 'C0RBAC', message: { blocks: expect.any(Array) } });
  });

  it('prints, per detection, the exact payload the bot posts, within every Block Kit limit (all fixtures)', async () => {
    const { code, lines } = await render(['alert', '--per-detection'], everyFixtureEvent());

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

    const { code, lines } = await render(['alert', '--lenient', '--per-detection'], corpus);
    const { incidents } = await renderIncidents(['alert', '--lenient'], corpus);

    expect(code).toBe(0);
    expect(lines.length).toBeGreaterThan(60);
    const violations = lines.flatMap((line) =>
      validateBlockKitMessage(line.message).map((v) => `${line.eventId} ${line.ruleId}: ${v}`),
    );
    expect(violations).toEqual([]);
    const incidentViolations = incidents.flatMap((incident) =>
      incident.message === undefined
        ? []
        : validateBlockKitMessage(incident.message).map((v) => `${incident.fingerprint}: ${v}`),
    );
    expect(incidentViolations).toEqual([]);
    expect(incidents.some((incident) => incident.rules.length > 1)).toBe(true);
  });

  it('escapes hostile values and keeps megabyte strings within the limits', async () => {
    const hostile = `<!channel> <https://evil.example|click> ${'A'.repeat(1_000_000)}`;
    const event = fixtureWith('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: {
        resource: { kubernetesDetails: { kubernetesWorkloadDetails: { name: hostile } } },
        service: { action: { kubernetesApiCallAction: { resourceName: hostile, userAgent: hostile } } },
      },
    });

    const { incidents } = await renderIncidents(['alert'], JSON.stringify(event));

    expect(incidents).toHaveLength(1);
    const wire = JSON.stringify(incidents[0]?.message);
    expect(wire).not.toContain('<!channel>');
    expect(wire).not.toContain('<https://evil');
    expect(validateBlockKitMessage(incidents[0]?.message as SlackMessage)).toEqual([]);
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

  it('renders filter-log-events and get-findings output like the same events as JSON Lines', async () => {
    const events = await render(['alert', '--per-detection'], filterLogEventsOutput());
    const findings = await render(['alert', '--per-detection'], getFindingsOutput());
    expect(events.code).toBe(0);
    expect(events.lines.map((l) => l.ruleId)).toEqual(expect.arrayContaining(['KD-020', 'KD-023', 'KD-001']));
    expect(findings.lines.map((l) => l.ruleId)).toEqual(['KD-021', 'KD-001', 'KD-050']);
  });

  it('exits 2 on empty or all-malformed input, and on a malformed record with --strict or CI=true', async () => {
    expect((await render(['alert'], '')).code).toBe(2);
    const malformed = await render(['alert'], 'oops\n');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('nothing usable: every record (1) is malformed');
    const mixed = `${JSON.stringify(execEvent())}\noops\n`;
    expect((await render(['alert'], mixed)).code).toBe(0);
    expect((await render(['alert', '--strict'], mixed)).code).toBe(2);
    const ci = await runCli(['render', 'alert'], { stdin: mixed, cwd: REPO, env: { CI: 'true' } });
    expect(ci.code).toBe(2);
  });

  it('lists its options and exit codes in its help, and says what a mistyped option meant', async () => {
    const help = await runCli(['help', 'render'], { cwd: REPO });
    for (const option of ['--config', '--lenient', '--cluster', '--per-detection', '--strict', '--no-strict'])
      expect(help.stdout).toContain(option);
    expect(help.stdout).toContain('Exit codes (render alert):');
    const typo = await render(['alert', '--per-detecton']);
    expect(typo.stderr).toContain('unknown option "--per-detecton"; did you mean --per-detection?');
  });

  it('exits 2 at a terminal with no FILE instead of waiting', async () => {
    const run = await runCli(['render', 'alert'], { cwd: REPO, stdinIsTTY: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('standard input is a terminal');
  });
});
