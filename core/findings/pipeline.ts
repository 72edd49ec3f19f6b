import { type DeliveryDeps, type DeliveryOutcome, deliverFinding } from '../delivery/deliver.ts';
import type { Detection } from '../model/detection.ts';
import type { DetectionSink } from '../ports.ts';
import { boundDetection } from './bound.ts';
import { applyOccurrences, groupIntoIncidents, type IncidentOptions } from './record.ts';
import { changeFindingStatus, type StatusChange } from './status.ts';

export interface PipelineDeps extends DeliveryDeps {
  /** Channel for an incident (routing configuration); undefined keeps it quiet: stored, not posted. */
  channelFor: (detection: Detection) => string | undefined;
  /** How incidents are grouped (the GuardDuty join window). @default 15 minutes */
  incidents?: IncidentOptions;
  /** ISO-8601 now. */
  now: () => string;
}

export interface PipelineReport {
  detections: number;
  /** New occurrences stored (redelivered events excluded). */
  occurrencesStored: number;
  findingsCreated: number;
  delivered: number;
  pending: number;
}

/**
 * The path every detection takes: bound its strings, group into incidents, store the occurrences
 * (once per event id) and the finding, then tell Slack. The store write happens before any Slack
 * call; a Slack failure leaves the finding pending for the sweeper, while a store failure throws so
 * the trigger redelivers the batch (which the store then deduplicates).
 */
export function createFindingPipeline(deps: PipelineDeps): DetectionSink & {
  process(detections: readonly Detection[]): Promise<PipelineReport>;
  sweep(limit?: number): Promise<PipelineReport>;
  changeStatus(change: StatusChange): Promise<DeliveryOutcome | 'quiet'>;
} {
  const tally = (report: PipelineReport, outcome: DeliveryOutcome) => {
    if (outcome === 'delivered') report.delivered += 1;
    else report.pending += 1;
  };

  async function process(detections: readonly Detection[]): Promise<PipelineReport> {
    const report: PipelineReport = {
      detections: detections.length,
      occurrencesStored: 0,
      findingsCreated: 0,
      delivered: 0,
      pending: 0,
    };
    const incidents = await groupIntoIncidents(
      detections.map(boundDetection),
      (fingerprint) => deps.store.get(fingerprint),
      deps.incidents,
    );
    for (const { fingerprint, detections: group, reports } of incidents) {
      const result = await deps.store.recordOccurrences(fingerprint, group, (current, added) =>
        applyOccurrences(current, added, { now: deps.now(), channelFor: deps.channelFor, reports, fingerprint }),
      );
      report.occurrencesStored += result.added.length;
      if (result.created) report.findingsCreated += 1;
      if (result.finding.delivery.state === 'quiet') continue;
      if (result.added.length === 0 && result.finding.delivery.state === 'delivered') continue;
      tally(report, await deliverFinding(result.finding, deps));
    }
    return report;
  }

  /** Retries every pending delivery that is due (scheduled every minute in AWS). */
  async function sweep(limit = 100): Promise<PipelineReport> {
    const report: PipelineReport = {
      detections: 0,
      occurrencesStored: 0,
      findingsCreated: 0,
      delivered: 0,
      pending: 0,
    };
    for (const finding of await deps.store.listPendingDeliveries(deps.now(), limit)) {
      tally(report, await deliverFinding(finding, deps));
    }
    return report;
  }

  /** Acknowledge, suppress, remediate …: stored first, then the original message is updated. */
  async function changeStatus(change: StatusChange): Promise<DeliveryOutcome | 'quiet'> {
    const finding = await changeFindingStatus(deps.store, change);
    // A quiet finding has no message to update: its status is stored and listed, nothing is posted.
    if (finding.delivery.state === 'quiet') return 'quiet';
    return deliverFinding(finding, deps);
  }

  return {
    process,
    sweep,
    changeStatus,
    accept: async (detections) => {
      await process(detections);
    },
  };
}
