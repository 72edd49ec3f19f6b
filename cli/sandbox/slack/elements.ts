import { isRecord } from './http.ts';

/**
 * Finding the interactive element a person used in a message's or view's blocks, and turning the
 * page's form values into Slack's `state.values` (block id → action id → typed value), as Slack
 * builds them from what the person entered.
 */

/** Slack gives a block without a `block_id` one of its own; the sandbox's is stable per position. */
export function blockIdOf(block: Record<string, unknown>, index: number): string {
  return typeof block.block_id === 'string' ? block.block_id : `sbx${index}`;
}

export interface FoundElement {
  element: Record<string, unknown>;
  blockId: string;
}

/** The element with `actionId` in the block at `blockIndex` (actions, section accessory, input). */
export function findElement(blocks: unknown, blockIndex: number, actionId: string): FoundElement | undefined {
  if (!Array.isArray(blocks)) return undefined;
  const block = blocks[blockIndex];
  if (!isRecord(block)) return undefined;
  const candidates: unknown[] = [];
  if (Array.isArray(block.elements)) candidates.push(...block.elements);
  if (isRecord(block.accessory)) candidates.push(block.accessory);
  if (isRecord(block.element)) candidates.push(block.element);
  const element = candidates.find((c) => isRecord(c) && c.action_id === actionId);
  return isRecord(element) ? { element, blockId: blockIdOf(block, blockIndex) } : undefined;
}

/** What the page says a person entered: block id → action id → text, option value or values. */
export type PageValues = Record<string, Record<string, string | string[] | null>>;

function optionsOf(element: Record<string, unknown>): Record<string, unknown>[] {
  const direct = Array.isArray(element.options) ? element.options : [];
  const grouped = Array.isArray(element.option_groups)
    ? element.option_groups.flatMap((g) => (isRecord(g) && Array.isArray(g.options) ? g.options : []))
    : [];
  return [...direct, ...grouped].filter(isRecord);
}

/** One option of a select, radio or overflow by its value. */
export function optionByValue(
  element: Record<string, unknown>,
  value: string,
): Record<string, unknown> | undefined {
  return optionsOf(element).find((o) => o.value === value);
}

/** Slack's typed value for one input element. */
function stateValue(
  element: Record<string, unknown>,
  entered: string | string[] | null | undefined,
): unknown {
  const type = String(element.type);
  if (type === 'static_select' || type === 'radio_buttons') {
    const option = typeof entered === 'string' ? optionByValue(element, entered) : undefined;
    return { type, selected_option: option ?? null };
  }
  if (type === 'checkboxes' || type === 'multi_static_select') {
    const values = Array.isArray(entered) ? entered : [];
    return { type, selected_options: values.map((v) => optionByValue(element, v)).filter(isRecord) };
  }
  const initial = typeof element.initial_value === 'string' ? element.initial_value : null;
  const value = typeof entered === 'string' ? entered : initial;
  return { type, value: value === '' ? null : value };
}

/** `state.values` of a view's input blocks from what the page entered. */
export function stateValues(blocks: unknown, entered: PageValues): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  if (!Array.isArray(blocks)) return values;
  blocks.forEach((block, index) => {
    if (!isRecord(block) || block.type !== 'input' || !isRecord(block.element)) return;
    const actionId = String(block.element.action_id ?? '');
    const blockId = blockIdOf(block, index);
    values[blockId] = { [actionId]: stateValue(block.element, entered[blockId]?.[actionId]) };
  });
  return values;
}

/** Input blocks that are required and were left empty: Slack refuses those before the app sees them. */
export function missingRequired(blocks: unknown, values: Record<string, Record<string, unknown>>): string[] {
  if (!Array.isArray(blocks)) return [];
  const missing: string[] = [];
  blocks.forEach((block, index) => {
    if (!isRecord(block) || block.type !== 'input' || block.optional === true) return;
    const entry = Object.values(values[blockIdOf(block, index)] ?? {})[0];
    const empty =
      !isRecord(entry) ||
      ('value' in entry && entry.value === null) ||
      ('selected_option' in entry && entry.selected_option === null) ||
      (Array.isArray(entry.selected_options) && entry.selected_options.length === 0);
    if (empty) missing.push(blockIdOf(block, index));
  });
  return missing;
}
