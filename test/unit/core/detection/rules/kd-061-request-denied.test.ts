import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../../core/detection/audit-event.ts';
import { InMemoryDenialCounter } from '../../../../../core/detection/burst.ts';
import { DEFAULT_DETECTION_CONFIG } from '../../../../../core/detection/config.ts';
import { kd061RequestDenied as rule } from '../../../../../core/detection/rules/kd-061-request-denied.ts';
import { analyzeAuditRecords } from '../../../../../core/ingest/audit-analysis.ts';
import {
  corpusEvent,
  detect,
  exampleOf,
  fixtureEvent,
  REJECTED_BY_ADMISSION,
  variant,
} from './rule-test-support.ts';

/** The real Node-authorizer 403 of a kubelet (test/fixtures/eks-audit-node-forbidden.json). */
const nodeForbidden = () => fixtureEvent('eks-audit-node-forbidden.json');
/** The same refusal for a person: the IAM-mapped admin of the real exec fixture. */
const personForbidden = () =>
  variant(nodeForbidden(), {
    user: fixtureEvent('eks-audit-exec-pod-create.json').user,
    userAgent: 'kubectl/v1.28.4 (linux/amd64) kubernetes/bae2c62',
  });

describe('KD-061 forbidden / unauthorized request (single event)', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-061');
  });

  it('flags a 403 as a low-severity detection', () => {
    const detection = detect(rule, personForbidden());

    expect(detection).toMatchObject({
      severity: 'low',
      principal: 'kubernetes-admin',
      workload: 'persistentvolume/865eec5824122cafa9f6e444e622fe30a1c13e570db92581035f7f88a62c02ba',
    });
    expect(detection?.summary).toBe(
      'kubernetes-admin was denied (403): get ' +
        '/api/v1/persistentvolumes/865eec5824122cafa9f6e444e622fe30a1c13e570db92581035f7f88a62c02ba.',
    );
    expect(detection?.evidence.responseMessage).toContain('is forbidden');
  });

  it('flags a 403 of a system principal other than a node (a kube-system service account)', () => {
    expect(detect(rule, corpusEvent(84))?.principal).toBe('system:serviceaccount:kube-system:coredns');
  });

  it('does not report a single Node-authorizer denial of a kubelet (system:node:*)', () => {
    expect(detect(rule, nodeForbidden())).toBeUndefined();
    expect(detect(rule, variant(nodeForbidden(), { responseStatus: undefined }))).toBeUndefined();
  });

  it('still reports a burst of node denials, once, through the KD-061 burst', async () => {
    const at = (n: number) => new Date(Date.parse('2023-06-19T08:07:21.502Z') + n * 5000).toISOString();
    const denials: AuditEvent[] = Array.from({ length: 12 }, (_, n) =>
      variant(nodeForbidden(), { requestReceivedTimestamp: at(n), stageTimestamp: at(n) }),
    );
    const analysis = await analyzeAuditRecords(
      denials.map((event, ref) => ({ event, ref })),
      { cluster: 'prod-eu', config: DEFAULT_DETECTION_CONFIG, now: '2023-06-19T09:00:00.000Z' },
      { counter: new InMemoryDenialCounter() },
    );
    expect(
      analysis.detections.map(({ detection, ref }) => [detection.ruleId, ref, detection.evidence.burstKey]),
    ).toEqual([['KD-061', 9, 'principal']]);
  });

  it('flags a failed authentication, which is logged only at ResponseStarted and has no user', () => {
    const detection = detect(rule, fixtureEvent('eks-audit-failed-authentication-401.json'));

    expect(detection?.principal).toBeUndefined();
    expect(detection?.summary).toBe(
      'an unidentified caller failed authentication (401): list /api/v1/namespaces/kube-system/secrets.',
    );
  });

  it('ignores a 403 at ResponseStarted: only the ResponseComplete line carries it', () => {
    expect(detect(rule, variant(personForbidden(), { stage: 'ResponseStarted' }))).toBeUndefined();
  });

  it('flags anonymous scanners and 403s with an allow decision (refused after authorization)', () => {
    expect(detect(rule, fixtureEvent('eks-audit-anonymous-denied.json'))).toBeDefined();
    expect(detect(rule, corpusEvent(176))).toBeDefined();
  });

  it('flags a forbid decision without a response status', () => {
    expect(detect(rule, variant(personForbidden(), { responseStatus: undefined }))).toBeDefined();
  });

  it('ignores other failures and successes', () => {
    expect(detect(rule, corpusEvent(127))).toBeUndefined();
    expect(detect(rule, variant(personForbidden(), REJECTED_BY_ADMISSION))).toBeUndefined();
    expect(detect(rule, fixtureEvent('eks-audit-anonymous-allowed-version.json'))).toBeUndefined();
  });
});
