import { badRequest, isObject, type JsonObject } from './failure.ts';

/**
 * Label and field selectors as the API server parses them (pure, shared by the HTTP server and the
 * in-memory KubeReader of the tests).
 */

// ---------------------------------------------------------------------------------------------
// Label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, comma = AND.

export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;

export function parseLabelSelector(text: string): LabelPredicate {
  const requirements = splitOutsideParentheses(text)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(parseRequirement);
  return (labels) => requirements.every((matches) => matches(labels));
}

function splitOutsideParentheses(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

const SET_REQUIREMENT = /^([A-Za-z0-9_./-]+)\s+(in|notin)\s*\(([^()]*)\)$/;
const EQUALITY_REQUIREMENT = /^([A-Za-z0-9_./-]+)\s*(==|!=|=)\s*([A-Za-z0-9_.-]*)$/;
const KEY = /^!?\s*([A-Za-z0-9_./-]+)$/;

function parseRequirement(requirement: string): LabelPredicate {
  const set = SET_REQUIREMENT.exec(requirement);
  if (set) {
    const [, key, operator, list] = set as unknown as [string, string, string, string];
    const values = list
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length === 0) throw badRequest(`unable to parse requirement: values for "${key}" are empty`);
    return operator === 'in'
      ? (labels) => Object.hasOwn(labels, key) && values.includes(labels[key] as string)
      : (labels) => !Object.hasOwn(labels, key) || !values.includes(labels[key] as string);
  }
  const equality = EQUALITY_REQUIREMENT.exec(requirement);
  if (equality) {
    const [, key, operator, value] = equality as unknown as [string, string, string, string];
    return operator === '!='
      ? (labels) => labels[key] !== value
      : (labels) => Object.hasOwn(labels, key) && labels[key] === value;
  }
  const key = KEY.exec(requirement);
  if (key) {
    const name = key[1] as string;
    return requirement.startsWith('!')
      ? (labels) => !Object.hasOwn(labels, name)
      : (labels) => Object.hasOwn(labels, name);
  }
  throw badRequest(`unable to parse requirement: ${JSON.stringify(requirement)}`);
}

// ---------------------------------------------------------------------------------------------
// Field selectors: `path=value`, `path==value`, `path!=value`, comma = AND, only supported paths.

export type ObjectPredicate = (object: JsonObject) => boolean;

export function parseFieldSelector(text: string, supported: readonly string[]): ObjectPredicate {
  const requirements = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part): ObjectPredicate => {
      const match = /^([A-Za-z.]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
      if (!match) throw badRequest(`invalid field selector: ${JSON.stringify(part)}`);
      const [, path, operator, value] = match as unknown as [string, string, string, string];
      if (!supported.includes(path)) throw badRequest(`field label not supported: ${path}`);
      return operator === '!='
        ? (object) => fieldValue(object, path) !== value
        : (object) => fieldValue(object, path) === value;
    });
  return (object) => requirements.every((matches) => matches(object));
}

/** A missing field compares as the empty string, as the API server's field sets do. */
function fieldValue(object: JsonObject, path: string): string {
  let current: unknown = object;
  for (const segment of path.split('.')) current = isObject(current) ? current[segment] : undefined;
  return current === undefined || current === null ? '' : String(current);
}
