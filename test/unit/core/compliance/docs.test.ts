import { describe, expect, it } from 'vitest';
import { CONTROL_SOURCES, CONTROLS } from '../../../../core/compliance/controls.ts';
import { complianceDocument } from '../../../../core/compliance/docs.ts';
import { controlsSection, longControl, shortControl } from '../../../../core/compliance/format.ts';
import { AUDIT_RULES } from '../../../../core/detection/registry.ts';
import { ruleDocuments } from '../../../../core/detection/rule-docs.ts';
import { checkDocuments } from '../../../../core/posture/check-docs.ts';
import { ALL_CHECKS } from '../../../../core/posture/registry.ts';

describe('the controls in the generated docs', () => {
  const checks = checkDocuments(ALL_CHECKS);
  const rules = ruleDocuments(AUDIT_RULES);

  it('shows every check page its controls, with titles and a link to the mapping', () => {
    for (const check of ALL_CHECKS) {
      const page = checks.get(`${check.id}.md`) ?? '';
      expect(page).toContain('## Compliance controls');
      expect(page).toContain('(../compliance.md)');
      for (const ref of check.controls) expect(page).toContain(`${longControl(ref)} — `);
    }
    const kp093 = checks.get('KP-093.md') ?? '';
    expect(kp093).toContain(
      '- **PCI DSS v4.0:** Requirement 6 — Develop and Maintain Secure Systems and Software',
    );
    expect(kp093).toContain('A.8.8 — Management of technical vulnerabilities');
  });

  it('shows every rule page its controls', () => {
    for (const rule of AUDIT_RULES) {
      const page = rules.get(`${rule.id}.md`) ?? '';
      expect(page).toContain('## Compliance controls');
      expect(page).toContain('CC7.2 — Monitoring for anomalies');
    }
    expect(rules.get('KD-070.md')).toContain('A.8.15 — Logging');
  });

  it('adds a controls column to the check catalog and the rule index', () => {
    expect(checks.get('catalog.md')).toContain('| PSS | controls |');
    expect(checks.get('catalog.md')).toMatch(/\| \[KP-040\]\(KP-040\.md\) .*\| CC6\.1, PCI 7, A\.8\.2 \|/);
    expect(rules.get('README.md')).toContain('| MITRE ATT&CK | controls |');
  });

  it('says so on a page whose check has no controls (an unregistered check)', () => {
    expect(controlsSection(undefined, '../compliance.md', 'A result')).toContain('None mapped.');
  });

  it('documents every control of the table with its source in docs/compliance.md', () => {
    const page = complianceDocument(ALL_CHECKS, AUDIT_RULES);
    for (const control of CONTROLS) expect(page).toContain(`| ${shortControl(control)} | ${control.title} |`);
    for (const source of Object.values(CONTROL_SOURCES)) {
      expect(page).toContain(source.url);
      expect(page).toContain(source.version);
    }
    expect(page).toContain('`inspector:vulnerable-image`');
    expect(page).toContain('`AttackSequence:EKS/CompromisedCluster`');
  });
});
