import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version of the installed kubeguard package: read from its package.json, found by walking up
 * from this module. The same code runs from the sources (cli/) and from the bundle (dist/, possibly a
 * chunk folder), so no fixed relative path would hold; read on demand so start-up does not pay for it.
 */
export function kubeguardVersion(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'kubeguard' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No package.json here (or not JSON): keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
