import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../core/detection/audit-event.ts';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from '../../../../core/detection/config.ts';
import { parseAuditEvent } from '../../../../core/detection/decode-audit.ts';
import {
  type AuditContext,
  evaluateAuditEvent,
  evaluateAuditEvents,
} from '../../../../core/detection/engine.ts';
import { auditEventIdentity } from '../../../../core/detection/event-identity.ts';
import type { AuditRule, RuleMatch } from '../../../../core/detection/rule.ts';
import { fixtureWith, loadFixture } from '../../../support/fixtures.ts';

const NOW = '2024-05-15T00:00:00.000Z';

function rule(
  id: string,
  match: AuditRule['match'] = () => ({ summary: `${id} matched` }),
  extra: Partial<AuditRule> = {},
): AuditRule {
  return {
    id,
    title: `Rule ${id}`,
    severity: 'medium',
    mitre: ['T1609'],
    core: true,
    trigger: 'test',
    whatHappened: '',
    whyItMatters: '',
    firstResponse: '',
    falsePositives: '',
    example: loadFixture('eks-audit-exec-pod-create.json'),
    match,
    ...extra,
  };
}

function context(config: Partial<DetectionConfig> = {}): AuditContext {
  return {
    cluster: 'prod-cluster',
    account: '111122223333',
    region: 'eu-west-1',
    config: { ...DEFAULT_DETECTION_CONFIG, ...config },
    now: NOW,
  };
}

/** The exec fixture (logged at ResponseStarted), at ResponseComplete unless told otherwise. */
const exec = (overrides: Record<string, unknown> = {}): AuditEvent =>
  parseAuditEvent(fixtureWith('eks-audit-exec-pod-create.json', { stage: 'ResponseComplete', ...overrides }));

const ids = (result: { detections: { ruleId: string }[] }) => result.detections.map((d) => d.ruleId);

describe('detection engine', () => {
  it('builds a detection from the event, the match and the context', () => {
    const match: RuleMatch = { summary: 'exec into web', pod: 'web-1', evidence: { container: 'app' } };
    const [detection] = evaluateAuditEvent(exec(), context(), [rule('KD-020', () => match)]).detections;
    const event = exec();
    expect(detection).toMatchObject({
      ruleId: 'KD-020',
      title: 'Rule KD-020',
      severity: 'medium',
      mitre: ['T1609'],
      source: 'audit-log',
      summary: 'exec into web',
      cluster: 'prod-cluster',
      account: '111122223333',
      region: 'eu-west-1',
      pod: 'web-1',
      principal: event.user?.username,
      eventId: auditEventIdentity(event),
      firstSeen: event.stageTimestamp,
      count: 1,
      evidence: {
        verb: 'create',
        requestUri: event.requestURI,
        responseCode: '101',
        auditId: event.auditID,
        container: 'app',
      },
    });
  });

  it('evaluates at ResponseComplete and when the stage is absent, not at RequestReceived', () => {
    const rules = [rule('KD-001')];
    expect(ids(evaluateAuditEvent(exec({ stage: 'ResponseComplete' }), context(), rules))).toEqual([
      'KD-001',
    ]);
    const { stage: _stage, ...noStage } = exec();
    expect(ids(evaluateAuditEvent(noStage as AuditEvent, context(), rules))).toEqual(['KD-001']);
    expect(ids(evaluateAuditEvent(exec({ stage: 'RequestReceived' }), context(), rules))).toEqual([]);
  });

  it('evaluates at ResponseStarted only the rules that ask for it (upgraded exec streams)', () => {
    const rules = [rule('KD-001'), rule('KD-020', undefined, { evaluatesResponseStarted: true })];
    expect(ids(evaluateAuditEvent(exec({ stage: 'ResponseStarted' }), context(), rules))).toEqual(['KD-020']);
  });

  it('skips principals on the allow-list, exactly or by prefix', () => {
    const rules = [rule('KD-020')];
    const principal = exec().user?.username ?? '';
    expect(ids(evaluateAuditEvent(exec(), context({ principalAllowList: [principal] }), rules))).toEqual([]);
    expect(
      ids(evaluateAuditEvent(exec(), context({ principalAllowList: [`${principal.slice(0, 5)}*`] }), rules)),
    ).toEqual([]);
    expect(
      ids(evaluateAuditEvent(exec(), context({ principalAllowList: [principal.slice(0, 5)] }), rules)),
    ).toEqual(['KD-020']);
  });

  it('skips namespaces on the allow-list', () => {
    const namespace = exec().objectRef?.namespace ?? '';
    expect(
      ids(evaluateAuditEvent(exec(), context({ namespaceAllowList: [namespace] }), [rule('KD-020')])),
    ).toEqual([]);
  });

  it('applies per-rule enablement and severity overrides', () => {
    const rules = [rule('KD-020'), rule('KD-022')];
    const config = { rules: { 'KD-020': { enabled: false }, 'KD-022': { severity: 'critical' as const } } };
    const { detections } = evaluateAuditEvent(exec(), context(config), rules);
    expect(detections.map((d) => [d.ruleId, d.severity])).toEqual([['KD-022', 'critical']]);
  });

  it('lets a match override the rule severity, below a configured override', () => {
    const rules = [rule('KD-083', () => ({ summary: 'node', severity: 'high' }))];
    expect(evaluateAuditEvent(exec(), context(), rules).detections[0]?.severity).toBe('high');
    const config = { rules: { 'KD-083': { severity: 'low' as const } } };
    expect(evaluateAuditEvent(exec(), context(config), rules).detections[0]?.severity).toBe('low');
  });

  it('drops detections under an unexpired suppression whose given fields all match', () => {
    const rules = [rule('KD-020')];
    const until = '2024-06-01T00:00:00Z';
    const matching = { ruleId: 'KD-020', cluster: 'prod-cluster', until, reason: 'maintenance' };
    expect(ids(evaluateAuditEvent(exec(), context({ suppressions: [matching] }), rules))).toEqual([]);
    const otherCluster = { ...matching, cluster: 'staging' };
    expect(ids(evaluateAuditEvent(exec(), context({ suppressions: [otherCluster] }), rules))).toEqual([
      'KD-020',
    ]);
    const expired = { ...matching, until: '2024-05-01T00:00:00Z' };
    expect(ids(evaluateAuditEvent(exec(), context({ suppressions: [expired] }), rules))).toEqual(['KD-020']);
  });

  it('reports a rule that throws and keeps the other rules’ detections', () => {
    const failing = rule('KD-021', () => {
      throw new TypeError('cannot read spec');
    });
    const result = evaluateAuditEvent(exec(), context(), [
      rule('KD-020'),
      failing,
      rule('KD-022', () => null),
    ]);
    expect(ids(result)).toEqual(['KD-020']);
    expect(result.ruleErrors).toEqual([{ ruleId: 'KD-021', error: expect.any(TypeError) }]);
  });

  it('falls back to "now" for an event without a timestamp and leaves an empty principal out', () => {
    const {
      stageTimestamp: _a,
      requestReceivedTimestamp: _b,
      ...event
    } = parseAuditEvent(loadFixture('eks-audit-failed-authentication-401.json'));
    const [detection] = evaluateAuditEvent({ ...event, stage: 'ResponseComplete' }, context(), [
      rule('KD-061'),
    ]).detections;
    expect(detection?.firstSeen).toBe(NOW);
    expect(detection?.principal).toBeUndefined();
    expect(detection?.sourceIps).toEqual(['192.0.2.77']);
  });

  it('keeps one detection per (auditID, rule) across the stages of one exec', async () => {
    const { AUDIT_RULES } = await import('../../../../core/detection/registry.ts');
    expect(AUDIT_RULES.length).toBeGreaterThan(0);
    const started = exec({ stage: 'ResponseStarted' });
    const complete = exec({ stage: 'ResponseComplete' });
    const detections = evaluateAuditEvents([started, complete], context());
    const keys = detections.map((d) => `${d.eventId}/${d.ruleId}`);
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
