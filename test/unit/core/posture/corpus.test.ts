import { describe, expect, it } from 'vitest';
import { runAudit } from '#core/posture/engine.ts';
import { findCheck } from '#core/posture/registry.ts';
import { readFixtureFile } from '#test/support/fixtures.ts';
import { corpusSnapshot } from './support.ts';

interface ManifestLabel {
  checks_evaluated: string[];
  expected_failing: string[];
  note?: string;
}

const LABELS = (
  readFixtureFile('corpus/public/manifest-labels.json') as { labels: Record<string, ManifestLabel> }
).labels;

/** Checks this suite owns (workload and network); they must be registered. */
function isWorkloadOrNetworkCheck(id: string): boolean {
  const number = Number(id.slice(3));
  return number >= 60 && number <= 109;
}

/**
 * Every labelled check that is registered is scored; the RBAC checks of the corpus (KP-040, KP-042,
 * KP-045, KP-052) join automatically once registered. No label contradicts the catalog for
 * KP-060…KP-109, so no exception is listed here.
 */
const CASES = Object.entries(LABELS).flatMap(([file, label]) =>
  label.checks_evaluated
    .filter((id) => isWorkloadOrNetworkCheck(id) || findCheck(id) !== undefined)
    .map((id) => ({ file, id, expectFail: label.expected_failing.includes(id) })),
);

describe('public manifest corpus', () => {
  it('covers every labelled workload and network check', () => {
    const labelled = new Set(
      Object.values(LABELS).flatMap((l) => l.checks_evaluated.filter(isWorkloadOrNetworkCheck)),
    );
    expect([...labelled].filter((id) => findCheck(id) === undefined)).toEqual([]);
    expect(labelled.size).toBeGreaterThanOrEqual(14);
  });

  it.each(CASES)('$file: $id fails = $expectFail', ({ file, id, expectFail }) => {
    const check = findCheck(id);
    expect(check, `${id} is registered`).toBeDefined();
    const report = runAudit(corpusSnapshot(file), check === undefined ? [] : [check]);

    const results = report.results.filter((r) => r.checkId === id);

    expect(results.length).toBeGreaterThan(0);
    expect(results.some((r) => r.status === 'skip')).toBe(false);
    if (expectFail) expect(results.some((r) => r.status === 'fail')).toBe(true);
    else expect(results.every((r) => r.status === 'pass')).toBe(true);
  });

  it('names the failing field and value of the corpus failures', () => {
    const report = runAudit(corpusSnapshot('m08.yaml', 'm13.yaml', 'm12.yaml'));
    const messages = report.results
      .filter((r) => r.status === 'fail')
      .map((r) => `${r.checkId} ${r.message}`);

    expect(messages).toContain(
      'KP-060 spec.containers[0].securityContext.privileged is true (container "#0")',
    );
    expect(messages).toContain(
      'KP-070 spec.template.spec.containers[0].securityContext.runAsNonRoot is false (container "nginx")',
    );
    expect(messages).toContain(
      'KP-068 spec.containers[0].securityContext.capabilities.add[0] is "nEt_aDmIn" (container "nginx"; not in the baseline set)',
    );
  });
});
