import type { FindingStore, RecordResult } from '../../core/findings/ports.ts';
import type { StoredFinding } from '../../core/findings/stored-finding.ts';
import type { Detection } from '../../core/model/detection.ts';

/**
 * The FindingStore contract in memory, with the same semantics as the DynamoDB store (dedupe per
 * event id, newer GuardDuty revisions count their delta, optimistic versions). `conflictOnNextSave`
 * simulates another writer winning a race.
 */
export class InMemoryFindingStore implements FindingStore {
  readonly findings = new Map<string, StoredFinding>();
  readonly occurrences = new Map<string, { count: number; updatedAt: string }>();
  conflictOnNextSave = 0;
  saves = 0;

  async recordOccurrences(
    fingerprint: string,
    detections: readonly Detection[],
    update: (current: StoredFinding | undefined, added: readonly Detection[]) => StoredFinding,
  ): Promise<RecordResult> {
    const added: Detection[] = [];
    for (const detection of detections) {
      const key = `${fingerprint}/${detection.eventId}`;
      const seen = this.occurrences.get(key);
      const updatedAt = detection.updatedAt ?? detection.lastSeen;
      const count = Math.max(1, detection.count);
      if (seen && seen.count >= count && seen.updatedAt >= updatedAt) continue;
      added.push({ ...detection, count: count - (seen?.count ?? 0) });
      this.occurrences.set(key, { count, updatedAt });
    }
    const current = this.findings.get(fingerprint);
    if (added.length === 0 && current) return { finding: structuredClone(current), created: false, added };
    const next = update(current ? structuredClone(current) : undefined, added);
    this.findings.set(fingerprint, structuredClone(next));
    return { finding: structuredClone(next), created: current === undefined, added };
  }

  async get(fingerprint: string): Promise<StoredFinding | undefined> {
    const found = this.findings.get(fingerprint);
    return found ? structuredClone(found) : undefined;
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

  async listPendingDeliveries(dueBy: string, limit: number): Promise<StoredFinding[]> {
    return [...this.findings.values()]
      .filter((f) => f.delivery.state === 'pending' && (f.delivery.nextAttemptAt ?? f.lastSeen) <= dueBy)
      .slice(0, limit)
      .map((f) => structuredClone(f));
  }
}
