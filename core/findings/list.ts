import { type FindingStatus, incidentSeverity } from '../model/finding.ts';
import { isAtLeast, type Severity } from '../model/severity.ts';
import type { StoredFinding } from './stored-finding.ts';

/**
 * Which findings a listing wants (`/k8s findings`, `/k8s status`, a finding named by a prefix of its
 * id). Every store answers it the same way: `matchesFindingQuery` then `listingOrder`, then the first
 * `limit`.
 */
export interface FindingQuery {
  /** Only findings in these statuses; absent = any status. */
  statuses?: readonly FindingStatus[];
  /** Only findings of this cluster (exact name). */
  cluster?: string;
  /** Only findings at least this severe (the incident's severity). */
  minSeverity?: Severity;
  /** Only findings whose fingerprint starts with this (lower-case hex). */
  fingerprintPrefix?: string;
  /** At most this many, most recent first. */
  limit: number;
}

export interface FindingListing {
  /** Most recently seen first. */
  findings: StoredFinding[];
  /** More findings matched than `limit`. */
  truncated: boolean;
}

/** The statuses `/k8s findings open` lists: what still needs someone. */
export const OPEN_STATUSES: readonly FindingStatus[] = ['open', 'acknowledged'];

export function matchesFindingQuery(finding: StoredFinding, query: FindingQuery): boolean {
  if (query.statuses !== undefined && !query.statuses.includes(finding.status)) return false;
  if (query.cluster !== undefined && finding.detection.cluster !== query.cluster) return false;
  if (query.fingerprintPrefix !== undefined && !finding.fingerprint.startsWith(query.fingerprintPrefix)) {
    return false;
  }
  return query.minSeverity === undefined || isAtLeast(incidentSeverity(finding), query.minSeverity);
}

/** Most recently seen first; the fingerprint breaks ties so the order is total. */
export function listingOrder(a: StoredFinding, b: StoredFinding): number {
  if (a.lastSeen !== b.lastSeen) return a.lastSeen < b.lastSeen ? 1 : -1;
  return a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0;
}

/**
 * Collects a listing from findings offered one by one (a store reading page after page), keeping at
 * most about twice `limit` of them in memory however many the store holds.
 */
export class ListingCollector {
  readonly #query: FindingQuery;
  #kept: StoredFinding[] = [];
  #dropped = false;

  constructor(query: FindingQuery) {
    this.#query = query;
  }

  offer(finding: StoredFinding): void {
    if (!matchesFindingQuery(finding, this.#query)) return;
    this.#kept.push(finding);
    if (this.#kept.length > 2 * this.#query.limit + 1) this.#trim();
  }

  listing(): FindingListing {
    this.#trim();
    return {
      findings: this.#kept.slice(0, this.#query.limit),
      truncated: this.#dropped || this.#kept.length > this.#query.limit,
    };
  }

  #trim(): void {
    this.#kept.sort(listingOrder);
    if (this.#kept.length > this.#query.limit + 1) {
      this.#kept = this.#kept.slice(0, this.#query.limit + 1);
      this.#dropped = true;
    }
  }
}

/** The listing of `candidates` for `query` (filter, order, cut). */
export function listingOf(candidates: Iterable<StoredFinding>, query: FindingQuery): FindingListing {
  const collector = new ListingCollector(query);
  for (const finding of candidates) collector.offer(finding);
  return collector.listing();
}
