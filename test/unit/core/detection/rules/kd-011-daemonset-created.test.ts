import { describe, expect, it } from 'vitest';
import { kd011DaemonSetCreated as rule } from '../../../../../core/detection/rules/kd-011-daemonset-created.ts';
import { corpusEvent, DENIED_BY_RBAC, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 72 (Panther "DaemonSet created by user"). */
const daemonSetCreate = () => corpusEvent(72);

describe('KD-011 DaemonSet created by a non-system user', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-011');
  });

  it('flags a person creating a DaemonSet, naming it as the workload', () => {
    expect(detect(rule, daemonSetCreate())).toMatchObject({
      severity: 'low',
      namespace: 'kube-system',
      workload: 'daemonset/monitoring-agent',
      summary: 'admin@example.com created DaemonSet monitoring-agent in namespace kube-system.',
    });
  });

  it('flags a patch of a DaemonSet', () => {
    const patch = variant(daemonSetCreate(), { verb: 'patch', responseStatus: { code: 200 } });

    expect(detect(rule, patch)?.summary).toContain('patched DaemonSet monitoring-agent');
  });

  it('ignores the DaemonSet controller and other system principals', () => {
    expect(detect(rule, corpusEvent(73))).toBeUndefined();
  });

  it('ignores deletes and the same request when it was denied', () => {
    expect(
      detect(rule, variant(daemonSetCreate(), { verb: 'delete', responseStatus: { code: 200 } })),
    ).toBeUndefined();
    expect(detect(rule, variant(daemonSetCreate(), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('ignores Deployments', () => {
    expect(detect(rule, corpusEvent(18))).toBeUndefined();
  });
});
