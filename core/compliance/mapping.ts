import { findGuardDutyFindingType, type GuardDutyFeature } from '../guardduty/finding-types.ts';
import { IMAGE_ALERT_RULE_ID } from '../supply-chain/image-alerts.ts';
import { type ControlRef, controlKey } from './controls.ts';

export type { ControlRef } from './controls.ts';

/**
 * Which controls each posture check and detection rule gives evidence for: the one mapping source
 * (decision D66). The registries (core/posture/registry.ts, core/detection/registry.ts) copy it
 * into each check's and rule's `controls`; docs/checks/, docs/rules/ and the evidence packs' per-control
 * summaries read it from there or from these functions.
 *
 * A check or rule is mapped to **themes**, each a fixed set of controls, so that checks about the
 * same thing give evidence for the same controls; a theme is added to an id only where it is what the
 * check or rule is about (e.g. hostNetwork is workload hardening and network segregation).
 */

const soc2 = (id: string): ControlRef => ({ framework: 'soc2', id });
const pci = (id: string): ControlRef => ({ framework: 'pci', id });
const iso = (id: string): ControlRef => ({ framework: 'iso27001', id });

/** The themes and their controls; docs/compliance.md explains each choice. */
export const THEMES = {
  /** Who may do what in the cluster, least privilege. */
  access: [soc2('CC6.1'), pci('7'), iso('5.15')],
  /** Rights that amount to cluster or node control: cluster-admin, escalation, impersonation. */
  privileged: [soc2('CC6.1'), pci('7'), iso('8.2')],
  /** Who can authenticate, and with which credentials (anonymous access, tokens, certificates). */
  authentication: [soc2('CC6.1'), pci('8'), iso('5.15')],
  /** Secrets and credentials: where they live, who reads them, how often they change. */
  secrets: [soc2('CC6.1'), pci('8'), iso('5.15')],
  /** Exposure to and from outside the cluster's boundary: endpoints, load balancers, TLS. */
  network: [soc2('CC6.6'), pci('1'), iso('8.20')],
  /** Segregation inside the cluster: network policies, pods sharing the node's network. */
  segregation: [soc2('CC6.6'), pci('1'), iso('8.22')],
  /** Secure configuration baselines: Pod Security Standards, kubelet, workload hygiene. */
  hardening: [soc2('CC7.1'), pci('2'), iso('8.9')],
  /** Known vulnerabilities in what runs: supported versions, image findings. */
  vulnerabilities: [soc2('CC7.1'), pci('6'), pci('11'), iso('8.8')],
  /** Only vetted software runs: registries, pinned digests, signatures. */
  provenance: [soc2('CC6.8'), pci('6'), iso('8.9')],
  /** Changes go through control: admission, change detection of workloads, RBAC and configuration. */
  change: [soc2('CC8.1'), pci('6'), iso('8.9')],
  /** The configuration of the managed cloud service (EKS, GuardDuty, Secrets Manager, EC2 metadata). */
  cloud: [iso('5.23')],
  /** Audit logs are kept and protected. */
  logging: [soc2('CC7.2'), pci('10'), iso('8.15')],
  /** Threat detection is on (GuardDuty features). */
  monitoring: [soc2('CC7.2'), pci('11'), iso('8.16')],
  /** Malicious software is detected at run time. */
  malware: [soc2('CC6.8')],
  /** An alert of an audit-log rule: monitoring that reviews the audit log. */
  'audit-detection': [soc2('CC7.2'), pci('10'), iso('8.16')],
  /** An alert of GuardDuty or Inspector: intrusion and change detection outside the audit log. */
  'threat-detection': [soc2('CC7.2'), pci('11'), iso('8.16')],
  /** Every alert is evaluated (acknowledged, suppressed with a reason) and answered (actions, resolution). */
  alert: [soc2('CC7.3'), soc2('CC7.4')],
} as const satisfies Record<string, readonly ControlRef[]>;

export type Theme = keyof typeof THEMES;

// biome-ignore format: one check per line reads as a table
const CHECK_THEMES: Record<string, readonly Theme[]> = {
  // AWS side: EKS, GuardDuty, Secrets Manager, EC2.
  'KP-001': ['logging', 'cloud'],
  'KP-003': ['secrets', 'hardening', 'cloud'],
  'KP-004': ['network', 'cloud'],
  'KP-005': ['network', 'cloud'],
  'KP-007': ['vulnerabilities', 'cloud'],
  'KP-008': ['hardening', 'cloud'],
  'KP-009': ['segregation', 'cloud'],
  'KP-010': ['authentication', 'cloud'],
  'KP-011': ['privileged', 'cloud'],
  'KP-012': ['privileged', 'cloud'],
  'KP-013': ['privileged', 'authentication', 'cloud'],
  'KP-014': ['monitoring', 'cloud'],
  'KP-015': ['monitoring', 'logging', 'cloud'],
  'KP-016': ['monitoring', 'malware', 'cloud'],
  'KP-019': ['monitoring', 'malware', 'cloud'],
  'KP-020': ['secrets', 'cloud'],
  'KP-021': ['secrets', 'cloud'],
  'KP-024': ['secrets', 'cloud'],
  'KP-027': ['access', 'cloud'],
  'KP-028': ['hardening', 'network', 'cloud'],
  'KP-029': ['network', 'cloud'],
  // Kubelet configuration.
  'KP-030': ['hardening', 'authentication'],
  'KP-031': ['hardening', 'access'],
  'KP-032': ['hardening', 'authentication'],
  'KP-033': ['hardening', 'authentication'],
  'KP-034': ['hardening'],
  'KP-035': ['hardening', 'segregation'],
  'KP-036': ['hardening', 'logging'],
  'KP-037': ['hardening', 'authentication'],
  // RBAC.
  'KP-040': ['privileged'],
  'KP-041': ['access', 'secrets'],
  'KP-042': ['privileged'],
  'KP-043': ['privileged'],
  'KP-044': ['access'],
  'KP-045': ['access', 'secrets'],
  'KP-046': ['privileged'],
  'KP-047': ['privileged'],
  'KP-048': ['privileged'],
  'KP-049': ['privileged', 'change'],
  'KP-050': ['privileged', 'authentication'],
  'KP-051': ['privileged', 'authentication'],
  'KP-052': ['access'],
  'KP-053': ['access', 'authentication'],
  'KP-054': ['access'],
  'KP-055': ['privileged'],
  // Workloads: Pod Security Standards and hygiene.
  'KP-060': ['hardening'],
  'KP-061': ['hardening'],
  'KP-062': ['hardening'],
  'KP-063': ['hardening', 'segregation'],
  'KP-064': ['hardening'],
  'KP-065': ['hardening'],
  'KP-066': ['hardening'],
  'KP-067': ['hardening', 'network'],
  'KP-068': ['hardening'],
  'KP-069': ['hardening'],
  'KP-070': ['hardening'],
  'KP-071': ['hardening'],
  'KP-072': ['hardening'],
  'KP-073': ['hardening'],
  'KP-074': ['hardening'],
  'KP-075': ['hardening'],
  'KP-076': ['hardening'],
  'KP-077': ['hardening'],
  'KP-078': ['hardening'],
  'KP-079': ['hardening'],
  'KP-080': ['secrets'],
  'KP-081': ['secrets'],
  'KP-082': ['hardening'],
  'KP-083': ['hardening'],
  'KP-084': ['provenance'],
  'KP-085': ['provenance'],
  'KP-086': ['provenance'],
  'KP-087': ['hardening'],
  'KP-088': ['hardening'],
  'KP-089': ['hardening'],
  'KP-090': ['hardening'],
  'KP-091': ['hardening'],
  // Images.
  'KP-092': ['provenance'],
  'KP-093': ['vulnerabilities'],
  'KP-110': ['provenance', 'change'],
  // Network exposure and admission.
  'KP-100': ['segregation'],
  'KP-101': ['segregation'],
  'KP-102': ['segregation'],
  'KP-103': ['network'],
  'KP-104': ['network'],
  'KP-105': ['network'],
  'KP-106': ['network'],
  'KP-107': ['hardening', 'change'],
  'KP-108': ['change'],
  'KP-109': ['hardening', 'change'],
};

/** Every alert of an audit-log rule is audit-log monitoring that is evaluated and answered. */
const AUDIT_RULE_BASE: readonly Theme[] = ['audit-detection', 'alert'];

// biome-ignore format: one rule per line reads as a table
const RULE_THEMES: Record<string, readonly Theme[]> = {
  // Workloads created or changed with an insecure spec.
  'KD-001': ['hardening'],
  'KD-002': ['hardening'],
  'KD-003': ['hardening'],
  'KD-004': ['hardening', 'segregation'],
  'KD-005': ['hardening'],
  'KD-006': ['hardening'],
  'KD-007': ['hardening'],
  'KD-008': ['hardening', 'privileged'],
  'KD-009': ['privileged'],
  'KD-010': ['hardening'],
  'KD-011': ['change'],
  'KD-012': ['change'],
  'KD-013': ['change'],
  'KD-014': ['hardening', 'access'],
  'KD-015': ['provenance'],
  // Exec, copy, port-forward, node proxy.
  'KD-020': ['access'],
  'KD-021': ['privileged'],
  'KD-022': ['access', 'secrets'],
  'KD-023': ['access', 'malware'],
  'KD-024': ['access', 'secrets', 'cloud'],
  'KD-025': ['access'],
  'KD-026': ['access'],
  'KD-028': ['privileged'],
  // Secrets, tokens, certificates.
  'KD-030': ['secrets', 'access'],
  'KD-031': ['secrets'],
  'KD-032': ['secrets', 'access'],
  'KD-033': ['authentication'],
  'KD-034': ['secrets', 'change'],
  'KD-035': ['secrets'],
  'KD-036': ['authentication'],
  'KD-037': ['authentication'],
  // RBAC and cluster configuration changed.
  'KD-040': ['privileged', 'change'],
  'KD-041': ['privileged', 'change'],
  'KD-042': ['privileged', 'change'],
  'KD-043': ['access', 'change'],
  'KD-044': ['privileged', 'change'],
  'KD-045': ['privileged', 'change'],
  'KD-046': ['privileged', 'change'],
  'KD-047': ['access', 'change'],
  'KD-048': ['access', 'change'],
  'KD-049': ['privileged', 'change'],
  'KD-050': ['authentication', 'privileged', 'change'],
  'KD-051': ['authentication', 'privileged', 'change'],
  'KD-052': ['change'],
  'KD-053': ['change', 'segregation'],
  'KD-054': ['privileged', 'change'],
  'KD-055': ['privileged'],
  // Anonymous, denied and unexpected requests.
  'KD-060': ['authentication'],
  'KD-061': ['access'],
  'KD-062': ['access'],
  // GuardDuty-only catalog id: a known malicious or Tor address calling the API.
  'KD-065': ['authentication', 'network'],
  'KD-066': ['authentication'],
  // Events and objects deleted, namespaces.
  'KD-070': ['logging'],
  'KD-071': ['change'],
  'KD-072': ['access', 'change'],
  // Exposure.
  'KD-080': ['network', 'change'],
  'KD-081': ['network', 'change'],
  'KD-082': ['network', 'change'],
  'KD-083': ['authentication'],
};

/**
 * GuardDuty types kubeguard keeps as the rule id (no catalog rule behind them), by the feature that
 * produces them; a type AWS adds later that the table does not know gets `threat-detection` and `alert`.
 */
const GUARDDUTY_FEATURE_THEMES: Record<GuardDutyFeature, readonly Theme[]> = {
  'eks-audit-logs': ['threat-detection', 'alert'],
  'runtime-monitoring': ['threat-detection', 'malware', 'alert'],
  'malware-protection': ['threat-detection', 'malware', 'alert'],
  'extended-threat-detection': ['threat-detection', 'alert'],
};

/** Inspector image alerts: a vulnerability found in a running image, evaluated and answered. */
const IMAGE_ALERT_THEMES: readonly Theme[] = ['vulnerabilities', 'threat-detection', 'alert'];

/** `Tactic:Resource/Name…` — the shape of a GuardDuty finding type. */
const GUARDDUTY_TYPE = /^[A-Za-z]+:[A-Za-z0-9]+\/\S+$/;

function refsOf(themes: readonly Theme[]): ControlRef[] {
  const seen = new Map<string, ControlRef>();
  for (const theme of themes)
    for (const ref of THEMES[theme]) seen.set(controlKey(ref), { framework: ref.framework, id: ref.id });
  return [...seen.values()].sort(compareRefs);
}

const FRAMEWORK_ORDER = { soc2: 0, pci: 1, iso27001: 2 } as const;

/** Framework order (SOC 2, PCI DSS, ISO), then the control number numerically (`CC6.6` < `CC7.1`, `8.2` < `8.15`). */
export function compareRefs(a: ControlRef, b: ControlRef): number {
  const byFramework = FRAMEWORK_ORDER[a.framework] - FRAMEWORK_ORDER[b.framework];
  if (byFramework !== 0) return byFramework;
  return a.id.localeCompare(b.id, 'en', { numeric: true });
}

/** The themes of a posture check (KP-xxx), or [] for an id the mapping does not know. */
export function themesOfCheck(checkId: string): readonly Theme[] {
  return CHECK_THEMES[checkId] ?? [];
}

/**
 * The themes of a detection's rule id: a catalog rule (KD-xxx, KD-065 included), a GuardDuty type
 * kept as the rule id, or `inspector:vulnerable-image`; [] for anything else.
 */
export function themesOfRule(ruleId: string): readonly Theme[] {
  const themes = RULE_THEMES[ruleId];
  if (themes !== undefined) return [...AUDIT_RULE_BASE, ...themes];
  if (ruleId === IMAGE_ALERT_RULE_ID) return IMAGE_ALERT_THEMES;
  const guardDuty = findGuardDutyFindingType(ruleId);
  if (guardDuty !== undefined) {
    // A GuardDuty type mapped onto a catalog rule is that rule's evidence, found by GuardDuty.
    if (guardDuty.ruleId !== undefined && RULE_THEMES[guardDuty.ruleId] !== undefined)
      return ['threat-detection', ...themesOfRule(guardDuty.ruleId)];
    return GUARDDUTY_FEATURE_THEMES[guardDuty.feature];
  }
  if (GUARDDUTY_TYPE.test(ruleId)) return GUARDDUTY_FEATURE_THEMES['extended-threat-detection'];
  return [];
}

/** The controls a posture check gives evidence for, sorted (framework, then number); [] when unmapped. */
export function controlsOfCheck(checkId: string): ControlRef[] {
  return refsOf(themesOfCheck(checkId));
}

/**
 * The controls a detection rule gives evidence for, sorted: KD-xxx, the GuardDuty types kubeguard
 * keeps as rule ids (and any later GuardDuty type, by its shape), `inspector:vulnerable-image`;
 * [] for an unknown id.
 */
export function controlsOfRule(ruleId: string): ControlRef[] {
  return refsOf(themesOfRule(ruleId));
}

/** The ids the mapping knows, for the tests and the docs. */
export const MAPPED_CHECK_IDS: readonly string[] = Object.freeze(Object.keys(CHECK_THEMES));
export const MAPPED_RULE_IDS: readonly string[] = Object.freeze(Object.keys(RULE_THEMES));
