import { describe, expect, it } from 'vitest';
import { runAudit } from '#core/posture/engine.ts';
import { ALL_CHECKS } from '#core/posture/registry.ts';
import { compareResults, sortResults } from '#core/posture/report.ts';
import { clusterObjects, seededRandom } from '#test/support/cluster-manifests.ts';
import { corpusSnapshot, snapshotOf } from './support.ts';

describe('report order', () => {
  it('sorts on integer keys exactly as compareResults does (top risks first)', () => {
    const snapshot = snapshotOf(
      ...(clusterObjects(seededRandom(7), 0.01) as unknown as Record<string, unknown>[]),
    );
    const report = runAudit(snapshot);
    const coreIds = new Set(ALL_CHECKS.filter((c) => c.core).map((c) => c.id));
    const shuffled = [...report.results].reverse();

    expect(report.results.length).toBeGreaterThan(1_000);
    expect(sortResults(shuffled, coreIds)).toEqual([...shuffled].sort(compareResults(coreIds)));
  });

  it('orders names the way localeCompare does (case and accents), ties keeping input order', () => {
    const results = runAudit(corpusSnapshot('m29.yaml')).results;
    const names = ['b', 'B', 'a', 'é', 'e', 'A', 'b'].map((name, i) => ({
      ...(results[0] as (typeof results)[number]),
      object: { kind: 'Pod', name },
      message: String(i),
    }));
    const coreIds = new Set<string>();

    expect(sortResults(names, coreIds)).toEqual([...names].sort(compareResults(coreIds)));
  });
});
