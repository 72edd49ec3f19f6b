import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/schema.ts';
import { renderFindingAlert } from '../../../../core/findings/render.ts';
import { type Finding, openFinding } from '../../../../core/model/finding.ts';
import {
  foldRule,
  type IncidentRule,
  MAX_INCIDENT_RULES,
  reportOf,
} from '../../../../core/model/incident.ts';
import { buildAlertMessage, validateBlockKitMessage } from '../../../../core/slack-views/alert.ts';
import { MAX_GUIDED_RULES } from '../../../../core/slack-views/alert-rules.ts';
import type { Block } from '../../../../core/slack-views/blocks.ts';
import { guardDutyDetection } from '../../../support/detections.ts';
import { auditDetections, execEvent } from '../../../support/incident-events.ts';

const NOW = '2024-05-14T10:00:00.000Z';
const slack = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
}).slack;

function texts(blocks: readonly Block[]): string {
  return JSON.stringify(blocks);
}

function blockIds(blocks: readonly Block[]): string[] {
  return blocks.map((b) => b.block_id ?? b.type);
}

/** An exec incident with `rules` folded into it, as the recorder would store it. */
function incidentWith(rules: IncidentRule[]): Finding {
  const [kd020] = auditDetections(execEvent());
  return { ...openFinding(kd020 as NonNullable<typeof kd020>, NOW), rules };
}

const occurrence = { count: 1, firstSeen: NOW, lastSeen: NOW, eventId: 'e1' };

describe('alert for an incident several rules reported', () => {
  it('keeps the one-rule layout for a one-rule incident: a single guide, no rule list', () => {
    const finding = openFinding(guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json'), NOW);
    const message = renderFindingAlert(finding, slack);
    expect(blockIds(message.blocks)).not.toContain('alert_rating');
    expect(blockIds(message.blocks)).toContain('alert_guide');
    expect(texts(message.blocks)).toContain('*Why it matters*');
  });

  it('renders a finding stored before incidents (no rules) as a one-rule incident', () => {
    const { rules: _none, ...old } = openFinding(
      guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json'),
      NOW,
    );
    const message = renderFindingAlert(old, slack);
    expect(message.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: expect.stringMatching(/^\[MEDIUM\] Command executed/) },
    });
    expect(validateBlockKitMessage(message)).toEqual([]);
  });

  it('shows the guide of the GuardDuty type and the audit rule it maps to once', () => {
    const guardDuty = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
    let rules: IncidentRule[] = [];
    for (const detection of [...auditDetections(execEvent()).slice(0, 2), guardDuty]) {
      rules = foldRule(rules, reportOf(detection), occurrence);
    }
    const message = renderFindingAlert(incidentWith(rules), slack);
    const kd021Why = 'kube-system pods (CNI, CoreDNS, kube-proxy, controllers)';
    expect(texts(message.blocks).split(kd021Why)).toHaveLength(2);
    expect(texts(message.blocks)).toContain('*GuardDuty (5.0)* `Execution:Kubernetes/ExecInKubeSystemPod`');
  });

  it('stays within Block Kit limits with the most rules an incident keeps, long hostile titles included', () => {
    const hostile = `<!channel> *bold* \`code\` ${'T'.repeat(5000)}`;
    let rules: IncidentRule[] = [];
    for (let i = 0; i < MAX_INCIDENT_RULES + 5; i += 1) {
      rules = foldRule(
        rules,
        {
          ruleId: `Impact:Kubernetes/Type${i}`,
          findingType: `Impact:Kubernetes/Type${i}<!here>\`${'x'.repeat(3000)}`,
          title: hostile,
          severity: i % 2 === 0 ? 'critical' : 'low',
          source: 'guardduty',
          score: i % 2 === 0 ? 9.5 : 2,
        },
        { ...occurrence, eventId: `finding-${i}` },
      );
    }
    expect(rules).toHaveLength(MAX_INCIDENT_RULES);

    const message = renderFindingAlert(incidentWith(rules), slack);

    expect(validateBlockKitMessage(message)).toEqual([]);
    const ids = blockIds(message.blocks);
    expect(ids.filter((id) => id.startsWith('alert_rule_'))).toHaveLength(MAX_GUIDED_RULES);
    expect(ids).toContain('alert_rules_more');
    const wire = texts(message.blocks);
    expect(wire).not.toContain('<!channel>');
    expect(wire).not.toContain('<!here>');
    expect(message.blocks[0]).toMatchObject({ text: { text: expect.stringMatching(/ and 19 more$/) } });
    expect(message.text).toMatch(/^\[CRITICAL\] /);
  });

  it('uses only the given guide when no per-rule lookup is passed', () => {
    let rules: IncidentRule[] = [];
    for (const detection of auditDetections(execEvent()).slice(0, 2)) {
      rules = foldRule(rules, reportOf(detection), occurrence);
    }
    const message = buildAlertMessage(incidentWith(rules), {
      whyItMatters: 'Because.',
      firstResponse: 'Call.',
    });
    expect(texts(message.blocks).match(/Why it matters:/g)).toHaveLength(1);
    expect(texts(message.blocks)).toContain('*First response*\\nCall.');
  });
});
