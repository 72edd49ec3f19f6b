import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalReportExportStore } from '#adapters/evidence/report-exports.ts';
import { REDACTED } from '#core/evidence-pack/redact.ts';
import { parseManifests } from '#core/manifests/load.ts';
import { snapshotFromManifests } from '#core/posture/manifest-snapshot.ts';
import { auditAndStore } from '#core/posture/scheduled-audit.ts';
import { sha256Hex } from '#core/remediation/forensics.ts';

/** Every stored audit keeps the configuration snapshot behind it, redacted, beside its exports. */

const SENTINEL = 'sentinel-Zq9v-do-not-store';
const MANIFESTS = `apiVersion: v1
kind: Secret
metadata: { name: db, namespace: shop }
stringData: { password: ${SENTINEL} }
data: { token: ${Buffer.from(SENTINEL).toString('base64')} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - { name: API_KEY, value: ${SENTINEL} }
            - { name: DB_PASSWORD, valueFrom: { secretKeyRef: { name: db, key: password } } }
`;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kubeguard-stored-snapshot-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('the snapshot stored with each report', () => {
  it('is snapshot.json beside the exports, listed in their manifest, with every secret and env value redacted', async () => {
    const objects = parseManifests(MANIFESTS, 'shop.yaml').objects;

    const stored = await auditAndStore('prod-eu', {
      collect: async () => snapshotFromManifests(objects, '2026-03-02T06:00:00.000Z', 'prod-eu'),
      history: { put: async () => {}, latest: async () => [] },
      exports: createLocalReportExportStore(root),
    });

    const directory = join(root, stored.reportId);
    const text = readFileSync(join(directory, 'snapshot.json'), 'utf8');
    expect(text).not.toContain(SENTINEL);
    expect(text).not.toContain(Buffer.from(SENTINEL).toString('base64'));
    const snapshot = JSON.parse(text) as { name: string; objects: { kind: string; stringData?: object }[] };
    expect(snapshot.name).toBe('prod-eu');
    expect(snapshot.objects.find((o) => o.kind === 'Secret')?.stringData).toEqual({ password: REDACTED });
    expect(text).toContain('secretKeyRef');
    const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8'));
    expect(manifest.files).toContainEqual(
      expect.objectContaining({ path: 'snapshot.json', sha256: sha256Hex(text) }),
    );
  });
});
