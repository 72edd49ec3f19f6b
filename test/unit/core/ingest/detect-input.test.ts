import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDIT_RULES } from '../../../../core/detection/registry.ts';
import type { AuditRule } from '../../../../core/detection/rule.ts';
import { analyzeInput, readInput } from '../../../../core/ingest/detect-input.ts';
import { fixtureWith, loadFixture, readFixtureText } from '../../../support/fixtures.ts';

const NOW = '2024-11-14T00:00:00.000Z';

const AUDIT_FIXTURES = [
  'eks-audit-anonymous-denied.json',
  'eks-audit-exec-pod-create.json',
  'eks-audit-privileged-pod-create.json',
  'eks-audit-clusterrolebinding-cluster-admin.json',
  'eks-audit-secrets-list.json',
];
const GUARDDUTY_FIXTURES = [
  'guardduty-eks-exec-in-kube-system-pod.json',
  'guardduty-eks-privileged-container.json',
  'guardduty-eks-anonymous-access-granted.json',
];

const auditLine = (name: string) => JSON.stringify(loadFixture(name));

/** A rule that fires on every event, so these tests do not depend on the catalog rules. */
const everyEvent: AuditRule = {
  id: 'KD-999',
  title: 'Every event',
  severity: 'low',
  mitre: [],
  core: false,
  trigger: 'any event',
  whatHappened: '',
  whyItMatters: '',
  firstResponse: '',
  falsePositives: '',
  example: loadFixture('eks-audit-secrets-list.json'),
  evaluatesResponseStarted: true,
  match: (event) => ({ summary: `saw ${event.auditID}` }),
};

const analyze = (text: string, options: Partial<Parameters<typeof analyzeInput>[1]> = {}) =>
  analyzeInput(text, { now: NOW, rules: [everyEvent], ...options });

describe('input auto-detection', () => {
  it('reads JSON Lines of audit events with their 1-based lines', async () => {
    const text = `${AUDIT_FIXTURES.map(auditLine).join('\n')}\n`;
    const result = await analyze(text);
    expect(result.records).toBe(5);
    expect(result.malformed).toEqual([]);
    expect(result.detections.map((d) => d.line)).toEqual([1, 2, 3, 4, 5]);
    expect(result.detections[0]?.detection.evidence.auditId).toBe('edf35e8d-92c3-4507-9bc6-4dd9cf068bcf');
  });

  it('reads one pretty-printed audit event, at the line where it starts', async () => {
    const text = `\n\n${JSON.stringify(loadFixture('eks-audit-exec-pod-create.json'), null, 2)}\n`;
    const result = await analyze(text);
    expect(result.detections.map((d) => d.line)).toEqual([3]);
  });

  it('reads a pretty-printed JSON array at the line where each element starts', async () => {
    const events = AUDIT_FIXTURES.slice(0, 3).map((name) => loadFixture(name));
    const text = JSON.stringify(events, null, 2);
    const lines = text.split('\n');
    const starts = lines.flatMap((line, i) => (line === '  {' ? [i + 1] : []));
    const result = await analyze(text);
    expect(result.detections.map((d) => d.line)).toEqual(starts);
  });

  it('reads an audit EventList', async () => {
    const list = {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      items: AUDIT_FIXTURES.map((n) => loadFixture(n)),
    };
    const result = await analyze(JSON.stringify(list));
    expect(result.records).toBe(5);
  });

  it('reads a CloudWatch Logs subscription event, taking the cluster and account from the envelope', async () => {
    const event = JSON.stringify(loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent'), null, 2);
    const result = await analyze(`\n${event}`);
    expect(result.records).toBe(10);
    expect(result.detections.every((d) => d.line === 2)).toBe(true);
    expect(result.detections[0]?.detection).toMatchObject({
      cluster: 'prod-cluster',
      account: '111122223333',
    });
  });

  it('reads a decoded CloudWatch Logs envelope', async () => {
    const result = await analyze(JSON.stringify(loadFixture('cwlogs-eks-audit-envelope.json', 'decoded')));
    expect(result.records).toBe(10);
    expect(result.detections[0]?.detection.cluster).toBe('prod-cluster');
  });

  it('skips CONTROL_MESSAGEs and streams that hold no audit events, saying why', async () => {
    const control = JSON.stringify(loadFixture('cwlogs-control-message.json', 'decoded'));
    const other = JSON.stringify(loadFixture('cwlogs-lambda-event-powertools-verbatim.json', 'lambdaEvent'));
    const result = await analyze(`${control}\n${other}`);
    expect(result.records).toBe(0);
    expect(result.skipped).toEqual([
      { line: 1, reason: 'CloudWatch Logs CONTROL_MESSAGE (connectivity probe)' },
      { line: 2, reason: expect.stringMatching(/not a kube-apiserver audit stream/) },
    ]);
  });

  it('reads GuardDuty findings delivered by EventBridge', async () => {
    const text = GUARDDUTY_FIXTURES.map((name) => JSON.stringify(loadFixture(name))).join('\n');
    const result = await analyze(text);
    expect(result.records).toBe(3);
    expect(result.detections.map((d) => [d.line, d.detection.source, d.detection.ruleId])).toEqual([
      [1, 'guardduty', 'KD-021'],
      [2, 'guardduty', 'KD-001'],
      [3, 'guardduty', 'KD-050'],
    ]);
  });

  it('lists a GuardDuty finding about something other than EKS as skipped', async () => {
    const ec2 = fixtureWith('guardduty-eks-privileged-container.json', {
      detail: { resource: { resourceType: 'Instance' } },
    });
    const result = await analyze(JSON.stringify(ec2));
    expect(result.detections).toEqual([]);
    expect(result.skipped[0]?.reason).toMatch(/^GuardDuty finding ignored: /);
  });

  it('reads a mix of every kind in one file', async () => {
    const text = [
      auditLine('eks-audit-secrets-list.json'),
      JSON.stringify(loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent')),
      JSON.stringify(loadFixture('guardduty-eks-exec-in-kube-system-pod.json')),
    ].join('\n');
    const result = await analyze(text);
    expect(result.records).toBe(12);
    expect(new Set(result.detections.map((d) => d.detection.source))).toEqual(
      new Set(['audit-log', 'guardduty']),
    );
  });

  it('reports malformed records with their line and reason and keeps the others', async () => {
    const text = [
      auditLine('eks-audit-secrets-list.json'),
      '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","user":{"name":"trunc',
      auditLine('eks-audit-exec-pod-create.json'),
      'plain text',
      '{"hello":"world"}',
      '[[1]]',
      JSON.stringify(fixtureWith('eks-audit-secrets-list.json', { verb: 3 })),
      JSON.stringify({ awslogs: { data: 'H4sI' } }),
      auditLine('eks-audit-privileged-pod-create.json'),
    ].join('\n');
    const result = await analyze(text);
    expect(result.detections.map((d) => d.line)).toEqual([1, 3, 9]);
    expect(result.malformed).toEqual([
      { line: 2, reason: expect.stringMatching(/^not valid JSON/) },
      { line: 4, reason: expect.stringMatching(/^not valid JSON/) },
      {
        line: 5,
        reason: expect.stringMatching(
          /^not a record kubeguard reads: .*received an object with keys "hello"/,
        ),
      },
      { line: 6, reason: 'a JSON array inside an array is not a record' },
      { line: 7, reason: expect.stringMatching(/"verb" must be a non-empty string; received number 3/) },
      { line: 8, reason: expect.stringMatching(/awslogs.data/) },
    ]);
  });

  it('reports a bad log event inside a CloudWatch event by its id, at the event line', async () => {
    const envelope = loadFixture<{ logEvents: { id: string; message: string }[] }>(
      'cwlogs-eks-audit-envelope.json',
      'decoded',
    );
    const bad = envelope.logEvents[4] as { id: string; message: string };
    bad.message = 'garbage';
    const data = gzipSync(Buffer.from(JSON.stringify(envelope))).toString('base64');
    const result = await analyze(
      `${auditLine('eks-audit-secrets-list.json')}\n${JSON.stringify({ awslogs: { data } })}`,
    );
    expect(result.records).toBe(10);
    expect(result.malformed).toEqual([
      { line: 2, reason: expect.stringMatching(new RegExp(`^log event ${bad.id}: .*not JSON`)) },
    ]);
  });

  it('accepts trimmed audit events in lenient mode, identifying them by line', async () => {
    const trimmed = loadFixture<Record<string, unknown>>('eks-audit-anonymous-allowed-version.json');
    delete trimmed.auditID;
    delete trimmed.apiVersion;
    const strict = await analyze(JSON.stringify(trimmed));
    expect(strict.malformed).toHaveLength(1);
    const lenient = await analyze(`\n${JSON.stringify(trimmed)}`, { lenient: true });
    expect(lenient.detections[0]?.detection.evidence.auditId).toBe('line-2');
  });

  it('gives bare audit events the default cluster', async () => {
    const result = await analyze(auditLine('eks-audit-secrets-list.json'), { cluster: 'dev' });
    expect(result.detections[0]?.detection.cluster).toBe('dev');
  });

  it('runs the KD-061 burst over the denials of the input', async () => {
    const lines = Array.from({ length: 10 }, (_, n) =>
      JSON.stringify(fixtureWith('eks-audit-node-forbidden.json', { auditID: `d-${n}` })),
    );
    const result = await analyze(lines.join('\n'), { rules: [] });
    expect(result.detections).toHaveLength(1);
    expect(result.detections[0]).toMatchObject({
      line: 10,
      detection: { ruleId: 'KD-061', severity: 'medium' },
    });
  });

  it('says when the burst could not be evaluated and keeps the per-event detections', async () => {
    const lines = Array.from({ length: 3 }, (_, n) =>
      JSON.stringify(fixtureWith('eks-audit-node-forbidden.json', { auditID: `d-${n}` })),
    );
    const counter = {
      record: async () => {
        throw new Error('store unreachable');
      },
    };
    const result = await analyze(lines.join('\n'), { counter });
    expect(result.detections).toHaveLength(3);
    expect(result.burstFailure).toBe('store unreachable');
  });

  it('keeps one detection per (auditID, rule) when an exec logs two stages', async () => {
    const started = fixtureWith('eks-audit-exec-pod-create.json', { stage: 'ResponseStarted' });
    const complete = fixtureWith('eks-audit-exec-pod-create.json', { stage: 'ResponseComplete' });
    const result = await analyze(`${JSON.stringify(started)}\n${JSON.stringify(complete)}`);
    expect(result.detections.map((d) => d.line)).toEqual([1]);
  });

  it('reports a rule that throws and keeps the other rules', async () => {
    const broken: AuditRule = {
      ...everyEvent,
      id: 'KD-998',
      match: () => {
        throw new Error('boom');
      },
    };
    const result = await analyze(auditLine('eks-audit-secrets-list.json'), { rules: [broken, everyEvent] });
    expect(result.detections).toHaveLength(1);
    expect(result.ruleFailures).toEqual([
      { line: 1, ruleId: 'KD-998', auditId: expect.any(String), message: 'boom' },
    ]);
  });

  it('reads every line of the public corpus in lenient mode', () => {
    const input = readInput(readFixtureText('corpus/public/audit-events.jsonl'), { lenient: true });
    expect(input.malformed).toEqual([]);
    expect(input.records).toHaveLength(186);
  });
});

describe('input auto-detection under hostile input', () => {
  const goodLines = [
    ...AUDIT_FIXTURES.map(auditLine),
    ...GUARDDUTY_FIXTURES.map((name) => JSON.stringify(loadFixture(name))),
    JSON.stringify(loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent')),
  ];
  const hostileLine = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom(
      '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","verb":"get","user":{"username":',
      '[[[[[[[[',
      '  {"nested": [',
      JSON.stringify({ awslogs: { data: gzipSync(Buffer.from('{"messageType":')).toString('base64') } }),
      JSON.stringify({ source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: { id: 5 } }),
    ),
    fc
      .jsonValue()
      .map((v) =>
        JSON.stringify(fixtureWith('guardduty-eks-privileged-container.json', { detail: { severity: v } })),
      ),
    fc.jsonValue().map((v) =>
      JSON.stringify({
        ...loadFixture<Record<string, unknown>>('eks-audit-secrets-list.json'),
        user: v,
        objectRef: v,
      }),
    ),
  );

  it('never throws and keeps every detection of the good records when bad lines are mixed in', async () => {
    // The catalog rules plus one that fires on everything, so every good record has a detection.
    const rules = [...AUDIT_RULES, everyEvent];
    const baseline = await analyze(goodLines.join('\n'), { rules });
    const expected = baseline.detections.map((d) => `${d.detection.eventId}/${d.detection.ruleId}`);
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileLine, { maxLength: 12 }),
        fc.integer({ min: 0, max: 1000 }),
        async (bad, seed) => {
          const lines = [...goodLines];
          for (const [i, line] of bad.entries())
            lines.splice((seed + i * 7) % (lines.length + 1), 0, line.replaceAll('\n', ' '));
          const result = await analyze(lines.join('\n'), { rules });
          const found = new Set(result.detections.map((d) => `${d.detection.eventId}/${d.detection.ruleId}`));
          for (const key of expected) expect(found).toContain(key);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never throws on random text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 500 }), async (text) => {
        const result = await analyze(text);
        expect(result.records).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('survives 10 000 nested arrays, a 1 MB string and random bytes as records', async () => {
    const text = [
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      JSON.stringify({ kind: 'Event', apiVersion: 'x'.repeat(1024 * 1024) }),
      Buffer.from(
        Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256).filter((b) => b !== 10 && b !== 13),
      ).toString('latin1'),
      auditLine('eks-audit-secrets-list.json'),
    ].join('\n');
    const result = await analyze(text);
    expect(result.detections.map((d) => d.line)).toEqual([4]);
    expect(result.malformed.every((m) => m.reason.length < 1000)).toBe(true);
  });
});
