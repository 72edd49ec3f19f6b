import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../core/detection/audit-event.ts';
import {
  BURST_RULE_ID,
  burstKeys,
  detectDenialBursts,
  InMemoryDenialCounter,
  isPublicIp,
} from '../../../../core/detection/burst.ts';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from '../../../../core/detection/config.ts';
import { parseAuditEvent } from '../../../../core/detection/decode-audit.ts';
import type { AuditContext } from '../../../../core/detection/engine.ts';
import { fixtureWith } from '../../../support/fixtures.ts';

const BASE = Date.parse('2024-05-15T15:20:00.000Z');

/** The n-th denial, `spacingSeconds` apart, derived from a real-format fixture. */
function denial(
  fixture: string,
  n: number,
  spacingSeconds = 10,
  overrides: Record<string, unknown> = {},
): AuditEvent {
  const at = new Date(BASE + n * spacingSeconds * 1000).toISOString();
  return parseAuditEvent(
    fixtureWith(fixture, {
      auditID: `denial-${n}`,
      requestReceivedTimestamp: at,
      stageTimestamp: at,
      ...overrides,
    }),
  );
}

/** 403s from a kubelet (principal only: its source address 10.0.0.137 is private). */
const nodeDenial = (n: number, spacing?: number, overrides?: Record<string, unknown>) =>
  denial('eks-audit-node-forbidden.json', n, spacing, overrides);
/** 401s with no user from 192.0.2.77 (source IP only). */
const anonymousFailure = (n: number, spacing?: number) =>
  denial('eks-audit-failed-authentication-401.json', n, spacing);

function context(config: Partial<DetectionConfig> = {}): AuditContext {
  return {
    cluster: 'prod-cluster',
    account: '111122223333',
    region: 'eu-west-1',
    config: { ...DEFAULT_DETECTION_CONFIG, ...config },
    now: '2024-05-15T16:00:00.000Z',
  };
}

function records(events: AuditEvent[]) {
  return events.map((event, index) => ({ event, ref: index }));
}

const range = (count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i);

describe('KD-061 denial burst', () => {
  it('fires once, medium, when the 10th denial from one principal arrives within 10 minutes', async () => {
    const found = await detectDenialBursts(
      records(range(12).map((n) => nodeDenial(n))),
      context(),
      new InMemoryDenialCounter(),
    );
    expect(found).toHaveLength(1);
    const [{ detection, ref }] = found as [(typeof found)[number]];
    expect(ref).toBe(9);
    expect(detection).toMatchObject({
      ruleId: BURST_RULE_ID,
      severity: 'medium',
      source: 'audit-log',
      cluster: 'prod-cluster',
      account: '111122223333',
      principal: 'system:node:ip-10-0-0-137.eu-west-1.compute.internal',
      count: 10,
      evidence: {
        burstKey: 'principal',
        denials: '10',
        threshold: '10',
        windowSeconds: '600',
        lastAuditId: 'denial-9',
      },
    });
    expect(detection.mitre).toEqual(['T1613', 'T1078']);
    expect(detection.summary).toBe(
      '10 denied requests by system:node:ip-10-0-0-137.eu-west-1.compute.internal within 600 s (threshold 10)',
    );
  });

  it('does not fire for 9 denials', async () => {
    const found = await detectDenialBursts(
      records(range(9).map((n) => nodeDenial(n))),
      context(),
      new InMemoryDenialCounter(),
    );
    expect(found).toEqual([]);
  });

  it('fires for one public source IP even without a username (failed authentication)', async () => {
    const found = await detectDenialBursts(
      records(range(10).map((n) => anonymousFailure(n))),
      context(),
      new InMemoryDenialCounter(),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.detection.sourceIps).toEqual(['192.0.2.77']);
    expect(found[0]?.detection.evidence.burstKey).toBe('sourceIp');
    expect(found[0]?.detection.principal).toBeUndefined();
  });

  it('counts one principal and one public IP separately (anonymous scanner → two bursts)', async () => {
    const scans = range(10).map((n) => denial('eks-audit-anonymous-denied.json', n));
    const found = await detectDenialBursts(records(scans), context(), new InMemoryDenialCounter());
    expect(found.map((f) => f.detection.evidence.burstKey).sort()).toEqual(['principal', 'sourceIp']);
  });

  it('does not count private, loopback or link-local source addresses', async () => {
    const events = [
      '10.1.2.3',
      '127.0.0.1',
      '169.254.169.254',
      '192.168.1.1',
      '172.20.0.5',
      'fe80::1',
      '::1',
    ].flatMap((ip) =>
      range(10)
        .map((n) => anonymousFailure(n))
        .map((e) => ({ ...e, auditID: `${ip}-${e.auditID}`, sourceIPs: [ip] })),
    );
    expect(await detectDenialBursts(records(events), context(), new InMemoryDenialCounter())).toEqual([]);
  });

  it('counts only the remote address, the last sourceIPs entry, which a client cannot forge', () => {
    const event = { ...anonymousFailure(0), sourceIPs: ['203.0.113.50', '10.0.0.9'] };
    expect(burstKeys(event, 'c')).toEqual([]);
    const direct = { ...anonymousFailure(0), sourceIPs: ['10.0.0.9', '203.0.113.50'] };
    expect(burstKeys(direct, 'c').map((k) => k.counterKey)).toEqual(['c|sourceIp:203.0.113.50']);
  });

  it('does not fire when the denials are spread over more than the window', async () => {
    const found = await detectDenialBursts(
      records(range(12).map((n) => nodeDenial(n, 70))),
      context(),
      new InMemoryDenialCounter(),
    );
    expect(found).toEqual([]);
  });

  it('ignores successful requests and counts one request once across its stages', async () => {
    const allowed = range(10).map((n) => nodeDenial(n, 10, { responseStatus: { code: 200 } }));
    const stages = range(5).flatMap((n) => [
      nodeDenial(n, 10, { stage: 'ResponseStarted' }),
      nodeDenial(n, 10, { stage: 'ResponseComplete' }),
    ]);
    const received = range(10).map((n) => nodeDenial(n + 100, 1, { stage: 'RequestReceived' }));
    expect(
      await detectDenialBursts(
        records([...allowed, ...stages, ...received]),
        context(),
        new InMemoryDenialCounter(),
      ),
    ).toEqual([]);
  });

  it('keeps its window across invocations through the counter', async () => {
    const counter = new InMemoryDenialCounter();
    const first = await detectDenialBursts(records(range(6).map((n) => nodeDenial(n))), context(), counter);
    const second = await detectDenialBursts(
      records(range(6, 6).map((n) => nodeDenial(n))),
      context(),
      counter,
    );
    expect(first).toEqual([]);
    expect(second.map((f) => f.ref)).toEqual([3]);
  });

  it('stays quiet for the rest of the window and fires again in the next one', async () => {
    // One denial every 20 s for 25 minutes: windows are aligned on the epoch (15:20, 15:30, 15:40).
    const storm = range(75).map((n) => nodeDenial(n, 20));
    const found = await detectDenialBursts(records(storm), context(), new InMemoryDenialCounter());
    expect(found.map((f) => f.detection.evidence.windowStart)).toEqual([
      '2024-05-15T15:20:00.000Z',
      '2024-05-15T15:30:00.000Z',
      '2024-05-15T15:40:00.000Z',
    ]);
    expect(new Set(found.map((f) => f.detection.eventId)).size).toBe(3);
  });

  it('does not fire again when a redelivered batch is counted a second time', async () => {
    const counter = new InMemoryDenialCounter();
    const batch = records(range(10).map((n) => nodeDenial(n)));
    expect(await detectDenialBursts(batch, context(), counter)).toHaveLength(1);
    expect(await detectDenialBursts(batch, context(), counter)).toEqual([]);
  });

  it('uses the configured threshold and window', async () => {
    const config = { denialBurst: { threshold: 3, windowSeconds: 60 } };
    const found = await detectDenialBursts(
      records(range(3).map((n) => nodeDenial(n, 25))),
      context(config),
      new InMemoryDenialCounter(),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.detection.summary).toMatch(/3 denied requests .* within 60 s \(threshold 3\)/);
  });

  it('respects rule enablement, severity override, allow-lists and suppressions', async () => {
    const events = records(range(10).map((n) => nodeDenial(n)));
    const run = (config: Partial<DetectionConfig>) =>
      detectDenialBursts(events, context(config), new InMemoryDenialCounter());
    expect(await run({ rules: { 'KD-061': { enabled: false } } })).toEqual([]);
    expect(await run({ principalAllowList: ['system:node:*'] })).toEqual([]);
    const suppressed = await run({
      suppressions: [
        { ruleId: 'KD-061', cluster: 'prod-cluster', until: '2024-06-01T00:00:00Z', reason: 'node drain' },
      ],
    });
    expect(suppressed).toEqual([]);
    const expired = await run({
      suppressions: [{ ruleId: 'KD-061', until: '2024-05-01T00:00:00Z', reason: 'old' }],
    });
    expect(expired).toHaveLength(1);
    expect((await run({ rules: { 'KD-061': { severity: 'high' } } }))[0]?.detection.severity).toBe('high');
  });

  it('does not count an event without a timestamp', async () => {
    const events = range(10).map((n) => {
      const { stageTimestamp: _s, requestReceivedTimestamp: _r, ...rest } = nodeDenial(n);
      return rest as AuditEvent;
    });
    expect(await detectDenialBursts(records(events), context(), new InMemoryDenialCounter())).toEqual([]);
  });

  it('keeps bursts per cluster', async () => {
    const counter = new InMemoryDenialCounter();
    const events = records(range(5).map((n) => nodeDenial(n)));
    await detectDenialBursts(events, context(), counter);
    expect(await detectDenialBursts(events, { ...context(), cluster: 'staging' }, counter)).toEqual([]);
  });

  it('counts probes that all reuse one client-chosen Audit-ID, one per request', async () => {
    const probes = range(10).map((n) => nodeDenial(n, 10, { auditID: 'same-audit-id-for-every-probe' }));
    const found = await detectDenialBursts(records(probes), context(), new InMemoryDenialCounter());
    expect(found.map((f) => f.detection.count)).toEqual([10]);
  });

  it('names the IAM identity behind the principal and keeps its summary in parts', async () => {
    const found = await detectDenialBursts(
      records(range(10).map((n) => nodeDenial(n))),
      context(),
      new InMemoryDenialCounter(),
    );
    const detection = found[0]?.detection;
    expect(detection?.actor).toEqual({
      arn: 'arn:aws:sts::<ACCOUNTID>:assumed-role/testcase-eks-node-group-20230619061819078200000009/i-0c6ae60ad1f13fa3d',
      sessionName: 'i-0c6ae60ad1f13fa3d',
      accessKeyId: 'ASIAVR2LRBLMWUHBPZIQ',
    });
    expect(detection?.summaryParts).toEqual([
      { kind: 'text', text: '10 denied requests by ' },
      { kind: 'value', text: 'system:node:ip-10-0-0-137.eu-west-1.compute.internal' },
      { kind: 'text', text: ' within 600 s (threshold 10)' },
    ]);
    expect(detection?.summary).toBe(
      '10 denied requests by system:node:ip-10-0-0-137.eu-west-1.compute.internal within 600 s (threshold 10)',
    );
  });

  it('hashes a hostile 1 MB username into a bounded counter key', () => {
    const event = { ...nodeDenial(0), user: { username: 'a'.repeat(1024 * 1024) } };
    const [key] = burstKeys(event, 'prod');
    expect(key?.counterKey).toMatch(/^prod\|principal:sha256:[0-9a-f]{64}$/);
    expect(key?.value.length).toBe(1024 * 1024);
  });
});

describe('isPublicIp', () => {
  it.each([
    ['8.216.81.10', true],
    ['44.238.138.237', true],
    ['2600:1f18::1', true],
    ['::ffff:8.8.8.8', true],
    ['10.0.0.137', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['172.32.0.1', true],
    ['192.168.99.1', false],
    ['127.0.0.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['::1', false],
    ['::', false],
    ['fe80::1%eth0', false],
    ['fd00::1', false],
    ['::ffff:10.0.0.1', false],
    ['256.1.1.1', false],
    ['not-an-ip', false],
    ['1.2.3', false],
    ['1::2::3', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicIp(address)).toBe(expected);
  });
});

describe('InMemoryDenialCounter', () => {
  it('counts occurrences within the sliding window ending at each one', async () => {
    const counter = new InMemoryDenialCounter();
    const at = (s: number) => new Date(BASE + s * 1000).toISOString();
    expect(await counter.record('k', at(0), 60)).toBe(1);
    expect(await counter.record('k', at(30), 60)).toBe(2);
    expect(await counter.record('k', at(60), 60)).toBe(2);
    expect(await counter.record('k', at(200), 60)).toBe(1);
    // Out of order: an occurrence at 45 s counts those in (-15 s, 45 s]: 0 s, 30 s and itself.
    expect(await counter.record('k', at(45), 60)).toBe(3);
  });

  it('rejects a time that is not ISO-8601', async () => {
    await expect(new InMemoryDenialCounter().record('k', 'soon', 60)).rejects.toThrow(/ISO-8601/);
  });
});
