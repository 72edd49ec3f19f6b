import { CONTROLS, type Control, type ControlRef } from '../compliance/controls.ts';
import { controlsOfCheck, controlsOfRule } from '../compliance/mapping.ts';

export { type ControlRef, controlKey } from '../compliance/controls.ts';

/**
 * What the summaries need of the control mapping: the controls of each framework and which controls
 * a posture check or a detection rule gives evidence for. The default is the repository's table and
 * mapping (core/compliance, decision D66); tests may pass another.
 */
export interface ControlCatalog {
  controls: readonly Control[];
  ofCheck(checkId: string): readonly ControlRef[];
  ofRule(ruleId: string): readonly ControlRef[];
}

export const COMPLIANCE_CATALOG: ControlCatalog = {
  controls: CONTROLS,
  ofCheck: controlsOfCheck,
  ofRule: controlsOfRule,
};
