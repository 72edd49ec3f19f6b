import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CORE = join(ROOT, 'core');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Modules core/ must never import: SDKs, the network, the file system. */
const FORBIDDEN_IMPORT =
  /^(@aws-sdk\/|@smithy\/|@kubernetes\/|@slack\/|dynalite|node:(fs|net|http|https|http2|dgram|child_process|dns|tls)(\/|$)|(fs|net|http|https|child_process)$)/;
const IMPORT_SPECIFIER =
  /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function coreViolations(files: string[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT_SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (FORBIDDEN_IMPORT.test(specifier)) violations.push(`${relative(ROOT, file)} imports ${specifier}`);
    }
    if (/process\.env/.test(text)) violations.push(`${relative(ROOT, file)} reads process.env`);
    if (/\bDate\.now\(\)|new Date\(\)/.test(text)) violations.push(`${relative(ROOT, file)} reads the clock`);
  }
  return violations;
}

describe('core/ purity', () => {
  it('imports no SDK, network or file-system module, reads no environment and no clock', () => {
    expect(coreViolations(sourceFiles(CORE))).toEqual([]);
  });
});
