import { KubeguardError } from '../errors.ts';
import type { LabelSelector, LabelSelectorRequirement } from './types.ts';

export type Labels = Readonly<Record<string, string>>;
export type LabelMatcher = (labels: Labels) => boolean;

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/**
 * Compiles a label selector into a predicate. All `matchLabels` pairs and all `matchExpressions`
 * must hold (AND); an empty selector matches everything. `where` names the selector in errors.
 */
export function compileSelector(selector: LabelSelector | null | undefined, where: string): LabelMatcher {
  const pairs = Object.entries(selector?.matchLabels ?? {});
  const expressions = (selector?.matchExpressions ?? []).map((e, i) =>
    compileRequirement(e, `${where}.matchExpressions[${i}]`),
  );
  if (pairs.length === 0 && expressions.length === 0) return () => true;
  return (labels) =>
    pairs.every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value) &&
    expressions.every((matches) => matches(labels));
}

function compileRequirement(requirement: LabelSelectorRequirement, where: string): LabelMatcher {
  const { key, operator } = requirement;
  const values = requirement.values ?? [];
  switch (operator) {
    case 'In':
      requireValues(values, where, operator);
      return (labels) => Object.hasOwn(labels, key) && values.includes(labels[key] as string);
    case 'NotIn':
      requireValues(values, where, operator);
      return (labels) => !Object.hasOwn(labels, key) || !values.includes(labels[key] as string);
    case 'Exists':
      requireNoValues(values, where, operator);
      return (labels) => Object.hasOwn(labels, key);
    case 'DoesNotExist':
      requireNoValues(values, where, operator);
      return (labels) => !Object.hasOwn(labels, key);
    default:
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `${where}.operator is ${JSON.stringify(operator)}; use one of ${OPERATORS.join(', ')}`,
        { details: { where, operator } },
      );
  }
}

function requireValues(values: string[], where: string, operator: string): void {
  if (values.length > 0) return;
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `${where}: operator ${operator} needs a non-empty values list`,
    {
      details: { where, operator },
    },
  );
}

function requireNoValues(values: string[], where: string, operator: string): void {
  if (values.length === 0) return;
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `${where}: operator ${operator} takes no values (got ${JSON.stringify(values)})`,
    { details: { where, operator } },
  );
}

/** `app=web,tier!=db,team in (a,b),debug,!legacy` — the kubectl spelling, for reports and messages. */
export function describeSelector(selector: LabelSelector | null | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const { key, operator, values } of selector?.matchExpressions ?? []) {
    const list = (values ?? []).join(',');
    if (operator === 'In') parts.push(`${key} in (${list})`);
    else if (operator === 'NotIn') parts.push(`${key} notin (${list})`);
    else if (operator === 'Exists') parts.push(key);
    else parts.push(`!${key}`);
  }
  return parts.join(',');
}
