import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { KubeguardError } from '#core/errors.ts';
import { sha256Hex, verifyBundle } from '#core/remediation/forensics.ts';
import type { EvidenceBundle, EvidenceReceipt, EvidenceStore } from '#core/remediation/ports.ts';

/**
 * Forensic bundles in a local directory, for the sandbox and the CLI: `<root>/<bundle id>/<files>`
 * plus `manifest.json`. A bundle is written once: an existing bundle directory is never touched.
 */
export function createLocalEvidenceStore(root: string): EvidenceStore {
  return {
    async put(bundle: EvidenceBundle): Promise<EvidenceReceipt> {
      verifyBundle(bundle);
      const directory = join(resolve(root), bundle.id);
      await mkdir(dirname(directory), { recursive: true });
      try {
        // Not recursive: creating the bundle directory itself is the "does it exist" check.
        await mkdir(directory);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new KubeguardError(
            'CONFLICT',
            `forensic bundle ${bundle.id} already exists in ${directory}; bundles are never overwritten`,
            {
              cause: error,
              details: { bundleId: bundle.id, location: directory },
            },
          );
        }
        throw new KubeguardError(
          'UPSTREAM',
          `cannot create the evidence directory ${directory}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      for (const file of bundle.files) {
        const path = join(directory, file.path);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, file.content, { encoding: 'utf8', flag: 'wx' });
      }
      const manifest = `${JSON.stringify(bundle.manifest, null, 2)}\n`;
      await writeFile(join(directory, 'manifest.json'), manifest, { encoding: 'utf8', flag: 'wx' });
      return { bundleId: bundle.id, location: directory, manifestSha256: sha256Hex(manifest) };
    },
  };
}
