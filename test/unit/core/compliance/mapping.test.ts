import { describe, expect, it } from 'vitest';
import {
  CONTROL_SOURCES,
  CONTROLS,
  type ControlRef,
  controlKey,
  findControl,
} from '../../../../core/compliance/controls.ts';
import {
  controlsOfCheck,
  controlsOfRule,
  MAPPED_CHECK_IDS,
  MAPPED_RULE_IDS,
  THEMES,
} from '../../../../core/compliance/mapping.ts';
import { AUDIT_RULES } from '../../../../core/detection/registry.ts';
import { FRAMEWORKS } from '../../../../core/evidence-pack/model.ts';
import { GUARDDUTY_EKS_FINDING_TYPES } from '../../../../core/guardduty/finding-types.ts';
import { kp060 } from '../../../../core/posture/checks/kp-060-privileged.ts';
import { ALL_CHECKS } from '../../../../core/posture/registry.ts';
import { IMAGE_ALERT_RULE_ID } from '../../../../core/supply-chain/image-alerts.ts';

/** Every rule id a detection can carry: the catalog rules, GuardDuty types (mapped or kept), Inspector. */
const DETECTION_RULE_IDS = [
  ...new Set([
    ...AUDIT_RULES.map((rule) => rule.id),
    ...GUARDDUTY_EKS_FINDING_TYPES.map((type) => type.ruleId ?? type.type),
    ...GUARDDUTY_EKS_FINDING_TYPES.map((type) => type.type),
    IMAGE_ALERT_RULE_ID,
  ]),
];

function unknownRefs(refs: readonly ControlRef[]): string[] {
  return refs.filter((ref) => findControl(ref) === undefined).map(controlKey);
}

describe('the control table', () => {
  it('holds exactly the controls issue 17 names, per framework', () => {
    const ids = (framework: string) => CONTROLS.filter((c) => c.framework === framework).map((c) => c.id);
    expect(ids('soc2')).toEqual(['CC6.1', 'CC6.6', 'CC6.8', 'CC7.1', 'CC7.2', 'CC7.3', 'CC7.4', 'CC8.1']);
    expect(ids('pci')).toEqual(['1', '2', '6', '7', '8', '10', '11']);
    expect(ids('iso27001')).toEqual(['5.15', '5.23', '8.2', '8.8', '8.9', '8.15', '8.16', '8.20', '8.22']);
    expect(CONTROLS).toHaveLength(24);
  });

  it('has one entry per control, each with a short title, and a source for each framework', () => {
    expect(new Set(CONTROLS.map(controlKey)).size).toBe(CONTROLS.length);
    for (const control of CONTROLS) {
      expect(FRAMEWORKS).toContain(control.framework);
      expect(control.title.length).toBeGreaterThan(0);
      expect(control.title.length).toBeLessThanOrEqual(90);
    }
    expect(Object.keys(CONTROL_SOURCES).sort()).toEqual([...FRAMEWORKS].sort());
    for (const source of Object.values(CONTROL_SOURCES)) {
      expect(source.url).toMatch(/^https:\/\//);
      expect(source.name).not.toBe('');
      expect(source.version).not.toBe('');
    }
  });

  it('uses the PCI DSS v4.0 and ISO/IEC 27001:2022 titles', () => {
    expect(findControl({ framework: 'pci', id: '1' })?.title).toBe(
      'Install and Maintain Network Security Controls',
    );
    expect(findControl({ framework: 'iso27001', id: '8.20' })?.title).toBe('Networks security');
    expect(findControl({ framework: 'iso27001', id: '5.23' })?.title).toBe(
      'Information security for use of cloud services',
    );
  });

  it('keys a control as framework:id', () => {
    expect(controlKey({ framework: 'soc2', id: 'CC6.1' })).toBe('soc2:CC6.1');
  });
});

describe('the control mapping', () => {
  it('gives every registered posture check at least one control, carried in its metadata', () => {
    expect(ALL_CHECKS.length).toBeGreaterThanOrEqual(90);
    const unmapped = ALL_CHECKS.filter((check) => check.controls.length === 0).map((check) => check.id);
    expect(unmapped).toEqual([]);
    for (const check of ALL_CHECKS) expect(check.controls).toEqual(controlsOfCheck(check.id));
    for (const id of ['KP-092', 'KP-093', 'KP-110']) expect(controlsOfCheck(id).length).toBeGreaterThan(0);
  });

  it('sets the controls on the check object itself (a module imported directly carries them)', () => {
    expect(kp060.controls).toEqual(controlsOfCheck('KP-060'));
  });

  it('gives every catalog rule at least one control, carried in its metadata', () => {
    expect(AUDIT_RULES).toHaveLength(58);
    const unmapped = AUDIT_RULES.filter((rule) => rule.controls.length === 0).map((rule) => rule.id);
    expect(unmapped).toEqual([]);
    for (const rule of AUDIT_RULES) expect(rule.controls).toEqual(controlsOfRule(rule.id));
  });

  it('gives every rule id a detection can carry at least one control: GuardDuty types, KD-065, Inspector', () => {
    expect(DETECTION_RULE_IDS).toContain('KD-065');
    expect(DETECTION_RULE_IDS.filter((id) => controlsOfRule(id).length === 0)).toEqual([]);
    expect(controlsOfRule(IMAGE_ALERT_RULE_ID).map(controlKey)).toEqual(
      expect.arrayContaining(['soc2:CC7.1', 'pci:6', 'pci:11', 'iso27001:8.8']),
    );
  });

  it('maps a GuardDuty type AWS adds later by its shape, and nothing else that it does not know', () => {
    expect(controlsOfRule('Execution:Runtime/SomethingNew2027').map(controlKey)).toContain('soc2:CC7.2');
    expect(controlsOfRule('KD-999')).toEqual([]);
    expect(controlsOfRule('not a rule')).toEqual([]);
    expect(controlsOfCheck('KP-999')).toEqual([]);
  });

  it('maps only ids that exist (no stale entry for a removed check or rule)', () => {
    const checks = new Set(ALL_CHECKS.map((check) => check.id));
    expect(MAPPED_CHECK_IDS.filter((id) => !checks.has(id))).toEqual([]);
    const rules = new Set(DETECTION_RULE_IDS);
    expect(MAPPED_RULE_IDS.filter((id) => !rules.has(id))).toEqual([]);
  });

  it('points every reference at a control of the table', () => {
    for (const refs of Object.values(THEMES)) expect(unknownRefs(refs)).toEqual([]);
    for (const check of ALL_CHECKS) expect(unknownRefs(check.controls)).toEqual([]);
    for (const id of DETECTION_RULE_IDS) expect(unknownRefs(controlsOfRule(id))).toEqual([]);
  });

  it('uses every control of the table for at least one check or rule', () => {
    const used = new Set([
      ...ALL_CHECKS.flatMap((check) => check.controls.map(controlKey)),
      ...DETECTION_RULE_IDS.flatMap((id) => controlsOfRule(id).map(controlKey)),
    ]);
    expect(CONTROLS.map(controlKey).filter((key) => !used.has(key))).toEqual([]);
  });

  it('lists each control once per check or rule, in framework then numeric order', () => {
    expect(controlsOfCheck('KP-001').map(controlKey)).toEqual([
      'soc2:CC7.2',
      'pci:10',
      'iso27001:5.23',
      'iso27001:8.15',
    ]);
    for (const id of DETECTION_RULE_IDS) {
      const keys = controlsOfRule(id).map(controlKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('maps the themes the brief names: RBAC, network, hardening, images, logging, secrets', () => {
    const keys = (id: string) => controlsOfCheck(id).map(controlKey);
    expect(keys('KP-040')).toEqual(['soc2:CC6.1', 'pci:7', 'iso27001:8.2']);
    expect(keys('KP-100')).toEqual(['soc2:CC6.6', 'pci:1', 'iso27001:8.22']);
    expect(keys('KP-060')).toEqual(['soc2:CC7.1', 'pci:2', 'iso27001:8.9']);
    expect(keys('KP-093')).toEqual(['soc2:CC7.1', 'pci:6', 'pci:11', 'iso27001:8.8']);
    expect(keys('KP-080')).toEqual(['soc2:CC6.1', 'pci:8', 'iso27001:5.15']);
    expect(controlsOfRule('KD-070').map(controlKey)).toEqual(
      expect.arrayContaining(['soc2:CC7.2', 'pci:10', 'iso27001:8.15']),
    );
  });
});
