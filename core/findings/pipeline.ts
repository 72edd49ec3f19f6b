import { settleLimited } from '../concurrency.ts';
import { asKubeguardError, KubeguardError } from '../errors.ts';
import type { Detection } from '../model/detection.ts';
import type { DeliveryTrigger, DetectionSink } from '../ports.ts';
import { boundDetection } from './bound.ts';
import type { FindingStore, RecordResult } from './ports.ts';
import { applyOccurrences, groupIntoIncidents, type IncidentOptions } from './record.ts';

export interface RecorderDeps {
  store: FindingStore;
  /** Channel for an incident (routing configuration); undefined keeps it quiet: stored, not posted. */
  channelFor: (detection: Detection) => string | undefined;
  /** How incidents are grouped (the GuardDuty join window). @default 15 minutes */
  incidents?: IncidentOptions;
  /** ISO-8601 now. */
  now: () => string;
  /** Wakes alert delivery once something was recorded that Slack must be told. @default none */
  trigger?: DeliveryTrigger;
  /** Told when the nudge failed (it is harmless: the schedule delivers within a minute). */
  onNudgeFailure?: (error: KubeguardError) => void;
  /** Incidents written at once; each writes its occurrences with up to 16 in flight. @default 8 */
  concurrency?: number;
}

export interface RecordReport {
  detections: number;
  /** New occurrences stored (redelivered events excluded). */
  occurrencesStored: number;
  findingsCreated: number;
  /** Findings this batch left owing Slack something (the outbox). */
  toDeliver: number;
  /** Whether delivery was nudged (false when there was nothing to deliver or the nudge failed). */
  nudged: boolean;
  /** The incidents (finding fingerprints) recorded, in batch order. */
  fingerprints: string[];
}

const DEFAULT_CONCURRENCY = 8;

/**
 * Ingest's half of "record, then deliver": bound every attacker string, group the batch into
 * incidents and record every one of them — conditional writes, several incidents at once — then nudge
 * delivery and return. Ingest never waits on Slack: a batch of 1,000 new incidents is recorded in one
 * invocation, and the delivery function posts them, paced per channel, from the store's pending
 * index. When a write fails, the other incidents are still recorded and the batch then fails, so the
 * trigger redelivers it (the store counts each event once).
 */
export function createFindingRecorder(deps: RecorderDeps): DetectionSink & {
  record(detections: readonly Detection[]): Promise<RecordReport>;
} {
  async function record(detections: readonly Detection[]): Promise<RecordReport> {
    const report: RecordReport = {
      detections: detections.length,
      occurrencesStored: 0,
      findingsCreated: 0,
      toDeliver: 0,
      nudged: false,
      fingerprints: [],
    };
    const incidents = await groupIntoIncidents(
      detections.map(boundDetection),
      (fingerprint) => deps.store.get(fingerprint),
      deps.incidents,
    );
    const results = await settleLimited(
      incidents,
      deps.concurrency ?? DEFAULT_CONCURRENCY,
      ({ fingerprint, detections: group, reports }): Promise<RecordResult> =>
        deps.store.recordOccurrences(fingerprint, group, (current, added) =>
          applyOccurrences(current, added, {
            now: deps.now(),
            channelFor: deps.channelFor,
            reports,
            fingerprint,
          }),
        ),
    );
    const failures: unknown[] = [];
    for (const result of results) {
      if (result.status === 'rejected') {
        failures.push(result.reason);
        continue;
      }
      report.fingerprints.push(result.value.finding.fingerprint);
      report.occurrencesStored += result.value.added.length;
      if (result.value.created) report.findingsCreated += 1;
      if (result.value.added.length > 0 && result.value.finding.delivery.state === 'pending')
        report.toDeliver += 1;
    }
    if (report.toDeliver > 0 && deps.trigger !== undefined) report.nudged = await nudge(deps);
    const first = failures[0];
    if (first !== undefined) {
      const failure = asKubeguardError(first);
      throw new KubeguardError(
        failure.code,
        `${failures.length} of ${incidents.length} incidents not recorded: ${failure.message}`,
        { cause: failure, details: { failed: failures.length, incidents: incidents.length } },
      );
    }
    return report;
  }

  return {
    record,
    accept: async (detections) => {
      await record(detections);
    },
  };
}

async function nudge(deps: RecorderDeps): Promise<boolean> {
  try {
    await deps.trigger?.nudge();
    return true;
  } catch (error) {
    deps.onNudgeFailure?.(asKubeguardError(error));
    return false;
  }
}
