import { describe, expect, it } from 'vitest';
import type { DeliveryRun } from '../../../../core/delivery/deliver.ts';
import type { DeliveryRunReport } from '../../../../core/delivery/outbox.ts';
import { createDeliveryHandler } from '../../../../lambdas/delivery/handler.ts';
import type { FunctionLogger } from '../../../../lambdas/shared/logger.ts';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');

function setup(report: Partial<DeliveryRunReport> = {}) {
  const runs: DeliveryRun[] = [];
  const lines: { message: string; attributes?: Record<string, unknown> }[] = [];
  const record = (message: string, attributes?: Record<string, unknown>) =>
    lines.push({ message, attributes });
  const logger: FunctionLogger = { info: record, warn: record, error: record };
  const handle = createDeliveryHandler({
    logger,
    timers: { nowMs: () => NOW },
    delivery: {
      deliverPending: async (run) => {
        runs.push(run);
        return { listed: 0, delivered: 0, pending: 0, skipped: 0, outOfTime: false, ...report };
      },
    },
  });
  return { handle, runs, lines };
}

const context = { awsRequestId: 'request-1', getRemainingTimeInMillis: () => 59_500 };

describe('the delivery function', () => {
  it('delivers within the invocation’s remaining time less a 12 s safety margin, as its request id', async () => {
    const { handle, runs } = setup();

    await handle({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, context);

    expect(runs).toEqual([{ owner: 'request-1', deadlineMs: NOW + 59_500 - 12_000 }]);
  });

  it('logs what a run did and what woke it (the schedule or a nudge from ingest)', async () => {
    const { handle, lines } = setup({ listed: 3, delivered: 2, pending: 1 });

    const report = await handle(
      { source: 'kubeguard.ingest', reason: 'recorded findings to deliver' },
      context,
    );

    expect(report).toMatchObject({ listed: 3, delivered: 2, pending: 1 });
    expect(lines).toEqual([
      {
        message: 'alert delivery run',
        attributes: {
          listed: 3,
          delivered: 2,
          pending: 1,
          skipped: 0,
          outOfTime: false,
          wokenBy: 'kubeguard.ingest',
        },
      },
    ]);
  });

  it('stays quiet when there was nothing to deliver, whatever the event', async () => {
    const { handle, lines } = setup();

    await handle('not an object', context);

    expect(lines).toEqual([]);
  });
});
