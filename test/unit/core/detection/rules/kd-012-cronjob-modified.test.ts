import { describe, expect, it } from 'vitest';
import { kd012CronJobModified as rule } from '../../../../../core/detection/rules/kd-012-cronjob-modified.ts';
import { corpusEvent, DENIED_BY_RBAC, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 70 (Panther "CronJob created"). */
const cronJobCreate = () => corpusEvent(70);

describe('KD-012 CronJob created or modified', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-012');
  });

  it('flags a person creating a CronJob', () => {
    expect(detect(rule, cronJobCreate())).toMatchObject({
      severity: 'medium',
      namespace: 'default',
      workload: 'cronjob/backup-job',
      summary: 'admin@example.com created CronJob backup-job in namespace default.',
    });
  });

  it.each([['update'], ['patch'], ['delete']])('flags %s', (verb) => {
    expect(detect(rule, variant(cronJobCreate(), { verb, responseStatus: { code: 200 } }))?.ruleId).toBe(
      'KD-012',
    );
  });

  it('ignores reads', () => {
    expect(
      detect(rule, variant(cronJobCreate(), { verb: 'get', responseStatus: { code: 200 } })),
    ).toBeUndefined();
  });

  it('ignores the CronJob controller and other system principals', () => {
    expect(detect(rule, corpusEvent(71))).toBeUndefined();
    expect(
      detect(rule, variant(cronJobCreate(), { user: { username: 'eks:addon-manager' } })),
    ).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(cronJobCreate(), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('ignores a cronjobs resource of another API group', () => {
    expect(
      detect(rule, variant(cronJobCreate(), { objectRef: { apiGroup: 'example.com' } })),
    ).toBeUndefined();
    expect(detect(rule, variant(cronJobCreate(), { objectRef: { apiGroup: 'batch' } }))?.ruleId).toBe(
      'KD-012',
    );
  });
});
