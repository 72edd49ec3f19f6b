import { compileSelector, type LabelMatcher, type Labels } from '../netpol/labels.ts';
import type { LabelSelector } from '../netpol/types.ts';

export type { LabelMatcher, Labels };

/**
 * A label selector compiled once (the NetworkPolicy evaluator's matcher). A malformed selector — an
 * unknown operator, `In` without values — matches nothing and says why, instead of failing the audit.
 */
export interface CompiledSelector {
  matches: LabelMatcher;
  error?: string;
}

const NOTHING: LabelMatcher = () => false;

/** `undefined`/`null` selects everything (NetworkPolicy podSelector semantics) unless `nilMatchesNothing`. */
export function selectorOf(selector: unknown, where: string, nilMatchesNothing = false): CompiledSelector {
  if (selector === undefined || selector === null)
    return { matches: nilMatchesNothing ? NOTHING : () => true };
  if (typeof selector !== 'object' || Array.isArray(selector)) {
    return { matches: NOTHING, error: `${where} is not a label selector object` };
  }
  try {
    return { matches: compileSelector(selector as LabelSelector, where) };
  } catch (error) {
    return { matches: NOTHING, error: error instanceof Error ? error.message : String(error) };
  }
}

/** A Service's `spec.selector` (a plain label map): every pair must match; empty selects nothing. */
export function mapSelectorOf(selector: unknown): LabelMatcher | undefined {
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector)) return undefined;
  const pairs = Object.entries(selector as Record<string, unknown>).map(
    ([key, value]) => [key, String(value)] as const,
  );
  if (pairs.length === 0) return undefined;
  return (labels) => pairs.every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value);
}
