import { DELIVERY_RANKS, deliveryRank } from '../../core/delivery/rank.ts';
import {
  newestPerEvent,
  occurrenceCountOf,
  unapplied,
  withApplied,
} from '../../core/findings/applied-events.ts';
import { type FindingListing, type FindingQuery, listingOf } from '../../core/findings/list.ts';
import type {
  FindingLister,
  FindingStore,
  PendingDelivery,
  RecordResult,
} from '../../core/findings/ports.ts';
import type { StoredFinding } from '../../core/findings/stored-finding.ts';
import type { Detection } from '../../core/model/detection.ts';

interface LoggedOccurrence {
  count: number;
  updatedAt: string;
  appliedCount?: number;
}

/**
 * The FindingStore contract in memory, with the DynamoDB store's semantics (decision D16): an
 * occurrence log per event id, the finding — with its optimistic version and the ids it counts —
 * as the commit point, marks after it, the outbox ordered by rank then due time. Each call runs
 * atomically (no await inside), which is what the conditional writes of the real store achieve.
 * `conflictOnNextSave` simulates another writer winning a race; `crashAfterNextFindingWrite` dies
 * between the finding write and the marks, as a Lambda that times out there would.
 */
export class InMemoryFindingStore implements FindingStore, FindingLister {
  readonly findings = new Map<string, StoredFinding>();
  readonly occurrences = new Map<string, LoggedOccurrence>();
  conflictOnNextSave = 0;
  crashAfterNextFindingWrite = false;
  saves = 0;

  async recordOccurrences(
    fingerprint: string,
    detections: readonly Detection[],
    update: (current: StoredFinding | undefined, added: readonly Detection[]) => StoredFinding,
  ): Promise<RecordResult> {
    const batch = newestPerEvent(detections);
    const logged = new Map<string, number>();
    for (const detection of batch) {
      const key = `${fingerprint}/${detection.eventId}`;
      const seen = this.occurrences.get(key);
      const count = occurrenceCountOf(detection);
      const updatedAt = detection.updatedAt ?? detection.lastSeen;
      if (seen === undefined || seen.count < count || seen.updatedAt < updatedAt) {
        this.occurrences.set(key, { ...seen, count, updatedAt });
      }
      logged.set(detection.eventId, seen?.appliedCount ?? 0);
    }
    const stored = this.findings.get(fingerprint);
    const current = stored === undefined ? undefined : structuredClone(stored);
    let added = unapplied(batch, current, logged);
    if (added.length === 0 && current !== undefined) return { finding: current, created: false, added };
    if (added.length === 0) added = batch;
    const fullCounts = new Map(batch.map((d) => [d.eventId, occurrenceCountOf(d)]));
    const { finding, evicted } = withApplied(update(current, added), current, added, fullCounts);
    for (const [eventId, count] of evicted) this.#mark(fingerprint, eventId, count);
    this.findings.set(fingerprint, structuredClone(finding));
    if (this.crashAfterNextFindingWrite) {
      this.crashAfterNextFindingWrite = false;
      throw new Error('function timed out after writing the finding');
    }
    return { finding: structuredClone(finding), created: current === undefined, added };
  }

  #mark(fingerprint: string, eventId: string, count: number): void {
    const logged = this.occurrences.get(`${fingerprint}/${eventId}`);
    if (logged !== undefined && (logged.appliedCount ?? 0) < count) logged.appliedCount = count;
  }

  async get(fingerprint: string): Promise<StoredFinding | undefined> {
    const found = this.findings.get(fingerprint);
    return found ? structuredClone(found) : undefined;
  }

  async listFindings(query: FindingQuery): Promise<FindingListing> {
    return structuredClone(listingOf(this.findings.values(), query));
  }

  async save(finding: StoredFinding): Promise<boolean> {
    this.saves += 1;
    const current = this.findings.get(finding.fingerprint);
    if (this.conflictOnNextSave > 0 && current) {
      this.conflictOnNextSave -= 1;
      // Another writer recorded an occurrence first.
      this.findings.set(finding.fingerprint, { ...current, version: current.version + 1 });
      return false;
    }
    if ((current?.version ?? 0) !== finding.version - 1) return false;
    this.findings.set(finding.fingerprint, structuredClone(finding));
    return true;
  }

  async listPendingDeliveries(dueBy: string, limit: number): Promise<PendingDelivery[]> {
    const pending = [...this.findings.values()]
      .filter((f) => f.delivery.state === 'pending')
      .map((f) => ({
        fingerprint: f.fingerprint,
        rank: deliveryRank(f),
        dueAt: f.delivery.nextAttemptAt ?? f.lastSeen,
      }))
      .filter((p) => p.dueAt <= dueBy && p.rank < DELIVERY_RANKS);
    pending.sort((a, b) => a.rank - b.rank || (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
    return pending.slice(0, limit);
  }
}
