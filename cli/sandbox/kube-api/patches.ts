import { badRequest, invalid, isObject, type JsonObject } from './failure.ts';

/**
 * The three PATCH formats the API server accepts: strategic merge, JSON merge (RFC 7386) and JSON
 * patch (RFC 6902). A patch that cannot apply fails with the Status the real server answers.
 */

// ---------------------------------------------------------------------------------------------
// JSON merge patch (RFC 7386): objects merge, null deletes, everything else replaces.

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch: a merge patch in which the lists Kubernetes declares with
// `patchStrategy: merge` merge element by element on their merge key, `$patch: delete|replace`
// directives apply, and `$setElementOrder/…` and `$retainKeys` hints are accepted.

/** Merge keys of the lists kubeguard's objects carry (the API's `patchMergeKey`). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  ownerReferences: 'uid',
  conditions: 'type',
};

/** `ports` merges on `containerPort` in containers and on `port` in Services. */
function mergeKeyOf(field: string, parentPath: readonly string[]): string | undefined {
  if (field === 'ports') return parentPath.at(-1) === 'spec' ? 'port' : 'containerPort';
  return MERGE_KEYS[field];
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  return strategicMerge(target, patch, []);
}

function strategicMerge(target: unknown, patch: unknown, path: readonly string[]): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') return withoutDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const mergeKey = mergeKeyOf(key, path);
    if (Array.isArray(value) && mergeKey !== undefined) {
      result[key] = mergeList(result[key], value, mergeKey, [...path, key]);
    } else {
      result[key] = strategicMerge(result[key], value, [...path, key]);
    }
  }
  return result;
}

function mergeList(target: unknown, patch: unknown[], mergeKey: string, path: readonly string[]): unknown[] {
  const merged = Array.isArray(target) ? [...target] : [];
  for (const item of patch) {
    if (!isObject(item) || !(mergeKey in item)) {
      throw badRequest(`${path.join('.')}: every element needs its merge key "${mergeKey}"`);
    }
    const index = merged.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (index >= 0) merged.splice(index, 1);
    } else if (index >= 0) {
      merged[index] = strategicMerge(merged[index], item, path);
    } else {
      merged.push(withoutDirectives(item));
    }
  }
  return merged;
}

function withoutDirectives(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !key.startsWith('$')));
}

// ---------------------------------------------------------------------------------------------
// JSON patch (RFC 6902): add, remove, replace, move, copy, test on JSON pointers (RFC 6901).

interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('a JSON patch must be an array of operations');
  let document = structuredClone(target);
  for (const [index, raw] of operations.entries()) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest(`JSON patch operation ${index} needs "op" and "path"`);
    }
    document = applyOperation(document, raw as unknown as JsonPatchOperation);
  }
  return document;
}

function applyOperation(document: unknown, operation: JsonPatchOperation): unknown {
  switch (operation.op) {
    case 'add':
      return addAt(document, pointer(operation.path), structuredClone(operation.value));
    case 'remove':
      return removeAt(document, pointer(operation.path)).document;
    case 'replace': {
      const removed = removeAt(document, pointer(operation.path)).document;
      return addAt(removed, pointer(operation.path), structuredClone(operation.value));
    }
    case 'move': {
      const { document: without, value } = removeAt(document, pointer(required(operation.from, 'from')));
      return addAt(without, pointer(operation.path), value);
    }
    case 'copy': {
      const value = valueAt(document, pointer(required(operation.from, 'from')));
      return addAt(document, pointer(operation.path), structuredClone(value));
    }
    case 'test': {
      const value = valueAt(document, pointer(operation.path));
      if (JSON.stringify(value) !== JSON.stringify(operation.value)) {
        throw invalid(
          `the server rejected our request due to an error in our request: test failed at ${operation.path}`,
        );
      }
      return document;
    }
    default:
      throw badRequest(`unknown JSON patch operation ${JSON.stringify(operation.op)}`);
  }
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw badRequest(`JSON patch operation needs "${name}"`);
  return value;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function valueAt(document: unknown, tokens: readonly string[]): unknown {
  let current = document;
  for (const token of tokens) {
    if (Array.isArray(current) && /^\d+$/.test(token) && Number(token) < current.length) {
      current = current[Number(token)];
    } else if (isObject(current) && Object.hasOwn(current, token)) {
      current = current[token];
    } else {
      throw invalid(`the server rejected our request: path /${tokens.join('/')} does not exist`);
    }
  }
  return current;
}

function addAt(document: unknown, tokens: readonly string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const parentTokens = tokens.slice(0, -1);
  const last = tokens.at(-1) as string;
  const root = structuredClone(document);
  const parent = valueAt(root, parentTokens);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index > parent.length) throw invalid(`array index ${last} out of range`);
    parent.splice(index, 0, value);
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw invalid(`cannot add below a scalar at /${parentTokens.join('/')}`);
  }
  return root;
}

function removeAt(document: unknown, tokens: readonly string[]): { document: unknown; value: unknown } {
  const value = valueAt(document, tokens);
  if (tokens.length === 0) return { document: undefined, value };
  const root = structuredClone(document);
  const parent = valueAt(root, tokens.slice(0, -1));
  const last = tokens.at(-1) as string;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as JsonObject)[last];
  return { document: root, value };
}
