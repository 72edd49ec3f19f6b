import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../core/detection/audit-event.ts';
import { DEFAULT_DETECTION_CONFIG } from '../../../../core/detection/config.ts';
import { evaluateAuditEvent } from '../../../../core/detection/engine.ts';
import { normalizeGuardDutyEvent } from '../../../../core/guardduty/normalize.ts';
import type { Detection } from '../../../../core/model/detection.ts';
import { type Finding, openFinding } from '../../../../core/model/finding.ts';
import {
  type AlertGuide,
  buildAlertMessage,
  guardDutyGuide,
  validateBlockKitMessage,
} from '../../../../core/slack-views/alert.ts';
import type {
  ActionsBlock,
  Block,
  ButtonElement,
  SectionBlock,
} from '../../../../core/slack-views/blocks.ts';
import { BLOCK_KIT_LIMITS } from '../../../../core/slack-views/limits.ts';
import { FIXTURES_DIR, fixtureWith, loadFixture } from '../../../support/fixtures.ts';

const NOW = '2024-05-15T16:40:00.000Z';
const GUIDE: AlertGuide = { whyItMatters: 'Exec gives a shell.', firstResponse: 'Ask who ran it.' };

function detectionOf(event: unknown): Detection {
  const result = normalizeGuardDutyEvent(event);
  if (result.kind !== 'detection') throw new Error(`fixture was ignored: ${result.reason}`);
  return result.detection;
}

function findingFrom(fixture: string, overrides: Record<string, unknown> = {}): Finding {
  return openFinding(detectionOf(fixtureWith(fixture, overrides)), NOW);
}

function block<T extends Block>(blocks: Block[], blockId: string): T {
  const found = blocks.find((b) => b.block_id === blockId);
  if (found === undefined) throw new Error(`no block ${blockId}`);
  return found as T;
}

function fieldTexts(blocks: Block[], blockId: string): string[] {
  return (block<SectionBlock>(blocks, blockId).fields ?? []).map((f) => f.text);
}

function buttons(blocks: Block[]): ButtonElement[] {
  return blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements);
}

/** Every mrkdwn text object anywhere in the blocks. */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = record.type === 'mrkdwn' && typeof record.text === 'string' ? [record.text] : [];
  return [...own, ...Object.values(record).flatMap(mrkdwnTexts)];
}

describe('alert message for a GuardDuty finding', () => {
  const finding = findingFrom('guardduty-eks-exec-in-kube-system-pod.json');
  const message = buildAlertMessage(finding, GUIDE);

  it('heads the alert with a severity marker and the title', () => {
    expect(block(message.blocks, 'alert_header')).toEqual({
      type: 'header',
      block_id: 'alert_header',
      text: {
        type: 'plain_text',
        text: '[MEDIUM] Command executed inside a pod in kube-system namespace on EKS Cluster prod-cluster.',
      },
    });
  });

  it('says what happened in one sentence, the values it quotes in code spans', () => {
    expect(block<SectionBlock>(message.blocks, 'alert_summary').text?.text).toBe(
      'A command was executed inside a pod in the `kube-system` namespace on EKS Cluster `prod-cluster`.',
    );
  });

  it('shows who acted: the actor (IAM identity), source IP and user agent', () => {
    expect(fieldTexts(message.blocks, 'alert_who')).toEqual([
      '*Actor*\n`assumed-role/DevOpsRole/jdoe`',
      '*Source IP*\n`198.51.100.23`',
      '*User agent*\n`kubectl/v1.29.3 (darwin/arm64) kubernetes/6813625`',
    ]);
  });

  it('shows where: cluster, namespace, workload, pod', () => {
    expect(fieldTexts(message.blocks, 'alert_where')).toEqual([
      '*Cluster*\n`prod-cluster`',
      '*Namespace*\n`kube-system`',
      '*Workload*\n`pod/aws-node-7xk2p`',
      '*Pod*\n`aws-node-7xk2p`',
      '*Account*\n`111122223333 us-east-1`',
    ]);
  });

  it('links the GuardDuty type to the finding in the console and lists the request and container', () => {
    const evidence = block<SectionBlock>(message.blocks, 'alert_evidence').text?.text ?? '';
    expect(evidence).toContain(
      '• GuardDuty: <https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?fId=8ec6f2b1a9d04c7e9b1f3a2d5c4e6f70|Execution:Kubernetes/ExecInKubeSystemPod> (`KD-021`)',
    );
    expect(evidence).toContain(
      '• Request: `create` `/api/v1/namespaces/kube-system/pods/aws-node-7xk2p/exec?command=sh&amp;container=aws-node&amp;stdin=true&amp;stdout=true&amp;tty=true` → `101`',
    );
    expect(evidence).toContain('• Container: `aws-node`');
    expect(evidence).toContain(
      '• Image: `602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.18.1-eksbuild.1`',
    );
  });

  it('explains why it matters and the first response step', () => {
    expect(block<SectionBlock>(message.blocks, 'alert_guide').text?.text).toBe(
      '*Why it matters*\nExec gives a shell.\n*First response*\nAsk who ran it.',
    );
  });

  it('counts occurrences with first and last seen, and names rule and MITRE ids', () => {
    const context = block<Block & { elements: { text: string }[] }>(message.blocks, 'alert_context');
    expect(context.elements.map((e) => e.text)).toEqual([
      'Seen once · first <!date^1715677862^{date_short_pretty} {time}|2024-05-14T09:11:02.000Z> · last <!date^1715677862^{date_short_pretty} {time}|2024-05-14T09:11:02.000Z>',
      'KD-021 · MITRE T1609',
    ]);
  });

  it('offers isolate, audit, acknowledge and suppress, each carrying only a finding reference', () => {
    const value = JSON.stringify({ fp: finding.fingerprint, c: 'prod-cluster' });
    expect(buttons(message.blocks).map((b) => [b.action_id, b.value])).toEqual([
      ['isolate_pod', value],
      ['run_audit', value],
      ['acknowledge', value],
      ['suppress', value],
    ]);
  });

  it('asks for confirmation before isolating, in a danger-styled button', () => {
    const isolate = buttons(message.blocks).find((b) => b.action_id === 'isolate_pod');
    expect(isolate?.style).toBe('danger');
    expect(isolate?.confirm?.title.text).toBe('Isolate this pod?');
    expect(isolate?.confirm?.text.text).toContain('kube-system/aws-node-7xk2p on prod-cluster');
  });

  it('has an escaped notification text with severity, title and summary', () => {
    expect(message.text).toBe(
      '[MEDIUM] Command executed inside a pod in kube-system namespace on EKS Cluster prod-cluster — A command was executed inside a pod in the kube-system namespace on EKS Cluster prod-cluster.',
    );
  });

  it('is valid Block Kit', () => {
    expect(validateBlockKitMessage(message)).toEqual([]);
  });
});

describe('alert buttons', () => {
  it('offers no Isolate pod when no pod is known', () => {
    const message = buildAlertMessage(findingFrom('guardduty-eks-anonymous-access-granted.json'), GUIDE);
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual(['run_audit', 'acknowledge', 'suppress']);
  });

  it('offers Rotate secret when the finding names a secret', () => {
    const finding = findingFrom('guardduty-eks-anonymous-access-granted.json');
    finding.detection.secretNames = ['payments/db-password'];
    const message = buildAlertMessage(finding, GUIDE);
    expect(buttons(message.blocks).map((b) => b.action_id)).toContain('rotate_secret');
    expect(block<SectionBlock>(message.blocks, 'alert_evidence').text?.text).toContain(
      '• Secrets: `payments/db-password`',
    );
  });

  it('drops Acknowledge once acknowledged and says by whom', () => {
    const finding: Finding = {
      ...findingFrom('guardduty-eks-exec-in-kube-system-pod.json'),
      status: 'acknowledged',
    };
    finding.history = [
      ...finding.history,
      { at: '2024-05-15T16:45:00.000Z', status: 'acknowledged', actor: 'U024BE7LH', reason: 'looking <now>' },
    ];
    const message = buildAlertMessage(finding, GUIDE);
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual(['isolate_pod', 'run_audit', 'suppress']);
    expect(block<SectionBlock>(message.blocks, 'alert_status').text?.text).toBe(
      '*Acknowledged* by <@U024BE7LH> <!date^1715791500^{date_short_pretty} {time}|2024-05-15T16:45:00.000Z>: looking &lt;now&gt;',
    );
  });

  it('shows a suppression by a non-Slack actor as code, and offers no Suppress again', () => {
    const base = findingFrom('guardduty-eks-exec-in-kube-system-pod.json');
    const finding: Finding = {
      ...base,
      status: 'suppressed',
      history: [...base.history, { at: NOW, status: 'suppressed', actor: 'kubeguard <!here>' }],
    };
    const message = buildAlertMessage(finding, GUIDE);
    expect(block<SectionBlock>(message.blocks, 'alert_status').text?.text).toContain(
      '*Suppressed* by `kubeguard &lt;!here&gt;`',
    );
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual(['isolate_pod', 'run_audit']);
  });

  it('leaves only Run audit on a resolved finding', () => {
    const finding: Finding = {
      ...findingFrom('guardduty-eks-exec-in-kube-system-pod.json'),
      status: 'resolved',
    };
    expect(buttons(buildAlertMessage(finding, GUIDE).blocks).map((b) => b.action_id)).toEqual(['run_audit']);
  });

  it('keeps a cluster name that is not a valid EKS name out of button values', () => {
    const finding = findingFrom('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { resource: { eksClusterDetails: { name: '"}<!channel>' } } },
    });
    const values = buttons(buildAlertMessage(finding, GUIDE).blocks).map((b) => JSON.parse(b.value ?? '{}'));
    expect(values.every((v) => JSON.stringify(v) === JSON.stringify({ fp: finding.fingerprint }))).toBe(true);
  });
});

describe('alert for a sample finding and mentions', () => {
  it('marks a sample finding in the header and the notification text', () => {
    const message = buildAlertMessage(findingFrom('guardduty-eks-discovery-tor-ip-caller.json'), GUIDE);
    expect(block<Block & { text: { text: string } }>(message.blocks, 'alert_header').text.text).toBe(
      '[sample] [MEDIUM] Kubernetes API commonly used in Discovery tactics invoked from a Tor exit node IP address.',
    );
    expect(message.text.startsWith('[sample] [MEDIUM]')).toBe(true);
  });

  it('puts a user-group mention in the summary and the notification text', () => {
    const message = buildAlertMessage(findingFrom('guardduty-eks-exec-in-kube-system-pod.json'), GUIDE, {
      mention: '<!subteam^S0ONCALL>',
    });
    expect(
      block<SectionBlock>(message.blocks, 'alert_summary').text?.text.startsWith('<!subteam^S0ONCALL> A '),
    ).toBe(true);
    expect(message.text.startsWith('<!subteam^S0ONCALL> [MEDIUM]')).toBe(true);
  });

  it('ignores a mention that is not a user group or user', () => {
    const message = buildAlertMessage(findingFrom('guardduty-eks-exec-in-kube-system-pod.json'), GUIDE, {
      mention: '<!channel>',
    });
    expect(JSON.stringify(message)).not.toContain('<!channel>');
  });
});

describe('alert escaping of attacker-controlled values', () => {
  const hostilePod = '<!channel> <https://evil.example|click>';

  it('renders a hostile pod name as text in every mrkdwn object and the notification text', () => {
    const event = fixtureWith('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: {
        description: `A command was executed in pod ${hostilePod}.`,
        resource: { kubernetesDetails: { kubernetesWorkloadDetails: { name: hostilePod } } },
      },
    });
    const message = buildAlertMessage(openFinding(detectionOf(event), NOW), GUIDE);
    const texts = [message.text, ...mrkdwnTexts(message.blocks)];
    expect(texts.some((t) => t.includes('&lt;!channel&gt; &lt;https://evil.example|click&gt;'))).toBe(true);
    expect(texts.filter((t) => t.includes('<!channel>') || t.includes('<https://evil'))).toEqual([]);
    expect(fieldTexts(message.blocks, 'alert_where')).toContain(
      '*Pod*\n`&lt;!channel&gt; &lt;https://evil.example|click&gt;`',
    );
    // plain_text (header, confirm dialog) is not parsed, yet carries no raw markup either.
    expect(JSON.stringify(message)).not.toMatch(/<!channel>|<https:\/\/evil/);
    const isolate = buttons(message.blocks).find((b) => b.action_id === 'isolate_pod');
    expect(isolate?.confirm?.text.text).toContain('kube-system/‹!channel› ‹https://evil.example|click›');
  });

  it('links only to the AWS console', () => {
    const finding = findingFrom('guardduty-eks-exec-in-kube-system-pod.json');
    finding.detection.consoleUrl = 'https://evil.example/|<!channel>';
    const evidence = block<SectionBlock>(buildAlertMessage(finding, GUIDE).blocks, 'alert_evidence').text
      ?.text;
    expect(evidence).toContain('• GuardDuty: Execution:Kubernetes/ExecInKubeSystemPod (`KD-021`)');
    expect(evidence).not.toContain('evil.example');
  });

  it('cannot close a code span early with a backtick or break lines with newlines', () => {
    const finding = findingFrom('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { resource: { kubernetesDetails: { kubernetesWorkloadDetails: { name: 'a`*bold*`\nb' } } } },
    });
    expect(fieldTexts(buildAlertMessage(finding, GUIDE).blocks, 'alert_where')).toContain(
      "*Pod*\n`a'*bold*' b`",
    );
  });
});

describe('alert limits with megabyte hostile strings', () => {
  const huge = (tag: string) => `<!channel>&${tag}\`\n${'<&>x'.repeat(250_000)}`;

  function hostileFinding(): Finding {
    const base = findingFrom('guardduty-eks-runtime-new-binary-executed.json');
    const detection: Detection = {
      ...base.detection,
      title: huge('title'),
      summary: huge('summary'),
      cluster: huge('cluster'),
      namespace: huge('namespace'),
      workload: huge('workload'),
      pod: huge('pod'),
      container: huge('container'),
      image: huge('image'),
      node: huge('node'),
      principal: huge('principal'),
      userAgent: huge('ua'),
      account: huge('account'),
      region: huge('region'),
      ruleId: huge('rule'),
      findingType: huge('type'),
      mitre: Array.from({ length: 1000 }, () => huge('mitre').slice(0, 1000)),
      sourceIps: Array.from({ length: 1000 }, (_, i) => `${huge('ip')}${i}`),
      process: {
        name: huge('p'),
        executablePath: huge('path'),
        commandLine: huge('cmd'),
        user: huge('user'),
        pid: 1,
      },
      secretNames: Array.from({ length: 100 }, () => huge('secret')),
      evidence: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [huge(`k${i}`), huge(`v${i}`)])),
      consoleUrl: `https://us-east-1.console.aws.amazon.com/${'a'.repeat(1_000_000)}`,
    };
    detection.evidence.requestUri = huge('uri');
    detection.evidence.verb = huge('verb');
    detection.evidence.statusCode = huge('status');
    return {
      ...base,
      detection,
      status: 'acknowledged',
      firstSeen: huge('first'),
      lastSeen: huge('last'),
      history: [{ at: huge('at'), status: 'acknowledged', actor: huge('actor'), reason: huge('reason') }],
    };
  }

  const message = buildAlertMessage(hostileFinding(), {
    whyItMatters: huge('why'),
    firstResponse: huge('first'),
  });

  it('respects every Block Kit limit', () => {
    expect(validateBlockKitMessage(message)).toEqual([]);
  });

  it('keeps the notification text escaped and short', () => {
    expect(message.text.length).toBeLessThanOrEqual(3000);
    expect(message.text).not.toMatch(/[<>]/);
  });

  it('leaves no raw control character from the input in any mrkdwn text', () => {
    // Only kubeguard's own tokens may open a `<`: Slack dates.
    const stripped = mrkdwnTexts(message.blocks).map((t) =>
      t.replace(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>/g, ''),
    );
    expect(stripped.filter((t) => /[<>]/.test(t))).toEqual([]);
    expect(stripped.filter((t) => /&(?!amp;|lt;|gt;)/.test(t))).toEqual([]);
  });

  it('still names the source and the request in the evidence', () => {
    const evidence = block<SectionBlock>(message.blocks, 'alert_evidence').text?.text ?? '';
    expect(evidence).toMatch(/^\*Evidence\*\n• GuardDuty: &lt;!channel&gt;&amp;type/);
    expect(evidence).toContain('• Request: `&lt;!channel&gt;&amp;verb');
  });

  it('carries no raw hostile markup anywhere, plain_text included', () => {
    expect(JSON.stringify(message)).not.toContain('<!channel>');
  });

  it('keeps the whole payload small', () => {
    expect(JSON.stringify(message).length).toBeLessThan(40_000);
  });

  it('keeps the isolate confirmation text within its limit', () => {
    const isolate = buttons(message.blocks).find((b) => b.action_id === 'isolate_pod');
    expect(isolate?.confirm?.text.text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.confirmText);
  });
});

describe('every GuardDuty fixture renders as valid Block Kit', () => {
  const fixtures = readdirSync(FIXTURES_DIR).filter((name) => /^guardduty-eks-.*\.json$/.test(name));

  it.each(fixtures)('%s', (name) => {
    const detection = detectionOf(loadFixture(name));
    const message = buildAlertMessage(
      openFinding(detection, NOW),
      guardDutyGuide(detection.findingType ?? ''),
    );
    expect(validateBlockKitMessage(message)).toEqual([]);
  });
});

describe('validateBlockKitMessage', () => {
  it('reports each broken limit', () => {
    const longButton: ButtonElement = {
      type: 'button',
      action_id: 'same',
      text: { type: 'plain_text', text: 'b'.repeat(76) },
      value: 'v'.repeat(2001),
    };
    const problems = validateBlockKitMessage({
      text: 't'.repeat(40_001),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        {
          type: 'section',
          fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn' as const, text: 'f' })),
        },
        { type: 'section', text: { type: 'mrkdwn', text: '' } },
        {
          type: 'actions',
          elements: [longButton, { ...longButton, text: { type: 'plain_text', text: 'ok' } }],
        },
      ],
    });
    expect(problems).toEqual([
      'text is 40001 chars (max 40000)',
      'blocks[0] (header).text: 151 chars (max 150)',
      'blocks[1] (section): 11 fields (max 10)',
      'blocks[2] (section).text: empty text',
      'blocks[3] (actions).elements[0].text: 76 chars (max 75)',
      'blocks[3] (actions).elements[0].value: 2001 chars (max 2000)',
      'blocks[3] (actions).elements[1]: duplicate action_id "same"',
      'blocks[3] (actions).elements[1].value: 2001 chars (max 2000)',
    ]);
  });

  it('reports more than 50 blocks', () => {
    const blocks: Block[] = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(validateBlockKitMessage({ text: 'x', blocks })).toEqual(['51 blocks (max 50)']);
  });
});

describe('GuardDuty guide', () => {
  it.each([
    'Execution:Kubernetes/ExecInKubeSystemPod',
    'PrivilegeEscalation:Runtime/RuncContainerEscape',
    'Persistence:Kubernetes/TorIPCaller',
    'CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed',
    'Discovery:Kubernetes/AnomalousBehavior.PermissionChecked',
    'Impact:Runtime/CryptoMinerExecuted',
    'DefenseEvasion:Runtime/KernelModuleLoaded',
    'Policy:Kubernetes/ExposedDashboard',
    'Backdoor:Runtime/C&CActivity.B',
    'CryptoCurrency:Runtime/BitcoinTool.B',
    'Trojan:Runtime/DropPoint',
    'UnauthorizedAccess:Runtime/TorClient',
    'AttackSequence:EKS/CompromisedCluster',
  ])('has specific guidance for the tactic of %s', (type) => {
    const guide = guardDutyGuide(type);
    expect(guide).not.toEqual(guardDutyGuide('Unknown:Kubernetes/Something'));
    expect(guide.whyItMatters.length).toBeGreaterThan(40);
    expect(guide.firstResponse.length).toBeGreaterThan(40);
  });

  it('gives each tactic family its own text', () => {
    const families = [
      'Execution',
      'PrivilegeEscalation',
      'Persistence',
      'CredentialAccess',
      'Discovery',
      'Impact',
    ];
    const texts = new Set(families.map((family) => guardDutyGuide(`${family}:Kubernetes/X`).whyItMatters));
    expect(texts.size).toBe(families.length);
  });
});

describe('alert evidence of an audit-log detection', () => {
  it("labels the API server's Audit-ID and shows it as a value", () => {
    const event = loadFixture<AuditEvent>('eks-audit-exec-pod-create.json');
    const [detection] = evaluateAuditEvent(event, {
      cluster: 'prod-cluster',
      config: DEFAULT_DETECTION_CONFIG,
      now: NOW,
    }).detections;
    if (detection === undefined) throw new Error('the exec fixture must be detected');
    const message = buildAlertMessage(openFinding(detection, NOW), GUIDE);
    const evidence = block<SectionBlock>(message.blocks, 'alert_evidence').text?.text;
    expect(evidence).toContain(`• Audit ID: \`${event.auditID}\``);
    expect(evidence).not.toContain('auditId');
    // The rule's copy of the container is not listed a second time under its raw key.
    expect(detection.evidence.container).toBe(detection.container);
    expect(evidence?.match(/• Container: /g)).toHaveLength(1);
    expect(evidence).not.toContain('• container:');
  });
});
