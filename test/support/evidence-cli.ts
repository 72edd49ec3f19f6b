import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { AuditRecord } from '#core/audit-trail/record.ts';
import { type LoadedObject, parseManifests } from '#core/manifests/load.ts';
import { finding } from './digest-data.ts';

/**
 * What the `kubeguard evidence` integration tests share (test/integration/cli-evidence*.test.ts):
 * the CLI spawned as a user runs it, a workload whose Secret and env value hold a sentinel, the
 * findings and trail records around the first quarter of 2026, and the archive extracted with the
 * system tar.
 */

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../cli/kubeguard.ts');
/** SOURCE_DATE_EPOCH of every pack the tests build: 2026-04-01T08:00:00Z. */
export const EPOCH = '1775030400';

/** `kubeguard evidence ARGS` in `cwd`, with a clean environment plus `env`. */
export function evidenceCli(cwd: string, args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [CLI, 'evidence', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', USER: 'auditor', SOURCE_DATE_EPOCH: EPOCH, ...env },
  });
}

/** A Secret and a Pod whose password and env value are `sentinel`: what no pack may show. */
export function workloadWithSecret(sentinel: string): LoadedObject[] {
  return parseManifests(
    `apiVersion: v1
kind: Secret
metadata: { name: db, namespace: shop }
stringData: { password: ${sentinel} }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: shop }
spec:
  containers:
    - { name: web, image: nginx:1.27, env: [{ name: TOKEN, value: ${sentinel} }] }
`,
    'shop.yaml',
  ).objects;
}

/** Findings around Q1 2026: f1 and f2 are of the quarter, f3 resolved before it, f4 first seen after it. */
export const QUARTER_FINDINGS = [
  finding({ fingerprint: 'f1', cluster: 'prod-eu', severity: 'high', firstSeen: '2026-01-10T00:00:00.000Z' }),
  finding({
    fingerprint: 'f2',
    cluster: 'prod-us',
    severity: 'medium',
    firstSeen: '2026-02-01T00:00:00.000Z',
    changes: [
      ['acknowledged', '2026-02-01T01:00:00.000Z'],
      ['resolved', '2026-02-03T00:00:00.000Z'],
    ],
  }),
  finding({
    fingerprint: 'f3',
    cluster: 'prod-eu',
    severity: 'low',
    firstSeen: '2025-10-01T00:00:00.000Z',
    changes: [['resolved', '2025-10-02T00:00:00.000Z']],
  }),
  finding({ fingerprint: 'f4', cluster: 'prod-us', severity: 'low', firstSeen: '2026-04-02T00:00:00.000Z' }),
];

/** Trail records around Q1 2026: r1 (request and outcome) is of the quarter, r0 before it, r9 after it. */
export const QUARTER_TRAIL = [
  {
    id: 'r1:request',
    requestId: 'r1',
    type: 'request',
    at: '2026-02-01T01:00:00.000Z',
    actor: 'U1',
    kind: 'ack',
    source: 'button',
    cluster: 'prod-us',
    finding: 'f2',
  },
  {
    id: 'r1:outcome',
    requestId: 'r1',
    type: 'outcome',
    at: '2026-02-01T01:00:01.000Z',
    actor: 'U1',
    kind: 'ack',
    result: 'done',
    cluster: 'prod-us',
    finding: 'f2',
  },
  {
    id: 'r0:request',
    requestId: 'r0',
    type: 'request',
    at: '2025-12-01T00:00:00.000Z',
    actor: 'U1',
    kind: 'ack',
    source: 'button',
  },
  {
    id: 'r9:request',
    requestId: 'r9',
    type: 'request',
    at: '2026-04-01T00:00:00.000Z',
    actor: 'U1',
    kind: 'status',
    source: 'slash',
  },
] as unknown as AuditRecord[];

/** Extracts `<work>/<archive>` with the system tar into `<work>/<archive>.d`; the pack's folder. */
export function extractPack(work: string, archive: string): string {
  const out = join(work, `${archive}.d`);
  mkdirSync(out);
  execFileSync('tar', ['-xzf', join(work, archive)], { cwd: out });
  const [id] = readdirSync(out);
  return join(out, id as string);
}

export function jsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Checks a pack the CLI wrote as its README tells an auditor to: `sha256sum` of the archive and of
 * the extracted manifest print the SHA-256s the CLI gave (`stdout`); then `sha256sum -c SHA256SUMS`.
 * The pack's folder, what `sha256sum -c` printed and the parsed manifest.
 */
export function verifyPrintedPack(
  work: string,
  archive: string,
  stdout: string,
): { root: string; checked: string; manifest: { files: { path: string }[] } & Record<string, unknown> } {
  const archiveSha = /archive SHA-256: {2}([0-9a-f]{64})/.exec(stdout)?.[1];
  const manifestSha = /manifest SHA-256: ([0-9a-f]{64})/.exec(stdout)?.[1];
  expect(execFileSync('sha256sum', [archive], { cwd: work, encoding: 'utf8' })).toBe(
    `${archiveSha}  ${archive}\n`,
  );
  const root = extractPack(work, archive);
  expect(execFileSync('sha256sum', ['manifest.json'], { cwd: root, encoding: 'utf8' })).toBe(
    `${manifestSha}  manifest.json\n`,
  );
  const checked = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: root, encoding: 'utf8' });
  return { root, checked, manifest: JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) };
}
