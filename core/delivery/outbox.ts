import { changeFindingStatus, type StatusChange } from '../findings/status.ts';
import { type DeliveryDeps, type DeliveryOutcome, type DeliveryRun, deliverFinding } from './deliver.ts';

/** What one delivery run did. */
export interface DeliveryRunReport {
  /** Findings taken from the outbox. */
  listed: number;
  delivered: number;
  /** Still owing something (a Slack failure, a thread reply waiting for its minute …). */
  pending: number;
  /** Held by another worker's lease, or nothing left to deliver. */
  skipped: number;
  /** The run stopped on its time budget; what is left stays pending, due now. */
  outOfTime: boolean;
}

/** Outbox entries listed at a time: about what one run can post to one channel, so a critical
 * finding recorded mid-run is picked up at the next listing rather than after the whole backlog. */
const PAGE = 25;

/**
 * Alert delivery from the outbox (the store's pending index): the delivery function runs it on a
 * schedule and when ingest nudges it; the bot runs `changeStatus`. Findings go most severe first,
 * each under its posting lease, until the run's time budget ends.
 */
export function createAlertDelivery(deps: DeliveryDeps) {
  async function deliverPending(run: DeliveryRun): Promise<DeliveryRunReport> {
    const report: DeliveryRunReport = { listed: 0, delivered: 0, pending: 0, skipped: 0, outOfTime: false };
    const seen = new Set<string>();
    const timeLeft = () => run.deadlineMs === undefined || deps.timers.nowMs() < run.deadlineMs;
    while (timeLeft()) {
      const due = new Date(deps.timers.nowMs()).toISOString();
      const listed = (await deps.store.listPendingDeliveries(due, seen.size + PAGE)).filter(
        (entry) => !seen.has(entry.fingerprint),
      );
      if (listed.length === 0) return report;
      for (const entry of listed) {
        if (!timeLeft()) break;
        seen.add(entry.fingerprint);
        const finding = await deps.store.get(entry.fingerprint);
        if (finding === undefined) continue;
        report.listed += 1;
        const outcome = await deliverFinding(finding, deps, run);
        if (outcome === 'out-of-time') {
          report.pending += 1;
          report.outOfTime = true;
          return report;
        }
        tally(report, outcome);
      }
    }
    report.outOfTime = true;
    return report;
  }

  /**
   * Acknowledge, suppress, remediate …: stored first, then the original message is updated under
   * the lease (when the delivery function holds it, it shows the change on its next round).
   */
  async function changeStatus(change: StatusChange, run: DeliveryRun): Promise<DeliveryOutcome | 'quiet'> {
    const finding = await changeFindingStatus(deps.store, change);
    // A quiet finding has no message to update: its status is stored and listed, nothing is posted.
    if (finding.delivery.state !== 'pending') return 'quiet';
    return deliverFinding(finding, deps, run);
  }

  return { deliverPending, changeStatus };
}

export type AlertDelivery = ReturnType<typeof createAlertDelivery>;

function tally(report: DeliveryRunReport, outcome: Exclude<DeliveryOutcome, 'out-of-time'>): void {
  if (outcome === 'delivered') report.delivered += 1;
  else if (outcome === 'pending') report.pending += 1;
  else report.skipped += 1;
}
