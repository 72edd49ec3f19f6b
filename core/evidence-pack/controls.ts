import type { Framework } from './model.ts';

/** A control of a framework: `{framework: 'soc2', id: 'CC7.2'}`. */
export interface ControlRef {
  framework: Framework;
  id: string;
}

export interface ControlInfo extends ControlRef {
  title: string;
}

/**
 * What the summaries need of the control mapping (core/compliance): the controls of each framework
 * and which controls a posture check or a detection rule gives evidence for.
 */
export interface ControlCatalog {
  controls: readonly ControlInfo[];
  ofCheck(checkId: string): readonly ControlRef[];
  ofRule(ruleId: string): readonly ControlRef[];
}

export function controlKey(control: ControlRef): string {
  return `${control.framework}:${control.id}`;
}
