import { describe, expect, it } from 'vitest';
import { CHECK_POLICIES, NOT_EXPRESSIBLE } from '#core/policy-as-code/checks.ts';
import { generatePolicies } from '#core/policy-as-code/generate.ts';
import { runAudit } from '#core/posture/engine.ts';
import { snapshotFromManifests } from '#core/posture/manifest-snapshot.ts';
import { findCheck } from '#core/posture/registry.ts';
import { AdmissionPolicy } from '#test/support/admission-policy.ts';
import {
  AUDIT_OPTIONS,
  auditEverything,
  CORPUS_DIR,
  corpusFiles,
  corpusLabels,
  createRequest,
  EDGE_FILE,
  loadObjects,
  TAKEN_AT,
} from '#test/support/policy-as-code.ts';

/**
 * The generated ValidatingAdmissionPolicies, evaluated with a CEL evaluator as kube-apiserver
 * evaluates them (test/support/admission-policy.ts), decide every workload of the public corpus and
 * of the edge fixtures exactly as kubeguard's own check does: a failing workload is denied by that
 * check's policy, a passing one admitted — for the corpus labels, and beyond them for every object
 * and every policy.
 */

const REPORT = auditEverything();
const GENERATED = generatePolicies(REPORT, { engine: 'vap', mode: 'deny' });
const POLICIES = new Map(
  GENERATED.policies.map((p) => [p.checkId, AdmissionPolicy.fromDocuments(GENERATED.documents, p.name)]),
);
const EXPRESSIBLE = [...CHECK_POLICIES.map((p) => p.checkId), 'KP-086'].filter(
  (id) => findCheck(id) !== undefined,
);

/** kubeguard's verdict on one object audited alone: fail, pass, or none (the check has no result on it). */
function checkVerdict(
  object: Parameters<typeof createRequest>[0],
  checkId: string,
): 'fail' | 'pass' | 'none' {
  const check = findCheck(checkId);
  if (check === undefined) throw new Error(`${checkId} is not registered`);
  const snapshot = snapshotFromManifests([{ object, file: 'object.yaml', index: 0 }], TAKEN_AT);
  const results = runAudit(snapshot, [check], AUDIT_OPTIONS).results.filter(
    (r) => r.checkId === checkId && r.object.kind === object.kind,
  );
  if (results.some((r) => r.status === 'fail')) return 'fail';
  return results.some((r) => r.status === 'pass') ? 'pass' : 'none';
}

function celVerdict(object: Parameters<typeof createRequest>[0], checkId: string): 'denied' | 'admitted' {
  const policy = POLICIES.get(checkId);
  const request = createRequest(object);
  if (policy === undefined || request === undefined) throw new Error(`no policy or request for ${checkId}`);
  const decision = policy.evaluate(request);
  expect(decision.matched).toBe(true);
  // Every denial is the policy's message: an expression that errored (a type error at run time)
  // would deny with "expression error" instead.
  for (const denial of decision.denials) expect(denial).toMatch(new RegExp(`^kubeguard ${checkId} `));
  // An UPDATE to the same object is decided the same way.
  const update = policy.evaluate({ ...request, operation: 'UPDATE', oldObject: request.object });
  expect(update.allowed).toBe(decision.allowed);
  return decision.allowed ? 'admitted' : 'denied';
}

const PODLIKE = (path: string) => loadObjects(path).filter((o) => createRequest(o.object) !== undefined);

describe('the report the policies are generated from', () => {
  it('fails every expressible check, so every policy exists', () => {
    const failed = new Set(REPORT.results.filter((r) => r.status === 'fail').map((r) => r.checkId));
    expect(EXPRESSIBLE.filter((id) => !failed.has(id))).toEqual([]);
    expect(GENERATED.policies.map((p) => p.checkId).sort()).toEqual([...EXPRESSIBLE].sort());
    expect(GENERATED.notGenerated.map((n) => n.checkId)).toEqual(
      Object.keys(NOT_EXPRESSIBLE).filter((id) => failed.has(id)),
    );
  });

  it('holds the 30 labelled manifests of the public corpus', () => {
    expect(corpusFiles()).toHaveLength(30);
    expect(corpusLabels()).toHaveLength(30);
  });
});

describe('the corpus labels: a failing manifest is denied, a passing one admitted', () => {
  const cases = corpusLabels().flatMap((label) =>
    label.checksEvaluated
      .filter((id) => EXPRESSIBLE.includes(id))
      .map((id) => ({ file: label.file, id, fails: label.expectedFailing.includes(id) })),
  );

  it('covers every labelled check that has a policy', () => {
    expect(new Set(cases.map((c) => c.id))).toEqual(
      new Set([
        'KP-060',
        'KP-061',
        'KP-062',
        'KP-063',
        'KP-064',
        'KP-065',
        'KP-067',
        'KP-068',
        'KP-070',
        'KP-072',
        'KP-084',
      ]),
    );
  });

  it.each(cases)('$file $id: denied = $fails', ({ file, id, fails }) => {
    const verdicts = PODLIKE(`${CORPUS_DIR}/${file}`).map((o) => celVerdict(o.object, id));
    expect(verdicts.length).toBeGreaterThan(0);
    if (fails) expect(verdicts).toContain('denied');
    else expect(verdicts.every((v) => v === 'admitted')).toBe(true);
  });
});

describe('beyond the labels: every policy decides every object as its check does', () => {
  const files = [...corpusFiles(), EDGE_FILE];
  it.each(files.map((path) => ({ path, name: path.split('/').pop() })))('$name', ({ path }) => {
    const disagreements: string[] = [];
    for (const { object } of PODLIKE(path)) {
      for (const checkId of EXPRESSIBLE) {
        const expected = checkVerdict(object, checkId) === 'fail' ? 'denied' : 'admitted';
        const actual = celVerdict(object, checkId);
        if (actual !== expected)
          disagreements.push(
            `${object.kind}/${object.metadata?.name} ${checkId}: check says ${expected}, CEL ${actual}`,
          );
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('sees both verdicts for every policy', () => {
    const seen = new Map<string, Set<string>>();
    for (const path of files) {
      for (const { object } of PODLIKE(path)) {
        for (const checkId of EXPRESSIBLE) {
          const verdicts = seen.get(checkId) ?? new Set();
          verdicts.add(celVerdict(object, checkId));
          seen.set(checkId, verdicts);
        }
      }
    }
    expect([...seen].filter(([, v]) => v.size < 2).map(([id]) => id)).toEqual([]);
  });
});
