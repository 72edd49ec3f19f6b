import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  manifestText,
  packArchive,
  sha256OfBytes,
  writeEvidenceArchive,
} from '#adapters/evidence/pack-archive.ts';
import { buildEvidencePack } from '#core/evidence-pack/build.ts';
import type { EvidencePackFile, EvidencePackRequest } from '#core/evidence-pack/model.ts';
import { evidenceHistory, historySources, MIDDLE } from '#test/support/evidence-history.ts';
import { samplePack } from '#test/support/sample-evidence-pack.ts';

/** The evidence pack archive: a gzip'd ustar tar any system tar extracts, byte for byte, reproducibly. */

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'kubeguard-pack-archive-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function extract(archive: Uint8Array): string {
  const file = join(directory, 'pack.tar.gz');
  writeFileSync(file, archive);
  execFileSync('tar', ['-xzf', file, '-C', directory]);
  return file;
}

describe('evidence pack archive', () => {
  it('extracts with the system tar into <packId>/, every file byte for byte, the manifest beside them', () => {
    const pack = samplePack();

    extract(packArchive(pack));

    const root = join(directory, pack.id);
    for (const file of pack.files) {
      expect(readFileSync(join(root, file.path)).equals(Buffer.from(file.content, 'utf8'))).toBe(true);
    }
    expect(readFileSync(join(root, 'manifest.json'), 'utf8')).toBe(manifestText(pack));
    expect(readdirSync(directory).sort()).toEqual(['pack.tar.gz', pack.id].sort());
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: root, encoding: 'utf8' })).toContain(
      'README.md: OK',
    );
  });

  it('lists every entry with the pack time, mode 0644 (folders 0755) and owner kubeguard', () => {
    const pack = samplePack();
    const file = extract(packArchive(pack));

    const listing = execFileSync('tar', ['-tvzf', file, '--full-time', '--utc'], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    })
      .trim()
      .split('\n');

    expect(listing[0]).toMatch(
      new RegExp(`^drwxr-xr-x kubeguard/kubeguard\\s+0 2026-04-01 06:00:00 ${pack.id}/$`),
    );
    expect(listing.at(-1)).toMatch(
      /^-rw-r--r-- kubeguard\/kubeguard\s+\d+ 2026-04-01 06:00:00 .*\/manifest\.json$/,
    );
    expect(listing.filter((line) => line.startsWith('-'))).toHaveLength(pack.files.length + 1);
    expect(statSync(join(directory, pack.id, 'README.md')).mtime.toISOString()).toBe(
      '2026-04-01T06:00:00.000Z',
    );
  });

  it('is reproducible: the same pack gives the same bytes; another time, others', () => {
    const first = packArchive(samplePack());
    const again = packArchive(samplePack());
    const later = samplePack();
    later.manifest.generatedAt = '2026-04-01T07:00:00.000Z';

    expect(sha256OfBytes(again)).toBe(sha256OfBytes(first));
    expect(Buffer.from(packArchive(later)).equals(Buffer.from(first))).toBe(false);
  });

  it('writes valid ustar blocks: magic, checksum, a whole number of 10 KiB records', () => {
    const tar = gunzipSync(packArchive(samplePack()));

    expect(tar.length % 10_240).toBe(0);
    const header = tar.subarray(0, 512);
    expect(header.subarray(257, 265).toString('latin1')).toBe('ustar\u000000');
    const stored = Number.parseInt(header.subarray(148, 154).toString('ascii'), 8);
    const copy = Buffer.from(header);
    copy.fill(0x20, 148, 156);
    expect(stored).toBe(copy.reduce((sum, byte) => sum + byte, 0));
  });

  it('refuses a pack whose manifest does not match its files, or a path that leaves the pack', () => {
    const tampered = samplePack();
    (tampered.files[1] as { content: string }).content = '{"cluster":"prod-eu","score":100}\n';
    expect(() => packArchive(tampered)).toThrow(/does not match its manifest/);

    const escaping = samplePack();
    (escaping.files[0] as { path: string }).path = '../README.md';
    expect(() => packArchive(escaping)).toThrow(/not a plain relative path/);

    const withManifest = samplePack();
    withManifest.files.push({ path: 'manifest.json', content: '{}', contentType: 'application/json' });
    expect(() => packArchive(withManifest)).toThrow(/not its manifest/);

    const twice = samplePack();
    twice.files.push({ ...(twice.files[0] as EvidencePackFile) });
    expect(() => packArchive(twice)).toThrow(/twice/);
  });

  it("takes the manifest as the builder's last file too, and writes it once, last", () => {
    const pack = samplePack();
    const handedOver = samplePack();
    handedOver.files.push({
      path: 'manifest.json',
      content: manifestText(pack),
      contentType: 'application/json',
    });

    expect(Buffer.from(packArchive(handedOver)).equals(Buffer.from(packArchive(pack)))).toBe(true);
  });
});

describe('evidence pack archive written as the pack is built', () => {
  const request: EvidencePackRequest = {
    clusters: 'all',
    period: MIDDLE,
    frameworks: ['soc2', 'pci', 'iso27001'],
    requestedBy: 'cli:auditor',
    generatedAt: '2026-09-01T02:00:00.000Z',
  };

  it('gives exactly the bytes of the in-memory archive of the same pack, and its SHA-256', async () => {
    const history = evidenceHistory({ clusters: 2, objects: 20 });
    const inMemory = packArchive(await buildEvidencePack(request, historySources(history)));
    const file = join(directory, 'streamed.tar.gz');

    const written = await writeEvidenceArchive(request, historySources(history), file);

    const streamed = readFileSync(file);
    expect(streamed.equals(Buffer.from(inMemory))).toBe(true);
    expect(written.archiveSha256).toBe(sha256OfBytes(inMemory));
    expect(written.bytes).toBe(inMemory.length);
    execFileSync('tar', ['-xzf', file, '-C', directory]);
    expect(
      execFileSync('sha256sum', ['-c', 'SHA256SUMS'], {
        cwd: join(directory, written.pack.id),
        encoding: 'utf8',
      }),
    ).not.toMatch(/FAILED/);
  });

  it('never overwrites a file', async () => {
    const file = join(directory, 'taken.tar.gz');
    writeFileSync(file, 'earlier pack');
    await expect(
      writeEvidenceArchive(request, historySources(evidenceHistory({ clusters: 1, objects: 10 })), file),
    ).rejects.toThrow(/EEXIST/);
    expect(readFileSync(file, 'utf8')).toBe('earlier pack');
  });
});
