import type { Framework } from './framework.ts';

export type { Framework } from './framework.ts';

/**
 * The controls of SOC 2, PCI DSS v4.0 and ISO/IEC 27001:2022 that kubeguard's posture checks and
 * detection rules give evidence for — exactly the ones issue 17 names, no more (decision D66).
 * Titles are short names only: PCI DSS and ISO/IEC 27001 give each requirement or control a title,
 * used as published; the SOC 2 criteria have no title, so theirs is kubeguard's own few-word label
 * of what the criterion is about. No descriptive text of a framework is copied here; the sources
 * below say where to read it.
 */
export interface Control {
  framework: Framework;
  /** As the framework numbers it: `CC6.1`, `7` (a PCI DSS principal requirement), `8.15`. */
  id: string;
  title: string;
}

/** A reference to one control of the table (what checks and rules carry in `controls`). */
export interface ControlRef {
  framework: Framework;
  id: string;
}

// biome-ignore format: one control per line reads as a table
export const CONTROLS: readonly Control[] = Object.freeze([
  { framework: 'soc2', id: 'CC6.1', title: 'Logical access security' },
  { framework: 'soc2', id: 'CC6.6', title: 'Protection at the system boundaries' },
  { framework: 'soc2', id: 'CC6.8', title: 'Unauthorized or malicious software' },
  { framework: 'soc2', id: 'CC7.1', title: 'Configuration and vulnerability monitoring' },
  { framework: 'soc2', id: 'CC7.2', title: 'Monitoring for anomalies' },
  { framework: 'soc2', id: 'CC7.3', title: 'Evaluation of security events' },
  { framework: 'soc2', id: 'CC7.4', title: 'Response to security incidents' },
  { framework: 'soc2', id: 'CC8.1', title: 'Change management' },
  { framework: 'pci', id: '1', title: 'Install and Maintain Network Security Controls' },
  { framework: 'pci', id: '2', title: 'Apply Secure Configurations to All System Components' },
  { framework: 'pci', id: '6', title: 'Develop and Maintain Secure Systems and Software' },
  { framework: 'pci', id: '7', title: 'Restrict Access to System Components and Cardholder Data by Business Need to Know' },
  { framework: 'pci', id: '8', title: 'Identify Users and Authenticate Access to System Components' },
  { framework: 'pci', id: '10', title: 'Log and Monitor All Access to System Components and Cardholder Data' },
  { framework: 'pci', id: '11', title: 'Test Security of Systems and Networks Regularly' },
  { framework: 'iso27001', id: '5.15', title: 'Access control' },
  { framework: 'iso27001', id: '5.23', title: 'Information security for use of cloud services' },
  { framework: 'iso27001', id: '8.2', title: 'Privileged access rights' },
  { framework: 'iso27001', id: '8.8', title: 'Management of technical vulnerabilities' },
  { framework: 'iso27001', id: '8.9', title: 'Configuration management' },
  { framework: 'iso27001', id: '8.15', title: 'Logging' },
  { framework: 'iso27001', id: '8.16', title: 'Monitoring activities' },
  { framework: 'iso27001', id: '8.20', title: 'Networks security' },
  { framework: 'iso27001', id: '8.22', title: 'Segregation of networks' },
] satisfies Control[]);

/** Where each framework's controls are published (docs/compliance.md shows it with the table). */
export const CONTROL_SOURCES: Readonly<Record<Framework, { name: string; version: string; url: string }>> =
  Object.freeze({
    soc2: {
      name: 'AICPA Trust Services Criteria (SOC 2), common criteria',
      version: '2017 Trust Services Criteria, with revised points of focus (2022)',
      url: 'https://www.aicpa-cima.com/resources/download/2017-trust-services-criteria-with-revised-points-of-focus-2022',
    },
    pci: {
      name: 'PCI Security Standards Council, PCI DSS principal requirements',
      version: 'PCI DSS v4.0 (March 2022)',
      url: 'https://www.pcisecuritystandards.org/document_library/',
    },
    iso27001: {
      name: 'ISO/IEC 27001 Annex A (information security controls)',
      version: 'ISO/IEC 27001:2022',
      url: 'https://www.iso.org/standard/27001',
    },
  });

/** `soc2:CC6.1`, `pci:7`, `iso27001:8.15`: one string per control, for maps and sets. */
export function controlKey(control: { framework: Framework; id: string }): string {
  return `${control.framework}:${control.id}`;
}

const BY_KEY = new Map(CONTROLS.map((control) => [controlKey(control), control]));

/** The table entry a reference names, or undefined when the table has no such control. */
export function findControl(ref: { framework: Framework; id: string }): Control | undefined {
  return BY_KEY.get(controlKey(ref));
}

/** Framework labels for headings: `SOC 2`, `PCI DSS`, `ISO/IEC 27001`. */
export const FRAMEWORK_LABELS: Readonly<Record<Framework, string>> = Object.freeze({
  soc2: 'SOC 2',
  pci: 'PCI DSS',
  iso27001: 'ISO/IEC 27001',
});

/** Framework and edition in a few words, for the generated docs: `PCI DSS v4.0`. */
export const FRAMEWORK_EDITIONS: Readonly<Record<Framework, string>> = Object.freeze({
  soc2: 'SOC 2 (2017 TSC)',
  pci: 'PCI DSS v4.0',
  iso27001: 'ISO/IEC 27001:2022 Annex A',
});
