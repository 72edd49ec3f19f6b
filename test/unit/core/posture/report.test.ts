import { describe, expect, it } from 'vitest';
import { runAudit } from '#core/posture/engine.ts';
import { NETWORK_CHECKS, WORKLOAD_CHECKS } from '#core/posture/registry.ts';
import { compareSections } from '#core/posture/report.ts';
import { corpusSnapshot } from './support.ts';

describe('audit report', () => {
  const report = runAudit(corpusSnapshot('m08.yaml', 'm27.yaml', 'm14.yaml'), [
    ...WORKLOAD_CHECKS,
    ...NETWORK_CHECKS,
  ]);

  it('lists failures first, most severe first, core checks before others of the same severity', () => {
    const statuses = report.results.map((r) => r.status);
    const firstPass = statuses.indexOf('pass');
    expect(statuses.slice(0, firstPass).every((s) => s !== 'pass')).toBe(true);
    expect(statuses.slice(firstPass).every((s) => s === 'pass')).toBe(true);

    expect(report.results[0]?.checkId).toBe('KP-060');
    const medium = report.results
      .filter((r) => r.status === 'fail' && r.severity === 'medium')
      .map((r) => r.checkId);
    expect(medium.indexOf('KP-103')).toBeLessThan(medium.indexOf('KP-069'));
  });

  it('counts pass, fail and skip overall, per category and per CIS section', () => {
    const { pass, fail, skip } = report.summary;
    expect(pass + fail + skip).toBe(report.results.length);
    expect(report.categories.network?.fail).toBeGreaterThan(0);
    expect(report.cisSections['4.2.1']).toEqual({ pass: 1, fail: 1, skip: 0 });
    expect(report.cisSections['5.1.4']).toEqual({ pass: 0, fail: 0, skip: 1 });
    expect(Object.keys(report.cisSections)).toEqual(
      [...Object.keys(report.cisSections)].sort(compareSections),
    );
  });

  it('orders CIS sections numerically', () => {
    expect(['4.2.10', '4.2.9', '4.10.1', '4.2'].sort(compareSections)).toEqual([
      '4.2',
      '4.2.9',
      '4.2.10',
      '4.10.1',
    ]);
  });
});
