import { KubeguardError } from '../errors.ts';
import { arrayField, field, type KubeObject, stringField } from '../model/kube-object.ts';
import { compileSelector } from '../netpol/labels.ts';
import type { LabelSelector } from '../netpol/types.ts';
import type { KubeReader, ObjectRef } from './ports.ts';

/**
 * Helpers remediation uses on Kubernetes objects. The object model, the kind table and the owner
 * chain live in core/model (one model for posture, netpol and remediation); they are re-exported
 * here for the action modules that import them from this file.
 */
export { apiGroupOf, isKubeKind, KUBE_KINDS, type KubeKind } from '../model/kube-kinds.ts';
export {
  annotationsOf,
  arrayField,
  controllerOf,
  describeRef,
  field,
  type KubeObject,
  labelsOf,
  numberField,
  type ObjectMeta,
  type OwnerReference,
  stringField,
} from '../model/kube-object.ts';

/**
 * Whether a `spec.selector` (a LabelSelector on workloads and PDBs) matches the labels. A missing or
 * malformed selector matches nothing: remediation must not treat "unknown" as "selects this pod".
 */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (typeof selector !== 'object' || selector === null) return false;
  try {
    return compileSelector(selector as LabelSelector, 'selector')(labels);
  } catch {
    return false;
  }
}

/** The label keys a LabelSelector refers to. */
export function selectorKeys(selector: unknown): string[] {
  const matchLabels = field(selector, 'matchLabels');
  const keys = typeof matchLabels === 'object' && matchLabels !== null ? Object.keys(matchLabels) : [];
  for (const expression of arrayField(selector, 'matchExpressions')) {
    const key = stringField(expression, 'key');
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

/** A Service's `spec.selector` is a plain map; empty or missing selects no pod (manual endpoints). */
export function serviceSelects(service: KubeObject, labels: Record<string, string>): boolean {
  const selector = field(service, 'spec', 'selector');
  if (typeof selector !== 'object' || selector === null) return false;
  const pairs = Object.entries(selector as Record<string, unknown>);
  return (
    pairs.length > 0 && pairs.every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value)
  );
}

/** A label value Kubernetes accepts: at most 63 characters, alphanumeric at both ends. */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)$/;

export function requireLabelValue(value: string, what: string): string {
  if (LABEL_VALUE.test(value)) return value;
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `${what} ${JSON.stringify(value)} is not a valid label value; use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    { details: { what, value } },
  );
}

/** Escapes a JSON pointer token (RFC 6901): label keys such as `app.kubernetes.io/name` carry '/'. */
export function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The object, or undefined when the API answers 404; other errors propagate. */
export async function findObject(kube: KubeReader, ref: ObjectRef): Promise<KubeObject | undefined> {
  try {
    return await kube.get(ref);
  } catch (error) {
    if (error instanceof KubeguardError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

/** A namespace, pod or node name as Kubernetes spells them (DNS-1123 subdomain). */
export function requireName(value: string, what: string): string {
  if (/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(value)) return value;
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `${what} ${JSON.stringify(value)} is not a Kubernetes name; pass the ${what} exactly as kubectl shows it`,
    { details: { [what]: value } },
  );
}
