import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUTTONS } from '#core/chatops/buttons.ts';
import { parseConfig } from '#core/config/schema.ts';
import { renderFindingAlert } from '#core/findings/render.ts';
import type { Detection, ImageVulnerability } from '#core/model/detection.ts';
import { type Finding, openFinding } from '#core/model/finding.ts';
import { buildAlertMessage } from '#core/slack-views/alert.ts';
import type { ActionsBlock, SectionBlock, SlackMessage } from '#core/slack-views/blocks.ts';
import { validateBlockKitMessage } from '#core/slack-views/blocks.ts';
import { ALERT_ACTION_IDS } from '#core/slack-views/ids.ts';
import { auditClusterOf, buildImageAlertMessage } from '#core/slack-views/image-alert.ts';
import { imageAlertDetection, matchImageFindings } from '#core/supply-chain/image-alerts.ts';
import type { ImageFinding, RunningContainer } from '#core/supply-chain/image-finding.ts';
import { decodeInspectorEvent } from '#core/supply-chain/inspector-event.ts';
import { runningContainersOf } from '#core/supply-chain/running-images.ts';
import { readFixtureFile } from '#test/support/fixtures.ts';
import { deploymentPods, digestOf, pod } from '../supply-chain/image-pods.ts';
import { outsideCodeSpans } from './views-support.ts';

const NOW = '2024-09-08T09:00:00.000Z';
const OLD = digestOf('old');
const REPO = '123456789012.dkr.ecr.eu-central-1.amazonaws.com/inspector2';
const GUIDE = { whyItMatters: 'x', firstResponse: 'y' };

/** The decoded package-vulnerability fixture, raised to CRITICAL with an exploit, on digest OLD. */
function fixtureFinding(): ImageFinding {
  const result = decodeInspectorEvent(
    readFixtureFile('inspector/inspector2-finding-ecr-package-vulnerability.json'),
  );
  if (result.kind !== 'finding') throw new Error(result.reason);
  const f = result.finding;
  return {
    ...f,
    severity: 'critical',
    inspectorSeverity: 'CRITICAL',
    inspectorScore: 9.8,
    exploitAvailable: 'YES',
    image: { ...f.image, digest: OLD, inUseCount: 3, lastInUseAt: '2024-09-05T08:00:00.000Z' },
  };
}

function noFix(): ImageFinding {
  const f = fixtureFinding();
  return {
    ...f,
    findingArn: `${f.findingArn}-2`,
    vulnerabilityId: 'CVE-2024-9999',
    inspectorScore: 9.1,
    exploitAvailable: 'NO',
    packages: [{ name: 'zlib', version: '1.3-1' }],
  };
}

function running(clusters: 'one' | 'two'): RunningContainer[] {
  const prod = runningContainersOf(
    { name: 'prod-eu', account: '222233334444', region: 'eu-central-1' },
    deploymentPods('payments', 'web', [
      { name: 'web-7d4-a', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${OLD}` },
      { name: 'web-7d4-b', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${OLD}` },
    ]),
  );
  if (clusters === 'one') return prod;
  return [
    ...prod,
    ...runningContainersOf({ name: 'staging' }, [
      pod('api', { name: 'api-0', image: 'x', imageID: `x@${OLD}` }),
    ]),
  ];
}

function imageFinding(
  clusters: 'one' | 'two',
  unreadable: { cluster: string; reason: string }[] = [],
  findings = [fixtureFinding(), noFix()],
): Finding {
  const [alert] = matchImageFindings(findings, running(clusters)).alerts;
  if (alert === undefined) throw new Error('no alert');
  return openFinding(imageAlertDetection(alert, { unreadableClusters: unreadable }), NOW);
}

function section(message: SlackMessage, id: string): string {
  const block = message.blocks.find((b) => b.block_id === id) as SectionBlock | undefined;
  return block?.text?.text ?? '';
}

function buttons(message: SlackMessage): { action: string; text: string; value: unknown }[] {
  const actions = message.blocks.find((b) => b.type === 'actions') as ActionsBlock;
  return actions.elements.map((e) => ({
    action: e.action_id,
    text: e.text.text,
    value: JSON.parse(e.value ?? ''),
  }));
}

const LABEL = (account: string) => (account === '222233334444' ? `prod (${account})` : account);

describe('the image alert', () => {
  it('shows the image, its vulnerabilities, Inspector’s in-use facts and the workloads running it', () => {
    const finding = imageFinding('one');
    const message = buildAlertMessage(finding, GUIDE, { accountLabel: LABEL, mention: '<!subteam^S0SEC>' });
    expect(validateBlockKitMessage(message)).toEqual([]);
    expect(message.blocks.map((b) => b.block_id)).toEqual([
      'alert_header',
      'alert_summary',
      'image_vulnerabilities',
      'image_workloads',
      'alert_context',
      'alert_actions',
    ]);
    expect((message.blocks[0] as { text: { text: string } }).text.text).toBe(
      '[CRITICAL] Vulnerable image inspector2@sha256:cba06b5736fa',
    );
    expect(section(message, 'alert_summary')).toBe(
      [
        '<!subteam^S0SEC> Image `inspector2@sha256:cba06b5736fa` has 2 critical vulnerabilities (`CVE-2024-6119`, `CVE-2024-9999`) and runs in 2 pods of 1 workload on cluster `prod-eu`.',
        `*Image* \`inspector2@${OLD}\``,
        '*Tags* `ubuntu_latest`',
        '*Registry* `123456789012` `eu-central-1`',
        '*In use at runtime:* yes (Inspector saw 3 running, last at <!date^1725523200^{date_short_pretty} {time}|2024-09-05T08:00:00.000Z>)',
      ].join('\n'),
    );
    expect(section(message, 'image_vulnerabilities')).toBe(
      [
        '*Vulnerabilities* (2)',
        '• `CVE-2024-6119` (score 9.8, *exploit available*) — `libssl3t64` `3.0.13-0ubuntu3.2` → `0:3.0.13-0ubuntu3.4`; `openssl` `3.0.13-0ubuntu3.2` → `0:3.0.13-0ubuntu3.4`',
        '• `CVE-2024-9999` (score 9.1) — `zlib` `1.3-1` no fix yet',
      ].join('\n'),
    );
    expect(section(message, 'image_workloads')).toBe(
      [
        '*Running in* 2 pods of 1 workload on 1 cluster',
        '• `prod-eu` (`prod (222233334444)`) · `payments` · `deployment/web` — 2 pods',
      ].join('\n'),
    );
  });

  it('offers only Run audit, Acknowledge and Suppress…, aimed at the alert’s cluster', () => {
    const finding = imageFinding('one');
    expect(buttons(buildAlertMessage(finding, GUIDE))).toEqual([
      {
        action: ALERT_ACTION_IDS.runAudit,
        text: 'Run audit',
        value: { fp: finding.fingerprint, c: 'prod-eu' },
      },
      {
        action: ALERT_ACTION_IDS.acknowledge,
        text: 'Acknowledge',
        value: { fp: finding.fingerprint, c: 'prod-eu' },
      },
      {
        action: ALERT_ACTION_IDS.suppress,
        text: 'Suppress…',
        value: { fp: finding.fingerprint, c: 'prod-eu' },
      },
    ]);
    const acknowledged: Finding = {
      ...finding,
      status: 'acknowledged',
      history: [...finding.history, { at: NOW, status: 'acknowledged', actor: 'U0RESP' }],
    };
    const message = buildAlertMessage(acknowledged, GUIDE);
    expect(buttons(message).map((b) => b.action)).toEqual([
      ALERT_ACTION_IDS.runAudit,
      ALERT_ACTION_IDS.suppress,
    ]);
    expect(section(message, 'alert_status')).toBe(
      '*Acknowledged* by <@U0RESP> <!date^1725786000^{date_short_pretty} {time}|2024-09-08T09:00:00.000Z>',
    );
  });

  it('never offers Isolate pod or Rotate secret, even with a pod or secrets on the detection', () => {
    const finding = imageFinding('one');
    const tampered = {
      ...finding,
      detection: { ...finding.detection, pod: 'web-7d4-a', secretNames: ['db'] },
    };
    const actions = buttons(buildAlertMessage(tampered, GUIDE)).map((b) => b.action);
    expect(actions).not.toContain(ALERT_ACTION_IDS.isolatePod);
    expect(actions).not.toContain(ALERT_ACTION_IDS.rotateSecret);
  });

  it('runs the audit of the cluster with most of the pods when several run the image; status buttons name none', () => {
    const finding = imageFinding('two', [{ cluster: 'dr-us', reason: 'AccessDenied: eks:DescribeCluster' }]);
    const message = buildAlertMessage(finding, GUIDE);
    expect(finding.detection.cluster).toBeUndefined();
    expect(buttons(message)).toEqual([
      {
        action: ALERT_ACTION_IDS.runAudit,
        text: 'Run audit of prod-eu',
        value: { fp: finding.fingerprint, c: 'prod-eu' },
      },
      { action: ALERT_ACTION_IDS.acknowledge, text: 'Acknowledge', value: { fp: finding.fingerprint } },
      { action: ALERT_ACTION_IDS.suppress, text: 'Suppress…', value: { fp: finding.fingerprint } },
    ]);
    expect(section(message, 'image_workloads')).toBe(
      [
        '*Running in* 3 pods of 2 workloads on 2 clusters',
        '• `prod-eu` (`222233334444`) · `payments` · `deployment/web` — 2 pods',
        '• `staging` · `api` · `pod/api-0` — 1 pod',
      ].join('\n'),
    );
    expect(section(message, 'image_unreadable')).toBe(
      ':warning: kubeguard could not read `dr-us` (`AccessDenied: eks:DescribeCluster`): the image may run in more places than listed.',
    );
  });

  it('its buttons plan what the bot does: an audit of that cluster, acknowledge, the suppress form', () => {
    const config = parseConfig({
      clusters: [
        { name: 'prod-eu', region: 'eu-central-1' },
        { name: 'staging', region: 'eu-central-1' },
      ],
      slack: { defaultChannel: 'C0ALERTS' },
    });
    const finding = imageFinding('two');
    const actions = (buildAlertMessage(finding, GUIDE).blocks.at(-1) as ActionsBlock).elements;
    const plans = actions.map((button) => {
      const spec = BUTTONS.find((candidate) => candidate.actionId === button.action_id);
      if (spec === undefined) throw new Error(`no handler for ${button.action_id}`);
      return spec.plan(
        { actionId: button.action_id, value: button.value, message: { channel: 'C0ALERTS', ts: '1.2' } },
        config,
      );
    });
    expect(
      plans.map((plan) => [plan.type, plan.scope, plan.type === 'enqueue' ? plan.body : undefined]),
    ).toEqual([
      [
        'enqueue',
        { cluster: 'prod-eu' },
        {
          kind: 'audit',
          args: {
            cluster: 'prod-eu',
            finding: finding.fingerprint,
            thread: { channel: 'C0ALERTS', ts: '1.2' },
          },
        },
      ],
      ['enqueue', {}, { kind: 'ack', args: { finding: finding.fingerprint } }],
      ['open-form', {}, undefined],
    ]);
  });

  it('auditClusterOf: ties go to the first name; invalid names are never put in a button', () => {
    const detection = imageFinding('two').detection;
    const v = detection.imageVulnerability as ImageVulnerability;
    const tie: Detection = {
      ...detection,
      imageVulnerability: {
        ...v,
        workloads: [
          { cluster: 'zeta', namespace: 'a', workload: 'pod/a', pods: 2 },
          { cluster: 'alpha', namespace: 'a', workload: 'pod/b', pods: 2 },
          { cluster: 'bad name<!channel>', namespace: 'a', workload: 'pod/c', pods: 9 },
        ],
      },
    };
    expect(auditClusterOf(tie)).toBe('alpha');
    expect(auditClusterOf({ ...tie, cluster: 'bad name' })).toBeUndefined();
  });

  it('is what the delivery renders, with member accounts named', () => {
    const finding = imageFinding('one');
    const slack = { defaultChannel: 'C0ALERTS', routes: [] } as unknown as Parameters<
      typeof renderFindingAlert
    >[1];
    const message = renderFindingAlert(finding, slack, [{ id: '222233334444', name: 'prod' }] as never);
    expect(section(message, 'image_workloads')).toContain('(`prod (222233334444)`)');
  });

  it('says how many vulnerabilities and workloads it does not list', () => {
    const findings = Array.from({ length: 12 }, (_, i) => ({
      ...fixtureFinding(),
      findingArn: `arn:${i}`,
      vulnerabilityId: `CVE-2024-${1000 + i}`,
      inspectorScore: 9 + i / 100,
    }));
    const many = Array.from({ length: 40 }, (_, i) =>
      pod(`ns-${String(i).padStart(2, '0')}`, { name: `p${i}`, image: 'x', imageID: `x@${OLD}` }),
    );
    const [alert] = matchImageFindings(findings, runningContainersOf({ name: 'prod-eu' }, many)).alerts;
    const finding = openFinding(imageAlertDetection(alert as never, { unreadableClusters: [] }), NOW);
    const message = buildImageAlertMessage(finding);
    expect(validateBlockKitMessage(message)).toEqual([]);
    expect(section(message, 'image_vulnerabilities').split('\n')[0]).toBe(
      '*Vulnerabilities* (top 8 of 12 by Inspector score)',
    );
    const workloads = section(message, 'image_workloads').split('\n');
    expect(workloads[0]).toBe('*Running in* 40 pods of 40 workloads on 1 cluster');
    expect(workloads.at(-1)).toBe('…and 25 more');
    expect(workloads).toHaveLength(17);
  });
});

// ---- hostile strings ----

const PIECES = [
  '<!channel>',
  '<!here>',
  '<https://evil.example|click>',
  '<@U0EVIL123>',
  '`',
  '```',
  '*RESOLVED*',
  '_',
  '~',
  '\n',
  '\n\n> ',
  '\u2028',
  '&',
  '|',
  '^',
  '😀',
];
const hostile = fc
  .oneof(
    fc
      .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 40 })), { maxLength: 40 })
      .map((p) => p.join('')),
    fc.string({ maxLength: 400 }),
    fc.integer({ min: 2_000, max: 20_000 }).map((n) =>
      PIECES.join('x')
        .repeat(Math.ceil(n / 60))
        .slice(0, n),
    ),
  )
  .map((text) => (text === '' ? '<!channel>' : text));

function textObjects(value: unknown): { type: string; text: string }[] {
  if (Array.isArray(value)) return value.flatMap(textObjects);
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  const own =
    (object.type === 'mrkdwn' || object.type === 'plain_text') && typeof object.text === 'string'
      ? [{ type: object.type, text: object.text }]
      : [];
  return [...own, ...Object.values(object).flatMap(textObjects)];
}

/** Tokens kubeguard writes itself: dates and mentions of validated ids. */
const OWN_TOKENS = /<!date\^-?\d+\^[^|>]+\|[^>]*>|<@[UW][A-Z0-9]+>|<!subteam\^S[A-Z0-9]+>/g;

/** A finding whose every string (from the image, the registry or a cluster) is hostile. */
function hostileFinding(text: string, n: number): ImageFinding {
  const f = fixtureFinding();
  return {
    ...f,
    findingArn: text,
    vulnerabilityId: text,
    title: text,
    inspectorSeverity: text,
    image: { ...f.image, registry: text, repositoryName: text, tags: [text, text], lastInUseAt: text },
    packages: Array.from({ length: n % 7 }, () => ({ name: text, version: text, fixedInVersion: text })),
  };
}

describe('the image alert with hostile strings', () => {
  it('escapes every value: no mention, link, formatting or early-closed code span; within Block Kit limits', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 0, max: 40 }), (text, n) => {
        const containers: RunningContainer[] = Array.from({ length: (n % 5) + 1 }, (_, i) => ({
          cluster: `${text}${i}`,
          account: text,
          region: text,
          namespace: text,
          pod: `${text}-${i}`,
          container: text,
          workload: text,
          image: text,
          digest: OLD,
        }));
        const findings = Array.from({ length: (n % 4) + 1 }, (_, i) => ({
          ...hostileFinding(text, n),
          findingArn: `${text}${i}`,
        }));
        const [alert] = matchImageFindings(findings, containers).alerts;
        const detection = imageAlertDetection(alert as never, {
          unreadableClusters: [{ cluster: text, reason: text }],
        });
        const finding: Finding = {
          ...openFinding(detection, NOW),
          status: 'suppressed',
          history: [{ at: text, status: 'suppressed', actor: text, reason: text }],
        };
        const message = buildAlertMessage(finding, GUIDE, {
          accountLabel: (a) => `${text} (${a})`,
          mention: text,
        });
        expect(validateBlockKitMessage(message)).toEqual([]);
        for (const { type, text: shown } of textObjects(message.blocks)) {
          if (type === 'plain_text') {
            expect(shown).not.toMatch(/[<>]/);
            continue;
          }
          for (const line of shown.split('\n')) expect((line.match(/`/g) ?? []).length % 2).toBe(0);
          const outside = outsideCodeSpans(shown).replace(OWN_TOKENS, '');
          expect(outside).not.toMatch(/[<>]/);
          expect(outside).not.toContain('RESOLVED*');
        }
        expect(message.text.replace(OWN_TOKENS, '')).not.toMatch(/[<>]/);
        for (const button of buttons(message)) {
          expect(Object.keys(button.value as object).every((k) => k === 'fp' || k === 'c')).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });
});
