import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEmfMetrics } from '../../../adapters/observability/emf-metrics.ts';
import { observeInvocation } from '../../../adapters/observability/invocation.ts';
import { parseConfig } from '../../../core/config/schema.ts';
import { InMemoryDenialCounter } from '../../../core/detection/burst.ts';
import { findingRecorderFor } from '../../../core/findings/compose-recorder.ts';
import type { PendingDelivery } from '../../../core/findings/ports.ts';
import { METRICS } from '../../../core/observability/metrics.ts';
import { countingFindingWrites } from '../../../core/observability/recorder.ts';
import { createAuditLogsHandler } from '../../../lambdas/audit-logs/handler.ts';
import { createDeliveryHandler, oldestWaitSeconds } from '../../../lambdas/delivery/handler.ts';
import { createGuardDutyHandler } from '../../../lambdas/guardduty-findings/handler.ts';
import type { FunctionLogger } from '../../../lambdas/shared/logger.ts';
import { captureJsonLines } from '../../support/captured-output.ts';
import { loadFixture } from '../../support/fixtures.ts';
import { InMemoryFindingStore } from '../../support/in-memory-finding-store.ts';
import { RecordingMetrics } from '../../support/recording-metrics.ts';

const CONFIG = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'eu-west-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});
const quiet: FunctionLogger = { info: () => {}, warn: () => {}, error: () => {} };
const NOW = '2024-11-14T00:00:00.000Z';

function recorder(metrics: RecordingMetrics, store = new InMemoryFindingStore()) {
  return findingRecorderFor({
    config: CONFIG,
    store: countingFindingWrites(store, metrics),
    clock: () => NOW,
  });
}

describe('the functions’ metrics', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('audit-logs: the batch’s events for its cluster, detections per rule, findings written', async () => {
    const metrics = new RecordingMetrics();
    const handle = createAuditLogsHandler({
      config: CONFIG,
      sink: recorder(metrics),
      counter: new InMemoryDenialCounter(),
      logger: quiet,
      clock: () => NOW,
      metrics,
    });

    const summary = await handle(loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent'));

    const totals = metrics.totals();
    expect(totals['AuditLogEvents|prod-cluster']).toBe(10);
    const perRule = Object.entries(totals).filter(([key]) => key.startsWith('Detections|'));
    expect(perRule.reduce((sum, [, value]) => sum + value, 0)).toBe(summary.detections);
    expect(perRule.length).toBeGreaterThan(1);
    expect(totals.FindingsRecorded).toBeGreaterThan(0);
    expect(
      Object.keys(totals).every((key) => /^(AuditLogEvents|Detections|FindingsRecorded)\b/.test(key)),
    ).toBe(true);
  });

  it('audit-logs: a control message counts no audit-log event', async () => {
    const metrics = new RecordingMetrics();
    const handle = createAuditLogsHandler({
      config: CONFIG,
      sink: recorder(metrics),
      counter: new InMemoryDenialCounter(),
      logger: quiet,
      clock: () => NOW,
      metrics,
    });
    const { gzipSync } = await import('node:zlib');
    const control = loadFixture('cwlogs-control-message.json', 'decoded');
    await handle({ awslogs: { data: gzipSync(JSON.stringify(control)).toString('base64') } });
    expect(metrics.recorded).toEqual([]);
  });

  it('guardduty-findings: one detection of its rule and one finding written; a redelivery counts nothing', async () => {
    const metrics = new RecordingMetrics();
    const handle = createGuardDutyHandler({
      config: CONFIG,
      logger: quiet,
      findings: recorder(metrics),
      metrics,
    });
    const event = loadFixture('guardduty-eks-exec-in-kube-system-pod.json');

    const first = await handle(event);
    await handle(event);

    expect(first.status).toBe('stored');
    expect(metrics.recorded).toEqual([
      { name: 'FindingsRecorded', value: 1 },
      { name: 'Detections', value: 1, dimension: 'KD-021' },
    ]);
  });

  it('delivery: what is left pending after the run and how long the most overdue entry has waited', async () => {
    const metrics = new RecordingMetrics();
    const nowMs = Date.parse('2026-11-28T10:00:00.000Z');
    const pending: PendingDelivery[] = [
      { fingerprint: 'a', rank: 0, dueAt: '2026-11-28T09:58:30.000Z' },
      { fingerprint: 'b', rank: 1, dueAt: '2026-11-28T09:53:20.000Z' },
      { fingerprint: 'c', rank: 3, dueAt: '2026-11-28T10:30:00.000Z' },
    ];
    const listings: [string, number][] = [];
    const handle = createDeliveryHandler({
      logger: quiet,
      timers: { nowMs: () => nowMs },
      delivery: {
        deliverPending: async () => ({ listed: 3, delivered: 0, pending: 3, skipped: 0, outOfTime: false }),
      },
      outbox: {
        listPendingDeliveries: async (dueBy, limit) => {
          listings.push([dueBy, limit]);
          return pending;
        },
      },
      metrics,
    });

    await handle({}, { awsRequestId: 'request-1', getRemainingTimeInMillis: () => 60_000 });

    expect(listings).toEqual([['9999-12-31T23:59:59.999Z', 1000]]);
    expect(metrics.recorded).toEqual([
      { name: 'DeliveriesPending', value: 3 },
      { name: 'OldestPendingDeliveryAgeSeconds', value: 400 },
    ]);
  });

  it('delivery: 0 and 0 when the outbox is empty; a failed read is a warning, not a failed run', async () => {
    expect(oldestWaitSeconds([], 1_000_000)).toBe(0);
    expect(oldestWaitSeconds([{ fingerprint: 'f', rank: 2, dueAt: '2099-01-01T00:00:00.000Z' }], 0)).toBe(0);
    const metrics = new RecordingMetrics();
    const warnings: string[] = [];
    const handle = (fail: boolean) =>
      createDeliveryHandler({
        logger: { ...quiet, warn: (message) => warnings.push(message) },
        timers: { nowMs: () => 0 },
        delivery: {
          deliverPending: async () => ({ listed: 0, delivered: 0, pending: 0, skipped: 0, outOfTime: false }),
        },
        outbox: {
          listPendingDeliveries: async () => {
            if (fail) throw new Error('ProvisionedThroughputExceededException');
            return [];
          },
        },
        metrics,
      })({}, { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 });

    await handle(false);
    await expect(handle(true)).resolves.toMatchObject({ listed: 0 });

    expect(metrics.recorded).toEqual([
      { name: 'DeliveriesPending', value: 0 },
      { name: 'OldestPendingDeliveryAgeSeconds', value: 0 },
    ]);
    expect(warnings).toEqual(['pending deliveries not counted']);
  });
});

describe('metrics as CloudWatch embedded metric format (Powertools Metrics)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('one EMF line per dimension value and one for the plain metrics, namespace and service set, values summed', () => {
    vi.stubEnv('POWERTOOLS_DEV', '');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const metrics = createEmfMetrics('kubeguard-audit-logs');
    const lines = captureJsonLines();

    metrics.add(METRICS.detections, 1, 'KD-001');
    metrics.add(METRICS.detections, 1, 'KD-001');
    metrics.add(METRICS.auditLogEvents, 10, 'prod-cluster');
    metrics.add(METRICS.findingsRecorded, 2);
    metrics.add(METRICS.findingsRecorded, 1);
    metrics.flush();
    metrics.flush();

    expect(lines).toHaveLength(3);
    const byMetric = Object.fromEntries(
      lines.map((line) => {
        const aws = line._aws as {
          CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: unknown[] }[];
        };
        const [directive] = aws.CloudWatchMetrics;
        return [JSON.stringify(directive?.Metrics), { line, directive }];
      }),
    );
    expect(byMetric['[{"Name":"Detections","Unit":"Count"}]']).toMatchObject({
      line: { service: 'kubeguard-audit-logs', Rule: 'KD-001', Detections: 2 },
      directive: { Namespace: 'Kubeguard', Dimensions: [['service', 'Rule']] },
    });
    expect(byMetric['[{"Name":"AuditLogEvents","Unit":"Count"}]']).toMatchObject({
      line: { service: 'kubeguard-audit-logs', Cluster: 'prod-cluster', AuditLogEvents: 10 },
      directive: { Namespace: 'Kubeguard', Dimensions: [['service', 'Cluster']] },
    });
    expect(byMetric['[{"Name":"FindingsRecorded","Unit":"Count"}]']).toMatchObject({
      line: { service: 'kubeguard-audit-logs', FindingsRecorded: 3 },
      directive: { Namespace: 'Kubeguard', Dimensions: [['service']] },
    });
  });

  it('writes the metrics of a failing invocation before the failure leaves it', async () => {
    vi.stubEnv('POWERTOOLS_DEV', '');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const metrics = createEmfMetrics('kubeguard-audit-logs');
    const lines = captureJsonLines();

    await expect(
      observeInvocation({ logger: { addContext: () => {} }, metrics }, undefined, async () => {
        metrics.add(METRICS.auditLogEvents, 4, 'prod-cluster');
        throw new Error('table unavailable');
      }),
    ).rejects.toThrow('table unavailable');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      Cluster: 'prod-cluster',
      AuditLogEvents: 4,
      service: 'kubeguard-audit-logs',
    });
  });
});
