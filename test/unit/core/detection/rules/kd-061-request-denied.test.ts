import { describe, expect, it } from 'vitest';
import { kd061RequestDenied as rule } from '../../../../../core/detection/rules/kd-061-request-denied.ts';
import {
  corpusEvent,
  detect,
  exampleOf,
  fixtureEvent,
  REJECTED_BY_ADMISSION,
  variant,
} from './rule-test-support.ts';

const nodeForbidden = () => fixtureEvent('eks-audit-node-forbidden.json');

describe('KD-061 forbidden / unauthorized request (single event)', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-061');
  });

  it('flags a 403 as a low-severity detection, whoever the caller (system principals included)', () => {
    const detection = detect(rule, nodeForbidden());

    expect(detection).toMatchObject({
      severity: 'low',
      principal: 'system:node:ip-10-0-0-137.eu-west-1.compute.internal',
      workload: 'persistentvolume/865eec5824122cafa9f6e444e622fe30a1c13e570db92581035f7f88a62c02ba',
    });
    expect(detection?.summary).toBe(
      'system:node:ip-10-0-0-137.eu-west-1.compute.internal was denied (403): get ' +
        '/api/v1/persistentvolumes/865eec5824122cafa9f6e444e622fe30a1c13e570db92581035f7f88a62c02ba.',
    );
    expect(detection?.evidence.responseMessage).toContain('is forbidden');
  });

  it('flags a failed authentication, which is logged only at ResponseStarted and has no user', () => {
    const detection = detect(rule, fixtureEvent('eks-audit-failed-authentication-401.json'));

    expect(detection?.principal).toBeUndefined();
    expect(detection?.summary).toBe(
      'an unidentified caller failed authentication (401): list /api/v1/namespaces/kube-system/secrets.',
    );
  });

  it('ignores a 403 at ResponseStarted: only the ResponseComplete line carries it', () => {
    expect(detect(rule, variant(nodeForbidden(), { stage: 'ResponseStarted' }))).toBeUndefined();
  });

  it('flags anonymous scanners and 403s with an allow decision (refused after authorization)', () => {
    expect(detect(rule, fixtureEvent('eks-audit-anonymous-denied.json'))).toBeDefined();
    expect(detect(rule, corpusEvent(176))).toBeDefined();
  });

  it('flags a forbid decision without a response status', () => {
    expect(detect(rule, variant(nodeForbidden(), { responseStatus: undefined }))).toBeDefined();
  });

  it('ignores other failures and successes', () => {
    expect(detect(rule, corpusEvent(127))).toBeUndefined();
    expect(detect(rule, variant(nodeForbidden(), REJECTED_BY_ADMISSION))).toBeUndefined();
    expect(detect(rule, fixtureEvent('eks-audit-anonymous-allowed-version.json'))).toBeUndefined();
  });
});
