import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AdmissionPolicy } from '#test/support/admission-policy.ts';
import { runCli } from '#test/support/cli.ts';
import {
  APPROVED_REGISTRIES,
  CORPUS_DIR,
  createRequest,
  EDGE_FILE,
  loadObjects,
} from '#test/support/policy-as-code.ts';

/**
 * `kubeguard policy generate` on a real report: `kubeguard audit --manifests <the public corpus and
 * the edge workloads> --format json` writes REPORT.json, then the generated YAML is parsed back and
 * its policies evaluated (CEL, as kube-apiserver does) on the workloads it was generated from.
 */

let work: string;
let report: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kubeguard-policy-'));
  report = join(work, 'report.json');
  const audit = await runCli(
    [
      'audit',
      '--manifests',
      CORPUS_DIR,
      EDGE_FILE,
      '--format',
      'json',
      '--output',
      report,
      ...APPROVED_REGISTRIES.flatMap((r) => ['--approved-registry', r]),
    ],
    { cwd: work },
  );
  expect(audit.code, audit.stderr).toBe(1);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function documentsOf(yaml: string): Record<string, unknown>[] {
  return parseAllDocuments(yaml).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Record<string, unknown>;
  });
}

const policy = (args: string[], stdin?: string) =>
  runCli(['policy', 'generate', ...args], { cwd: work, ...(stdin === undefined ? {} : { stdin }) });

describe('kubeguard policy generate --engine vap', () => {
  it('writes every policy and its binding, scoped to the namespaces that passed, and the workloads that must change', async () => {
    const run = await policy([
      '--from',
      'report.json',
      '--engine',
      'vap',
      '--mode',
      'deny',
      '--output',
      'policies.yaml',
      '--must-change',
      'must-change.json',
    ]);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const documents = documentsOf(readFileSync(join(work, 'policies.yaml'), 'utf8'));
    const policies = documents.filter((d) => d.kind === 'ValidatingAdmissionPolicy');
    const bindings = documents.filter((d) => d.kind === 'ValidatingAdmissionPolicyBinding');
    expect(policies.length).toBeGreaterThanOrEqual(21);
    expect(bindings).toHaveLength(policies.length);
    for (const binding of bindings) {
      expect(binding).toMatchObject({
        spec: {
          validationActions: ['Deny', 'Audit'],
          matchResources: {
            namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In' }] },
          },
        },
      });
    }
    expect(run.stderr).toMatch(
      /^kubeguard policy: \d+ policies \(vap, deny\) from the audit of manifests at /,
    );
    expect(run.stderr).toContain(
      '  KP-060 kubeguard-kp-060-no-privileged-containers: bound to clean; 5 workloads must change',
    );
    expect(run.stderr).toContain('    Pod edge/everything-wrong (');
    expect(run.stderr).toMatch(/ {2}KP-066 not generated: the check normalises hostPath paths/);
    const mustChange = JSON.parse(readFileSync(join(work, 'must-change.json'), 'utf8')) as {
      checkId: string;
      object: { name: string; namespace?: string };
    }[];
    expect(mustChange).toContainEqual(
      expect.objectContaining({
        checkId: 'KP-060',
        object: { kind: 'Pod', namespace: 'edge', name: 'everything-wrong' },
      }),
    );
  });

  it('admits what runs in the bound namespaces and denies the workloads that must change', async () => {
    const run = await policy(['--from', 'report.json', '--engine', 'vap', '--mode', 'deny']);
    const documents = documentsOf(run.stdout);
    const edge = loadObjects(EDGE_FILE);
    const clean = edge.find((o) => o.object.metadata?.name === 'clean');
    const wrong = edge.find((o) => o.object.metadata?.name === 'everything-wrong');
    const names = documents
      .filter((d) => d.kind === 'ValidatingAdmissionPolicy')
      .map((d) => (d.metadata as { name: string }).name);
    let denied = 0;
    for (const name of names) {
      const admission = AdmissionPolicy.fromDocuments(documents, name);
      const cleanRequest = createRequest(clean?.object as NonNullable<typeof clean>['object']);
      const wrongRequest = createRequest(wrong?.object as NonNullable<typeof wrong>['object']);
      if (cleanRequest === undefined || wrongRequest === undefined) throw new Error('fixtures changed');
      expect(admission.evaluate(cleanRequest).allowed, name).toBe(true);
      if (admission.bindingDocument !== undefined) {
        expect(admission.bindsNamespace({ 'kubernetes.io/metadata.name': 'clean' }), name).toBe(true);
        expect(admission.bindsNamespace({ 'kubernetes.io/metadata.name': 'edge' }), name).toBe(false);
      }
      if (!admission.evaluate(wrongRequest).allowed) denied++;
    }
    // everything-wrong fails every check but KP-086 (its image, nginx, is the one failure of docker.io) and KP-092.
    expect(denied).toBeGreaterThanOrEqual(names.length - 2);
  });

  it('reads the report from standard input and defaults to warn', async () => {
    const run = await policy(['--from', '-', '--engine', 'vap'], readFileSync(report, 'utf8'));

    expect(run.code, run.stderr).toBe(0);
    const bindings = documentsOf(run.stdout).filter((d) => d.kind === 'ValidatingAdmissionPolicyBinding');
    expect(
      bindings.every(
        (b) =>
          JSON.stringify((b.spec as { validationActions: string[] }).validationActions) ===
          '["Warn","Audit"]',
      ),
    ).toBe(true);
    expect(run.stdout).toMatch(
      /^# kubeguard policy generate: ValidatingAdmissionPolicies and bindings \(mode warn\)\n/,
    );
    expect(run.stdout).toContain(
      '# KP-060 No privileged containers\n# references: CIS 4.2.1, PSS baseline: Privileged Containers\n# namespaces where it passed: clean\n',
    );
  });
});

describe('kubeguard policy generate: reading the report', () => {
  it('reads the report line by line, and a compact one whole, to the same policies', async () => {
    writeFileSync(join(work, 'compact.json'), JSON.stringify(JSON.parse(readFileSync(report, 'utf8'))));

    const lines = await policy(['--from', 'report.json', '--engine', 'vap', '--mode', 'deny']);
    const compact = await policy(['--from', 'compact.json', '--engine', 'vap', '--mode', 'deny']);

    expect(lines.code).toBe(0);
    expect(compact).toEqual(lines);
  });

  it('names the result line of a truncated report', async () => {
    const text = readFileSync(report, 'utf8');
    const run = await policy(
      ['--from', '-', '--engine', 'vap'],
      text.slice(0, text.indexOf('"results": [') + 200),
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^kubeguard policy: --from: standard input: results\[0\] is not JSON \(/);
  });
});

describe('kubeguard policy generate --engine kyverno', () => {
  it('writes ClusterPolicies with the rule-level failure action and the namespaces that passed', async () => {
    const run = await policy(['--from', 'report.json', '--engine', 'kyverno', '--mode', 'deny']);

    expect(run.code, run.stderr).toBe(0);
    const documents = documentsOf(run.stdout);
    expect(documents.length).toBeGreaterThanOrEqual(20);
    for (const document of documents) {
      expect(document).toMatchObject({
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        spec: { rules: [{ validate: { failureAction: 'Enforce' } }] },
      });
    }
  });
});

describe('kubeguard policy generate: errors (exit 2)', () => {
  it.each([
    [['--engine', 'vap'], 'missing --from REPORT.json'],
    [['--from', 'report.json'], 'missing --engine (vap or kyverno)'],
    [['--from', 'report.json', '--engine', 'opa'], '--engine "opa": use vap or kyverno'],
    [['--from', 'report.json', '--engine', 'vap', '--mode', 'enforce'], '--mode "enforce": use warn or deny'],
    [['--from', 'absent.json', '--engine', 'vap'], '--from: cannot read "absent.json" (ENOENT)'],
    [['--from', 'report.json', '--engin', 'vap'], 'unknown option "--engin"; did you mean --engine?'],
  ])('%j', async (args, message) => {
    const run = await policy(args);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`kubeguard policy: ${message}`);
    expect(run.stderr).toContain(
      'Usage: kubeguard policy generate --from REPORT.json|- --engine vap|kyverno',
    );
  });

  it('names the field of a report that is not an audit report, and the fix', async () => {
    const broken = JSON.parse(readFileSync(report, 'utf8')) as { results: { status: string }[] };
    (broken.results[2] as { status: string }).status = 'failed';
    writeFileSync(join(work, 'broken.json'), JSON.stringify(broken));

    const run = await policy(['--from', 'broken.json', '--engine', 'vap']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'kubeguard policy: --from: broken.json: results[2].status is string "failed": expected "pass", "fail" or "skip"; give the JSON report of `kubeguard audit --format json` (unchanged)',
    );
  });

  it('needs the subcommand', async () => {
    const run = await runCli(['policy'], { cwd: work });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('kubeguard policy: missing subcommand: kubeguard policy generate …');
  });
});
