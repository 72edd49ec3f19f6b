import { type ControlRef, FRAMEWORK_EDITIONS, findControl } from './controls.ts';
import { FRAMEWORKS } from './framework.ts';

/**
 * Controls as the generated docs show them: `CC6.1, PCI 7, A.8.2` in a table cell (SOC 2 criteria
 * are self-describing, PCI DSS requirements take `PCI`, ISO/IEC 27001 Annex A controls `A.`).
 */
export function shortControl(ref: ControlRef): string {
  switch (ref.framework) {
    case 'soc2':
      return ref.id;
    case 'pci':
      return `PCI ${ref.id}`;
    case 'iso27001':
      return `A.${ref.id}`;
  }
}

/** `CC6.1`, `Requirement 7`, `A.8.2`: a control named in a sentence. */
export function longControl(ref: ControlRef): string {
  return ref.framework === 'pci' ? `Requirement ${ref.id}` : shortControl(ref);
}

export function controlsCell(refs: readonly ControlRef[] | undefined): string {
  return refs === undefined || refs.length === 0 ? '' : refs.map(shortControl).join(', ');
}

/**
 * The "Compliance controls" section of a check or rule page: one line per framework, each control
 * with its short title; `link` is the relative path of docs/compliance.md from the page.
 */
export function controlsSection(
  refs: readonly ControlRef[] | undefined,
  link: string,
  what: string,
): string[] {
  const lines = ['## Compliance controls', ''];
  if (refs === undefined || refs.length === 0) return [...lines, 'None mapped.', ''];
  lines.push(`${what} gives evidence for these controls ([mapping and sources](${link})):`, '');
  for (const framework of FRAMEWORKS) {
    const ofFramework = refs.filter((ref) => ref.framework === framework);
    if (ofFramework.length === 0) continue;
    const named = ofFramework.map(
      (ref) => `${longControl(ref)} — ${findControl(ref)?.title ?? '(not in the table)'}`,
    );
    lines.push(`- **${FRAMEWORK_EDITIONS[framework]}:** ${named.join('; ')}`);
  }
  lines.push('');
  return lines;
}
