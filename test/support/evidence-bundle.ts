import { sha256Hex } from '#core/remediation/forensics.ts';
import type { EvidenceBundle, EvidenceFile } from '#core/remediation/ports.ts';

/** A small, consistent forensic bundle for evidence store tests. */
export function sampleBundle(id = 'pods/shop/web-5cdcc99dbf-rgw6z/20240501t100000z-q1'): EvidenceBundle {
  const files: EvidenceFile[] = [
    { path: 'pod.json', content: '{"kind":"Pod"}\n', contentType: 'application/json' },
    { path: 'logs/nginx.log', content: 'GET / 200\n', contentType: 'text/plain' },
  ];
  return {
    id,
    files,
    manifest: {
      bundleId: id,
      target: { kind: 'Pod', namespace: 'shop', name: 'web-5cdcc99dbf-rgw6z' },
      capturedAt: '2024-05-01T10:00:00Z',
      capturedBy: 'slack:U1',
      files: files.map((f) => ({
        path: f.path,
        sha256: sha256Hex(f.content),
        bytes: Buffer.byteLength(f.content),
      })),
      missing: [
        { item: 'logs/nginx.previous.log', reason: 'no previous instance (the container has not restarted)' },
      ],
    },
  };
}
