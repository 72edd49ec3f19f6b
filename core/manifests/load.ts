import { isCollection, isMap, isPair, isSeq, type Node, parseAllDocuments, visit } from 'yaml';
import type { KubeObject, ObjectMeta } from '../model/kube-object.ts';
import { parseFastYaml, Unsupported } from './fast-yaml.ts';

/**
 * Turns manifest text (multi-document YAML, JSON objects, JSON arrays, `List` kinds) into Kubernetes
 * objects that remember where they came from. Pure: the caller reads the file and passes its text in.
 * A bad document is reported and skipped; the rest of the file is still loaded.
 */

/**
 * One Kubernetes object as written: the object model of core/model before it is complete — at least
 * `apiVersion` and `kind`, and metadata (even a name) possibly missing; everything else unchecked.
 */
export interface KubernetesObject {
  apiVersion: string;
  kind: KubeObject['kind'];
  metadata?: Partial<ObjectMeta>;
  [key: string]: unknown;
}

export interface LoadedObject {
  object: KubernetesObject;
  file: string;
  /** 0-based document index in the file (YAML `---` documents, or elements of a top-level JSON array). */
  index: number;
  /** 0-based position inside a `List` kind's `items`, when the object came from one. */
  item?: number;
  /** 1-based line where the object starts (YAML only; code-scanning reports point at it). */
  line?: number;
}

export interface ManifestError {
  file: string;
  index: number;
  item?: number;
  reason: string;
}

export interface ParsedManifests {
  objects: LoadedObject[];
  errors: ManifestError[];
}

/** YAML aliases expanded per document: enough for real manifests, too few for an alias bomb. */
const MAX_ALIAS_COUNT = 100;

export function parseManifests(text: string, file: string): ParsedManifests {
  const documents = looksLikeJson(text) ? jsonDocuments(text, file) : yamlDocuments(text, file);
  const result: ParsedManifests = { objects: [], errors: [...documents.errors] };
  for (const { value, index, lineOf } of documents.values) collectObjects(value, file, index, result, lineOf);
  return result;
}

/** Line of the document (no argument) or of one of its top-level / `items` elements. */
type LineOf = (item?: number) => number | undefined;

interface RawDocuments {
  values: { value: unknown; index: number; lineOf?: LineOf }[];
  errors: ManifestError[];
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}

function jsonDocuments(text: string, file: string): RawDocuments {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Flow-style YAML also starts with { or [; fall back before calling the file broken.
    const asYaml = yamlDocuments(text, file);
    if (asYaml.errors.length === 0) return asYaml;
    const reason = error instanceof Error ? error.message : String(error);
    return { values: [], errors: [{ file, index: 0, reason: `invalid JSON: ${reason}` }] };
  }
  if (Array.isArray(parsed)) return { values: parsed.map((value, index) => ({ value, index })), errors: [] };
  return { values: [{ value: parsed, index: 0 }], errors: [] };
}

/** 1-based line of a character offset (binary search over the offsets where lines start). */
function lineLocator(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

function documentLines(contents: Node | null, lineAt: (offset: number) => number): LineOf {
  const start = (node: unknown) => {
    const range = (node as Node | undefined)?.range;
    return range === undefined || range === null ? undefined : lineAt(range[0]);
  };
  return (item) => {
    if (item === undefined) return start(contents);
    const sequence = isSeq(contents) ? contents : isMap(contents) ? contents.get('items', true) : undefined;
    return isSeq(sequence) ? start(sequence.items[item]) : start(contents);
  };
}

export const HELM_TEMPLATE = 'looks like an unrendered Helm template: run helm template first';

/** `{{ … }}` of a Go template, where YAML then finds errors or mappings used as keys. */
function looksLikeHelm(text: string): boolean {
  return /\{\{[^\n]*\}\}/.test(text);
}

/** Whether a mapping key is itself a mapping or sequence (`{{ .Values.x }}` parses as one). */
function hasCollectionKey(contents: Node | null): boolean {
  let found = false;
  visit(contents, {
    Pair(_, pair) {
      if (isPair(pair) && isCollection(pair.key)) {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** The fast reader's documents, or undefined when the file is outside its subset (see fast-yaml.ts). */
function fastDocuments(text: string): RawDocuments | undefined {
  let documents: ReturnType<typeof parseFastYaml>;
  try {
    documents = parseFastYaml(text);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  return {
    values: documents.map((document, index) => ({
      value: document.value,
      index,
      lineOf: (item?: number) =>
        item === undefined ? document.line : (document.itemLines?.[item] ?? document.line),
    })),
    errors: [],
  };
}

function yamlDocuments(text: string, file: string): RawDocuments {
  const fast = fastDocuments(text);
  if (fast !== undefined) return fast;
  return slowYamlDocuments(text, file);
}

/** The `yaml` package: every YAML construct, and the error messages of broken documents. */
function slowYamlDocuments(text: string, file: string): RawDocuments {
  const raw: RawDocuments = { values: [], errors: [] };
  const lineAt = lineLocator(text);
  // logLevel error: the library's process warnings (e.g. "mapAsMap" for a template's `{{ }}`) must
  // not leak onto the user's terminal; such documents are reported below, by file and index.
  parseAllDocuments(text, { logLevel: 'error' }).forEach((document, index) => {
    const [start, , end] = document.range;
    const source = text.slice(start, end);
    if (looksLikeHelm(source) && (document.errors.length > 0 || hasCollectionKey(document.contents))) {
      raw.errors.push({ file, index, reason: HELM_TEMPLATE });
      return;
    }
    if (document.errors.length > 0) {
      const messages = document.errors.map((e) => e.message.split('\n')[0]);
      const more = messages.length > 3 ? `; and ${messages.length - 3} more` : '';
      const reason = `${messages.slice(0, 3).join('; ')}${more}`;
      raw.errors.push({ file, index, reason: `invalid YAML: ${reason}` });
      return;
    }
    try {
      const value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      raw.values.push({ value, index, lineOf: documentLines(document.contents, lineAt) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      raw.errors.push({ file, index, reason: `unreadable YAML document: ${reason}` });
    }
  });
  return raw;
}

function collectObjects(
  value: unknown,
  file: string,
  index: number,
  into: ParsedManifests,
  lineOf?: LineOf,
): void {
  // An empty document (a trailing `---`, a comment-only file) is not an error.
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((element, item) => {
      addObject(element, { file, index, item }, into, lineOf?.(item));
    });
    return;
  }
  if (isListKind(value)) {
    value.items.forEach((element, item) => {
      addObject(element, { file, index, item }, into, lineOf?.(item));
    });
    return;
  }
  addObject(value, { file, index }, into, lineOf?.());
}

function addObject(
  value: unknown,
  where: { file: string; index: number; item?: number },
  into: ParsedManifests,
  line?: number,
): void {
  const problem = objectProblem(value);
  if (problem !== undefined) {
    into.errors.push({ ...where, reason: problem });
    return;
  }
  const loaded: LoadedObject = { object: value as KubernetesObject, ...where };
  if (line !== undefined) loaded.line = line;
  into.objects.push(loaded);
}

function objectProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `expected a Kubernetes object, got ${describe(value)}`;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.kind !== 'string' || record.kind === '') {
    return `object has no "kind" (got ${describe(record.kind)}); every manifest needs apiVersion and kind`;
  }
  if (typeof record.apiVersion !== 'string' || record.apiVersion === '') {
    return `${record.kind} has no "apiVersion" (got ${describe(record.apiVersion)})`;
  }
  if (record.metadata !== undefined && (typeof record.metadata !== 'object' || record.metadata === null)) {
    return `${record.kind} has a "metadata" that is not an object (got ${describe(record.metadata)})`;
  }
  return undefined;
}

function isListKind(value: unknown): value is { kind: string; items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.kind === 'string' && record.kind.endsWith('List') && Array.isArray(record.items);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
