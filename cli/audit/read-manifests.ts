import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { type LoadedObject, parseManifests } from '#core/manifests/load.ts';
import type { SkippedDocument } from '#core/posture/report.ts';
import { codeOf, usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { manifestFiles } from '../manifests/walk.ts';

/** What `--manifests` produced: the objects, the documents that could not be read, the files read. */
export interface ManifestInput {
  objects: LoadedObject[];
  skipped: SkippedDocument[];
  files: string[];
}

/** A path relative to the working directory (forward slashes) when it is inside it: stable across machines. */
export function displayPath(file: string, cwd: string): string {
  const path = relative(cwd, file);
  return path.startsWith('..') || path === '' ? file : path.split(sep).join('/');
}

/** NUL bytes never occur in YAML or JSON text: a file with one in its first 8 KiB is binary. */
function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

const BOM = '\uFEFF';

/** Reads every file under the paths; each skipped document is warned about as it is found. */
export async function readManifests(paths: readonly string[], io: CliIo): Promise<ManifestInput> {
  const input: ManifestInput = { objects: [], skipped: [], files: [] };
  const files: string[] = [];
  for (const path of paths) files.push(...(await manifestFiles(path, io)));
  for (const file of files) {
    const display = displayPath(file, io.cwd);
    input.files.push(display);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw usageError(`cannot read "${display}" (${codeOf(error)})`);
    }
    if (isBinary(bytes)) {
      const skipped: SkippedDocument = { file: display, reason: 'binary, not YAML or JSON' };
      io.stderr(`kubeguard audit: warning: ${display} is binary, not YAML or JSON; skipped\n`);
      input.skipped.push(skipped);
      continue;
    }
    let text = bytes.toString('utf8');
    if (text.startsWith(BOM)) text = text.slice(1);
    const parsed = parseManifests(text, display);
    for (const error of parsed.errors) {
      const item = error.item === undefined ? '' : ` item ${error.item}`;
      io.stderr(
        `kubeguard audit: warning: skipped ${error.file} document ${error.index}${item}: ${error.reason}\n`,
      );
      const skipped: SkippedDocument = { file: error.file, document: error.index, reason: error.reason };
      if (error.item !== undefined) skipped.item = error.item;
      input.skipped.push(skipped);
    }
    for (const object of parsed.objects) input.objects.push(object);
  }
  return input;
}

/** Exit 2 when nothing usable was read: an audit of nothing must not pass (it scored 98/100). */
export function requireObjects(input: ManifestInput, paths: readonly string[]): void {
  if (input.objects.length > 0) return;
  const where =
    input.files.length === 1
      ? input.files[0]
      : `the ${input.files.length} files under ${paths.map((p) => JSON.stringify(p)).join(', ')}`;
  const documents = input.skipped.filter((s) => s.document !== undefined).length;
  const skipped = documents === 0 ? '' : ` (${documents} document${documents === 1 ? '' : 's'} skipped)`;
  throw usageError(
    `no Kubernetes object in ${where}${skipped}: nothing to audit; pass manifests with apiVersion and kind`,
  );
}
