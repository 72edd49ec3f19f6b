import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { codeOf, usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { type IgnoreMatcher, parseIgnore } from './ignore.ts';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
/** Never manifests to audit, and huge: `audit --manifests .` in a repository walked 6,930 files of node_modules. */
const ALWAYS_SKIPPED = new Set(['node_modules', '.git']);
export const IGNORE_FILE = '.kubeguardignore';

/**
 * The file itself, or every YAML/JSON file under a directory (sorted, recursively), skipping
 * node_modules/, .git/ and what the directory's .kubeguardignore ignores. Symbolic links are not
 * followed (a link cycle must not hang the walk).
 */
export async function manifestFiles(path: string, io: CliIo): Promise<string[]> {
  const absolute = resolve(io.cwd, path);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(absolute);
  } catch (error) {
    throw usageError(`cannot read "${path}" (${codeOf(error)})`);
  }
  if (!info.isDirectory()) return [absolute];
  const ignore = await readIgnore(absolute, path);
  const files: string[] = [];
  await walk(absolute, '', ignore, files, path);
  if (files.length === 0) throw usageError(`no *.yaml, *.yml or *.json file under "${path}"`);
  return files.sort();
}

async function readIgnore(root: string, shown: string): Promise<IgnoreMatcher | undefined> {
  try {
    return parseIgnore(await readFile(join(root, IGNORE_FILE), 'utf8'));
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw usageError(`cannot read "${join(shown, IGNORE_FILE)}" (${codeOf(error)})`);
  }
}

async function walk(
  directory: string,
  relative: string,
  ignore: IgnoreMatcher | undefined,
  into: string[],
  shown: string,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw usageError(
      `cannot read directory "${relative === '' ? shown : join(shown, relative)}" (${codeOf(error)})`,
    );
  }
  for (const entry of entries) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (ALWAYS_SKIPPED.has(entry.name) || ignore?.ignores(path, true)) continue;
      await walk(join(directory, entry.name), path, ignore, into, shown);
    } else if (entry.isFile() && MANIFEST_FILE.test(entry.name) && !ignore?.ignores(path, false)) {
      into.push(join(directory, entry.name));
    }
  }
}
