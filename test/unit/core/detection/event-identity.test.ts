import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../core/detection/audit-event.ts';
import { DEFAULT_DETECTION_CONFIG } from '../../../../core/detection/config.ts';
import { parseAuditEvent } from '../../../../core/detection/decode-audit.ts';
import { evaluateAuditEvent, evaluateAuditEvents } from '../../../../core/detection/engine.ts';
import { auditActor, auditEventIdentity } from '../../../../core/detection/event-identity.ts';
import { analyzeAuditRecords } from '../../../../core/ingest/audit-analysis.ts';
import { fixtureWith, loadFixture } from '../../../support/fixtures.ts';

const NOW = '2024-05-15T00:00:00.000Z';
const context = { cluster: 'prod-cluster', config: DEFAULT_DETECTION_CONFIG, now: NOW };

/** The real `list secrets` event turned into a `get` of one named secret, with a client-chosen Audit-ID. */
function secretRead(namespace: string, name: string, receivedAt: string): AuditEvent {
  return parseAuditEvent(
    fixtureWith('eks-audit-secrets-list.json', {
      auditID: 'decoy-0000-4000-8000-000000000001',
      verb: 'get',
      requestURI: `/api/v1/namespaces/${namespace}/secrets/${name}`,
      objectRef: { resource: 'secrets', namespace, name, apiVersion: 'v1' },
      requestReceivedTimestamp: receivedAt,
      stageTimestamp: receivedAt.replace(/Z$/, '9Z'),
    }),
  );
}

const devRead = () => secretRead('dev', 'app-config', '2024-05-15T10:00:00.000001Z');
const prodRead = () => secretRead('prod', 'payments-db-password', '2024-05-15T10:00:03.000001Z');

/** The real exec event at both of its stages (same request, same requestReceivedTimestamp). */
const execAt = (stage: string) =>
  parseAuditEvent(fixtureWith('eks-audit-exec-pod-create.json', { stage, stageTimestamp: undefined }));

describe('audit event identity', () => {
  it('is the same for the ResponseStarted and ResponseComplete stages of one exec', () => {
    expect(auditEventIdentity(execAt('ResponseStarted'))).toBe(
      auditEventIdentity(execAt('ResponseComplete')),
    );
  });

  it('differs for two requests that share a client-chosen Audit-ID', () => {
    expect(devRead().auditID).toBe(prodRead().auditID);
    expect(auditEventIdentity(devRead())).not.toBe(auditEventIdentity(prodRead()));
  });

  it('differs for the same request sent again with the same Audit-ID (received at another time)', () => {
    const again = secretRead('dev', 'app-config', '2024-05-15T10:00:00.000002Z');
    expect(auditEventIdentity(again)).not.toBe(auditEventIdentity(devRead()));
  });

  it('is a 32-character hex hash, stable across calls', () => {
    const identity = auditEventIdentity(devRead());
    expect(identity).toMatch(/^[0-9a-f]{32}$/);
    expect(auditEventIdentity(devRead())).toBe(identity);
  });

  it('reads v1beta1 events, whose receive time is `timestamp`', () => {
    const { requestReceivedTimestamp: _dropped, ...beta } = devRead();
    const first = { ...beta, timestamp: '2024-05-15T10:00:00.000001Z' };
    const second = { ...beta, timestamp: '2024-05-15T10:00:05.000001Z' };
    expect(auditEventIdentity(first)).not.toBe(auditEventIdentity(second));
  });
});

describe('de-duplication by identity, not by auditID', () => {
  it('keeps the prod secret read that reuses the Audit-ID of a dev read (evaluateAuditEvents)', () => {
    const detections = evaluateAuditEvents([devRead(), prodRead()], context);
    expect(detections.map((d) => [d.ruleId, d.namespace, d.secretNames])).toEqual([
      ['KD-031', 'dev', ['app-config']],
      ['KD-031', 'prod', ['payments-db-password']],
    ]);
  });

  it('keeps both reads across calls that share the seen set (analyzeAuditRecords)', async () => {
    const seen = new Set<string>();
    const first = await analyzeAuditRecords([{ event: devRead(), ref: 1 }], context, { seen });
    const second = await analyzeAuditRecords([{ event: prodRead(), ref: 2 }], context, { seen });
    expect(first.detections.map((d) => d.detection.namespace)).toEqual(['dev']);
    expect(second.detections.map((d) => d.detection.namespace)).toEqual(['prod']);
  });

  it('still reports the two stages of one exec once per rule', async () => {
    const result = await analyzeAuditRecords(
      [
        { event: execAt('ResponseStarted'), ref: 1 },
        { event: execAt('ResponseComplete'), ref: 2 },
      ],
      context,
    );
    const refs = result.detections.map((d) => `${d.detection.ruleId}@${d.ref}`);
    expect(refs).toEqual(['KD-020@1', 'KD-023@1']);
  });

  it('keeps the raw auditID in evidence for responders', () => {
    const [detection] = evaluateAuditEvent(prodRead(), context).detections;
    expect(detection?.eventId).toBe(auditEventIdentity(prodRead()));
    expect(detection?.evidence.auditId).toBe('decoy-0000-4000-8000-000000000001');
  });
});

describe('audit event actor', () => {
  it('reads the IAM identity EKS recorded in user.extra', () => {
    expect(auditActor(parseAuditEvent(loadFixture('eks-audit-exec-pod-create.json')))).toEqual({
      arn: 'arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe',
      sessionName: 'jdoe',
      accessKeyId: 'ASIAEXAMPLEKEYID0001',
    });
  });

  it('is undefined for an event without user.extra (anonymous request)', () => {
    expect(auditActor(parseAuditEvent(loadFixture('eks-audit-anonymous-denied.json')))).toBeUndefined();
  });

  it('ignores extra values of the wrong type', () => {
    const event = parseAuditEvent(
      fixtureWith('eks-audit-exec-pod-create.json', {
        user: { extra: { arn: 'not-a-list', sessionName: [42], accessKeyId: [''] } },
      }),
    );
    expect(auditActor(event)).toBeUndefined();
  });

  it('is carried on every audit detection of the event', () => {
    const detections = evaluateAuditEvent(
      parseAuditEvent(loadFixture('eks-audit-exec-pod-create.json')),
      context,
    ).detections;
    expect(detections.length).toBeGreaterThan(0);
    for (const detection of detections) {
      expect(detection.actor?.arn).toBe('arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe');
    }
  });
});
