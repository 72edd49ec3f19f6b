import type { EvidencePack, EvidencePackFile } from '#core/evidence-pack/model.ts';
import { sha256Hex } from '#core/remediation/forensics.ts';

/**
 * A small, consistent evidence pack for the archive and store tests (the builder is tested on its
 * own): a few files, one in a sub-folder, one with a long path and non-ASCII text, and a
 * `SHA256SUMS` in the `sha256sum -c` format.
 */
export function samplePack(id = 'kubeguard-evidence-20260101-20260401-3f2a9c01'): EvidencePack {
  const files: EvidencePackFile[] = [
    {
      path: 'README.md',
      content: '# Evidence pack\n\nVerify with `sha256sum -c SHA256SUMS`.\n',
      contentType: 'text/markdown',
    },
    {
      path: 'posture/prod-eu/20260302T060000.000Z/report.json',
      content: '{"cluster":"prod-eu","score":87}\n',
      contentType: 'application/json',
    },
    {
      path: `posture/prod-eu/20260302T060000.000Z/${'very-long-configuration-snapshot-name-'.repeat(2)}snapshot.json`,
      content: '{"note":"Zürich — “quoted”","data":"[redacted]"}\n',
      contentType: 'application/json',
    },
    { path: 'empty.txt', content: '', contentType: 'text/plain' },
    { path: 'block.txt', content: 'x'.repeat(512), contentType: 'text/plain' },
  ];
  const sums = files.map((file) => `${sha256Hex(file.content)}  ${file.path}\n`).join('');
  files.push({ path: 'SHA256SUMS', content: sums, contentType: 'text/plain' });
  return {
    id,
    files,
    manifest: {
      packId: id,
      generatedAt: '2026-04-01T06:00:00.000Z',
      requestedBy: 'cli:alice',
      period: { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' },
      clusters: ['prod-eu'],
      frameworks: ['soc2', 'pci', 'iso27001'],
      files: files.map((file) => ({
        path: file.path,
        sha256: sha256Hex(file.content),
        bytes: Buffer.byteLength(file.content, 'utf8'),
      })),
    },
  };
}
