import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The import graph of the repository's TypeScript sources, for the layer test
 * (test/unit/architecture/import-graph.test.ts). Imports are read with the TypeScript scanner
 * (`ts.preProcessFile`), so `import type`, `export … from`, `import()` and `import x = require()` are
 * all edges and text in comments or strings is not. Specifiers resolve as Node resolves them here:
 * relative paths, and `#…` subpath imports through package.json "imports"; anything else is a package.
 */

/** A module a file imports: another source file of the repository, or a package / Node builtin. */
export type ImportTarget = { kind: 'file'; path: string } | { kind: 'package'; name: string };

export interface ImportEdge {
  /** The importing file, relative to the root, with `/` separators. */
  from: string;
  specifier: string;
  target: ImportTarget;
  /** `import type …` / `export type … from` (erased at run time, still a dependency of the design). */
  typeOnly: boolean;
}

export interface ImportGraph {
  root: string;
  files: string[];
  edges: ImportEdge[];
}

/** The folders whose .ts files make up the graph. */
export const SOURCE_FOLDERS = [
  'core',
  'adapters',
  'lambdas',
  'bot',
  'cli',
  'infra',
  'test',
  'bench',
  'scripts',
];

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'fixtures', 'cdk.out', '.kubeguard']);

export function buildImportGraph(root: string, folders: readonly string[] = SOURCE_FOLDERS): ImportGraph {
  const subpaths = subpathImports(root);
  const files = folders.flatMap((folder) => sourceFiles(join(root, folder))).map((file) => toKey(root, file));
  const edges = files.flatMap((file) => importsOf(root, file, subpaths));
  return { root, files, edges };
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory())
      return SKIPPED_DIRECTORIES.has(entry.name) ? [] : sourceFiles(join(dir, entry.name));
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [join(dir, entry.name)] : [];
  });
}

function toKey(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** package.json "imports": `#core/*` → `./core/*` (only the `*` patterns kubeguard uses). */
function subpathImports(root: string): [prefix: string, target: string][] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    imports?: Record<string, unknown>;
  };
  return Object.entries(manifest.imports ?? {}).flatMap(([pattern, target]) =>
    typeof target === 'string' && pattern.endsWith('*') && target.endsWith('*')
      ? [[pattern.slice(0, -1), target.slice(0, -1)] as [string, string]]
      : [],
  );
}

function importsOf(root: string, file: string, subpaths: [string, string][]): ImportEdge[] {
  const text = readFileSync(join(root, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  const typeOnly = typeOnlySpecifiers(file, text);
  return info.importedFiles.map(({ fileName: specifier }) => ({
    from: file,
    specifier,
    target: resolveSpecifier(root, file, specifier, subpaths),
    typeOnly: typeOnly.has(specifier),
  }));
}

/** Specifiers every import or re-export of which is `type`-only. */
function typeOnlySpecifiers(file: string, text: string): Set<string> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const typeOnly = new Map<string, boolean>();
  const note = (specifier: ts.Expression | undefined, isTypeOnly: boolean) => {
    if (specifier === undefined || !ts.isStringLiteral(specifier)) return;
    typeOnly.set(specifier.text, (typeOnly.get(specifier.text) ?? true) && isTypeOnly);
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const allNamedTypes =
        clause?.namedBindings !== undefined &&
        ts.isNamedImports(clause.namedBindings) &&
        clause.name === undefined &&
        clause.namedBindings.elements.length > 0 &&
        clause.namedBindings.elements.every((element) => element.isTypeOnly);
      note(statement.moduleSpecifier, clause?.isTypeOnly === true || allNamedTypes);
    } else if (ts.isExportDeclaration(statement)) {
      note(statement.moduleSpecifier, statement.isTypeOnly);
    }
  }
  return new Set([...typeOnly].filter(([, only]) => only).map(([specifier]) => specifier));
}

function resolveSpecifier(
  root: string,
  file: string,
  specifier: string,
  subpaths: [string, string][],
): ImportTarget {
  if (specifier.startsWith('.'))
    return { kind: 'file', path: toKey(root, resolve(root, dirname(file), specifier)) };
  if (specifier.startsWith('#')) {
    const mapping = subpaths.find(([prefix]) => specifier.startsWith(prefix));
    if (mapping === undefined) return { kind: 'package', name: specifier };
    return {
      kind: 'file',
      path: toKey(root, resolve(root, mapping[1] + specifier.slice(mapping[0].length))),
    };
  }
  return { kind: 'package', name: packageName(specifier) };
}

/** `@aws-sdk/client-s3/dist` → `@aws-sdk/client-s3`; `node:fs/promises` → `node:fs/promises`. */
function packageName(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The first folder of a repository path: its layer. */
export function layerOf(path: string): string {
  return path.split('/')[0] ?? path;
}

/**
 * Every import cycle among the graph's files (Tarjan's strongly connected components; a file that
 * imports itself is a cycle too), each as the list of its files, sorted.
 */
export function importCycles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) {
    if (edge.target.kind !== 'file') continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.target.path]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  // Iterative, so a long import chain cannot overflow the call stack.
  for (const start of graph.files) {
    if (index.has(start)) continue;
    const work: { node: string; children: string[]; at: number }[] = [];
    const open = (node: string) => {
      index.set(node, counter);
      low.set(node, counter);
      counter += 1;
      stack.push(node);
      onStack.add(node);
      work.push({ node, children: next.get(node) ?? [], at: 0 });
    };
    open(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as (typeof work)[number];
      if (frame.at < frame.children.length) {
        const child = frame.children[frame.at] as string;
        frame.at += 1;
        if (!index.has(child)) open(child);
        else if (onStack.has(child))
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(child) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined)
        low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      const selfImport = (next.get(frame.node) ?? []).includes(frame.node);
      if (component.length > 1 || selfImport) cycles.push(component.sort());
    }
  }
  return cycles.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/** What a layer may import: other layers (first path segment) and packages. */
export interface LayerRule {
  /** Layers this one may import (itself included when listed). */
  layers: readonly string[];
  /** Packages it may import: `true` for any, else the allowed names or patterns. */
  packages: true | readonly (string | RegExp)[];
  /** Packages it must not import even when `packages` is `true`, with why. */
  forbiddenPackages?: readonly { pattern: RegExp; why: string }[];
  /** A further check on file-to-file edges within the allowed layers; returns why an edge is wrong. */
  check?: (from: string, to: string) => string | undefined;
}

/** Every edge that breaks its layer's rule, as `from → target (why)`. Files of unlisted layers are free. */
export function layerViolations(graph: ImportGraph, rules: Readonly<Record<string, LayerRule>>): string[] {
  const violations: string[] = [];
  for (const edge of graph.edges) {
    const rule = rules[layerOf(edge.from)];
    if (rule === undefined) continue;
    const kind = edge.typeOnly ? 'type import' : 'import';
    const report = (why: string) => violations.push(`${edge.from} → ${edge.specifier} (${kind}): ${why}`);
    if (edge.target.kind === 'file') {
      const layer = layerOf(edge.target.path);
      if (!rule.layers.includes(layer)) {
        report(`${layerOf(edge.from)}/ may import only ${rule.layers.map((l) => `${l}/`).join(', ')}`);
        continue;
      }
      const why = rule.check?.(edge.from, edge.target.path);
      if (why !== undefined) report(why);
      continue;
    }
    const name = edge.target.name;
    const forbidden = rule.forbiddenPackages?.find(({ pattern }) => pattern.test(name));
    if (forbidden !== undefined) {
      report(forbidden.why);
      continue;
    }
    if (rule.packages === true) continue;
    const allowed = rule.packages.some((p) => (typeof p === 'string' ? p === name : p.test(name)));
    if (!allowed) report(`${layerOf(edge.from)}/ may import only the packages ${rule.packages.join(', ')}`);
  }
  return violations;
}

/**
 * Every file and package `start` loads at run time, following value imports only (type imports are
 * erased): what its bundle holds.
 */
export function runtimeClosure(
  graph: ImportGraph,
  start: string,
): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>([start]);
  const packages = new Set<string>();
  const queue = [start];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const edge of graph.edges) {
      if (edge.from !== file || edge.typeOnly) continue;
      if (edge.target.kind === 'package') packages.add(edge.target.name);
      else if (!files.has(edge.target.path)) {
        files.add(edge.target.path);
        queue.push(edge.target.path);
      }
    }
  }
  return { files, packages };
}
