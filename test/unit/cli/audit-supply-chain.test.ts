import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '#test/support/cli.ts';
import { fixturePath } from '#test/support/fixtures.ts';

/** `kubeguard audit --manifests` on the supply-chain checks: KP-092 and KP-110 run offline, KP-093 says why not. */
const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-audit-supply-chain-'));
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

afterAll(() => {
  rmSync(WORK, { recursive: true, force: true });
});

interface Result {
  checkId: string;
  status: string;
  message: string;
  object: { kind: string; namespace?: string; name: string };
}

function deployment(namespace: string, name: string, image: string): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: ${name}, namespace: ${namespace}}`,
    'spec:',
    `  selector: {matchLabels: {app: ${name}}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    `    spec: {containers: [{name: ${name}, image: "${image}"}]}`,
    '',
  ].join('\n');
}

describe('kubeguard audit --manifests: supply-chain checks', () => {
  it('evaluates KP-092 per workload and KP-110 from a Kyverno policy in the manifests; skips KP-093 with the reason', async () => {
    const apps = join(WORK, 'apps.yaml');
    writeFileSync(
      apps,
      `${deployment('shop', 'web', `ghcr.io/kyverno/test-verify-image@${DIGEST}`)}---\n${deployment('shop', 'worker', 'ghcr.io/kyverno/test-verify-image:signed')}`,
    );
    const policy = fixturePath('kubernetes/signature-policies/kyverno-notary-image-verification.yaml');

    const run = await runCli(['audit', '--manifests', apps, policy, '--format', 'json'], { cwd: WORK });
    const results = (JSON.parse(run.stdout) as { results: Result[] }).results;
    const of = (id: string) => results.filter((r) => r.checkId === id);

    expect(of('KP-092').map((r) => [r.object.name, r.status])).toEqual([
      ['worker', 'fail'],
      ['web', 'pass'],
    ]);
    expect(of('KP-110').map((r) => [r.status, r.message])).toEqual([
      [
        'pass',
        'image signature verification is enforced in every namespace that runs workloads (1), by ClusterPolicy "check-image-notary" (Kyverno verifyImages)',
      ],
    ]);
    expect(of('KP-093').map((r) => r.message)).toEqual([
      'skipped: inspector:findings unavailable: offline audit of manifests: no AWS access',
    ]);
  });
});
