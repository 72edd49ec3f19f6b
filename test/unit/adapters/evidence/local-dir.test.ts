import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalEvidenceStore } from '#adapters/evidence/local-dir.ts';
import { sha256Hex } from '#core/remediation/forensics.ts';
import { sampleBundle } from '#test/support/evidence-bundle.ts';

/** Forensic bundles in a local directory (sandbox, CLI). */

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kubeguard-evidence-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('local directory evidence store', () => {
  it('writes every file and the manifest, and returns the manifest hash', async () => {
    const bundle = sampleBundle();

    const receipt = await createLocalEvidenceStore(root).put(bundle);

    const directory = join(root, bundle.id);
    const manifest = readFileSync(join(directory, 'manifest.json'), 'utf8');
    expect(receipt).toEqual({
      bundleId: bundle.id,
      location: directory,
      manifestSha256: sha256Hex(manifest),
    });
    expect(readFileSync(join(directory, 'logs/nginx.log'), 'utf8')).toBe('GET / 200\n');
    expect(JSON.parse(manifest)).toEqual(bundle.manifest);
  });

  it('never overwrites an existing bundle', async () => {
    const store = createLocalEvidenceStore(root);
    await store.put(sampleBundle());

    await expect(store.put(sampleBundle())).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses a bundle whose manifest does not match its files, before writing', async () => {
    const bundle = sampleBundle();
    bundle.files[0] = { path: 'pod.json', content: '{"kind":"Tampered"}\n', contentType: 'application/json' };

    await expect(createLocalEvidenceStore(root).put(bundle)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(() => readFileSync(join(root, bundle.id, 'pod.json'))).toThrow();
  });

  it('refuses a bundle id that climbs out of the root', async () => {
    await expect(createLocalEvidenceStore(root).put(sampleBundle('../outside'))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
