import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
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

/** One input of `--manifests`: a file found under the paths, or standard input (`-`). */
interface ManifestSource {
  display: string;
  read: () => Promise<Buffer>;
}

/** Standard input, whole (a manifest set is audited as one cluster); gzip is unpacked. */
async function readStdin(io: CliIo): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of io.stdin()) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

async function sourcesOf(paths: readonly string[], io: CliIo): Promise<ManifestSource[]> {
  const sources: ManifestSource[] = [];
  for (const path of paths) {
    if (path === '-') {
      // `helm template . | kubeguard audit --manifests -`
      if (io.stdinIsTTY)
        throw usageError(
          '--manifests -: standard input is a terminal; pipe manifests in (e.g. helm template . | kubeguard audit --manifests -)',
        );
      sources.push({ display: '<stdin>', read: () => readStdin(io) });
      continue;
    }
    for (const file of await manifestFiles(path, io)) {
      const display = displayPath(file, io.cwd);
      sources.push({
        display,
        read: () =>
          readFile(file).catch((error: unknown) => {
            throw usageError(`cannot read "${display}" (${codeOf(error)})`);
          }),
      });
    }
  }
  return sources;
}

/** Reads every file under the paths (and stdin for `-`); each skipped document is warned about as it is found. */
export async function readManifests(paths: readonly string[], io: CliIo): Promise<ManifestInput> {
  const input: ManifestInput = { objects: [], skipped: [], files: [] };
  for (const { display, read } of await sourcesOf(paths, io)) {
    input.files.push(display);
    const bytes = await read();
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
